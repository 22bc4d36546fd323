package io.awsauth.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorProcess;
import io.awsauth.operator.testenv.SecretHygiene;
import io.awsauth.operator.testenv.SuiteRequests;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.awsauth.operator.testenv.TestEnvironmentExtension;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * Issue 19, deliverable 4: two packaged operators on one cluster as shards {@code a} and {@code b}
 * of {@code aao.shard.names=a,b} (docs/sharding.md), each with leader election on. Requests
 * labelled {@code awsauth.io/shard=a} and {@code =b}, one without the label and one naming no
 * listed shard are each Ready with their Secret and IAM user, and each was reconciled by its own
 * shard only: every reconcile JOSDK dispatches is in the shard's log (its dispatcher at DEBUG), and
 * no request, nor any cluster-scoped object, appears in the log of a shard it is not of. Each shard
 * leads its own Lease. The orphan sweep, which runs on shard {@code a} only, deletes an orphaned
 * IAM user planted for the purpose and none of shard {@code b}'s.
 *
 * <p>The objects carry the label awsauth.io/operator-under-test, which only the processes select.
 */
@ExtendWith(TestEnvironmentExtension.class)
class ShardingIT {
  static final String LABEL = SuiteRequests.UNDER_TEST;
  static final String NS = "aao-shard-it";
  static final String DISPATCHER =
      "quarkus.log.category.\"io.javaoperatorsdk.operator.processing.event.ReconciliationDispatcher\""
          + ".level";
  static final String POLICY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
          + "\"ec2:DescribeRegions\",\"Resource\":\"*\"}]}";

  @Test
  void twoShardsReconcileDisjointRequestsAndTheSweepKeepsTheOtherShardsUsers() throws Exception {
    TestEnvironment env = TestEnvironment.get();
    KubernetesClient client = env.client();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String config = "shard-it-" + run;
    String clusterId = "shard-it-" + run;
    String lease = "shard-it-" + run;
    Fixtures.namespace(client, NS);
    Fixtures.serviceAccount(client, NS, "default");
    AwsAccount operator = Aws.operatorUser(env, Aws.unique("shard-root"));
    Fixtures.credentialsSecret(client, NS, "operator-" + run, operator);
    AwsAuthConfig c = Fixtures.authConfig(config, NS, "operator-" + run, env.awsEndpoint());
    c.getMetadata().setLabels(Map.of(LABEL, "shard"));
    client.resource(c).serverSideApply();
    String role = "shard-it-role-" + run;
    VaultAwsRole r = new VaultAwsRole();
    r.setMetadata(new ObjectMetaBuilder().withName(role).withLabels(Map.of(LABEL, "s")).build());
    r.setSpec(new VaultAwsRoleSpec());
    r.getSpec().credentialType = CredentialType.IAM_USER;
    r.getSpec().authConfigRef = config;
    r.getSpec().policyDocument = (ObjectNode) new ObjectMapper().readTree(POLICY);
    r.getSpec().bindings = new RoleBindings();
    r.getSpec().bindings.namespaces = List.of(NS);
    client.resource(r).create();

    // request name -> the shard that must reconcile it
    Map<String, String> owner = new LinkedHashMap<>();
    owner.put("alpha-" + run, "a");
    owner.put("beta-" + run, "b");
    owner.put("beta2-" + run, "b");
    owner.put("unlabelled-" + run, "a");
    owner.put("stray-" + run, "a");
    Map<String, String> shardLabel = new HashMap<>();
    shardLabel.put("alpha-" + run, "a");
    shardLabel.put("beta-" + run, "b");
    shardLabel.put("beta2-" + run, "b");
    shardLabel.put("stray-" + run, "zz"); // a shard nobody runs: the first shard's

    List<Path> logs = new ArrayList<>();
    try (OperatorProcess a = shard(env, "a", run, lease, clusterId);
        OperatorProcess b = shard(env, "b", run, lease, clusterId)) {
      logs.add(a.log());
      logs.add(b.log());
      Map<String, OperatorProcess> shards = Map.of("a", a, "b", b);
      for (var e : owner.entrySet()) {
        Map<String, String> labels = new HashMap<>(Map.of(LABEL, "shard"));
        if (shardLabel.containsKey(e.getKey())) {
          labels.put(Sharding.LABEL, shardLabel.get(e.getKey()));
        }
        AwsCredentialRequest request = new AwsCredentialRequest();
        request.setMetadata(
            new ObjectMetaBuilder()
                .withName(e.getKey())
                .withNamespace(NS)
                .withLabels(labels)
                .build());
        request.setSpec(new AwsCredentialRequestSpec());
        request.getSpec().roleRef = role;
        client.resource(request).create();
      }

      SecretHygiene hygiene = new SecretHygiene();
      Map<String, AwsCredentialRequest> ready = new LinkedHashMap<>();
      for (String name : owner.keySet()) {
        AwsCredentialRequest done = awaitReady(client, name, a, b);
        Secret secret =
            client.secrets().inNamespace(NS).withName(done.getStatus().secretName).get();
        assertThat(secret).as("the Secret of %s", name).isNotNull();
        assertThat(decoded(secret, "AWS_ACCESS_KEY_ID")).isEqualTo(done.getStatus().accessKeyId);
        hygiene.record(secret);
        ready.put(name, done);
      }

      // Each request in its shard's log, in no other; the cluster-scoped objects in a's only.
      for (var e : owner.entrySet()) {
        String name = e.getKey();
        for (var s : shards.entrySet()) {
          String log = log(s.getValue());
          String dispatched = "resource name: " + name + " namespace: " + NS;
          if (s.getKey().equals(e.getValue())) {
            assertThat(log)
                .as("shard %s reconciled %s (%s)", s.getKey(), name, s.getValue().log())
                .contains(dispatched);
          } else {
            assertThat(log)
                .as("shard %s never reconciled %s (%s)", s.getKey(), name, s.getValue().log())
                .doesNotContain(dispatched)
                .doesNotContain(name);
          }
        }
      }
      assertThat(log(a)).contains("resource name: " + config + " namespace: null");
      assertThat(log(a)).contains("resource name: " + role + " namespace: null");
      assertThat(log(b))
          .as("shard b registers no controller of a cluster-scoped kind (%s)", b.log())
          .contains("controller awsauthconfig: not here")
          .contains("controller vaultawsrole: not here")
          .doesNotContain("resource name: " + config)
          .doesNotContain("resource name: " + role);

      // One Lease per shard, each held by its own shard.
      for (var s : List.of("a", "b")) {
        Lease held =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(
                    () ->
                        client
                            .resources(Lease.class)
                            .inNamespace(NS)
                            .withName(lease + "-" + s)
                            .get(),
                    l -> l != null && l.getSpec().getHolderIdentity() != null);
        assertThat(held.getSpec().getHolderIdentity()).isEqualTo(hostname(s, run));
      }
      assertThat(client.resources(Lease.class).inNamespace(NS).withName(lease).get())
          .as("no shared Lease")
          .isNull();

      // The sweep (shard a only) deletes a planted orphan and no user of shard b's requests.
      String orphan = "aao-orphan-" + UUID.randomUUID();
      String orphanUid = orphan.substring("aao-orphan-".length());
      try (IamClient iam = Aws.iam(env, env.accountA())) {
        iam.createUser(
            u ->
                u.userName(orphan)
                    .tags(
                        Tag.builder()
                            .key("app.kubernetes.io/managed-by")
                            .value("aws-auth-operator")
                            .build(),
                        Tag.builder().key("awsauth.io/cluster").value(clusterId).build(),
                        Tag.builder().key("awsauth.io/uid").value(orphanUid).build()));
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> !userExists(iam, orphan));
        for (var e : ready.entrySet()) {
          String user = e.getValue().getStatus().iamUserName;
          assertThat(user).isNotNull();
          assertThat(userExists(iam, user))
              .as(
                  "the IAM user of %s (shard %s) after the sweep",
                  e.getKey(), owner.get(e.getKey()))
              .isTrue();
        }
      }
      assertThat(log(a)).contains("deleted orphaned IAM user " + orphan);
      assertThat(log(b)).doesNotContain("orphaned IAM user");
      assertThat(log(b)).doesNotContain("orphan sweep");

      for (String name : owner.keySet()) {
        client.resources(AwsCredentialRequest.class).inNamespace(NS).withName(name).delete();
      }
      for (String name : owner.keySet()) {
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    client
                            .resources(AwsCredentialRequest.class)
                            .inNamespace(NS)
                            .withName(name)
                            .get()
                        == null);
      }
      try (IamClient iam = Aws.iam(env, env.accountA())) {
        for (var e : ready.entrySet()) {
          assertThat(userExists(iam, e.getValue().getStatus().iamUserName))
              .as(
                  "the IAM user of deleted %s, deleted by shard %s",
                  e.getKey(), owner.get(e.getKey()))
              .isFalse();
        }
      }
      a.close();
      b.close();
      hygiene.scan(client, logs).assertClean();
    } finally {
      client.resources(VaultAwsRole.class).withName(role).delete();
      client.resources(AwsAuthConfig.class).withName(config).delete();
    }
  }

  static String hostname(String shard, String run) {
    return "shard-" + shard + "-" + run;
  }

  static OperatorProcess shard(
      TestEnvironment env, String shard, String run, String lease, String clusterId) {
    Map<String, String> props = new HashMap<>();
    for (String c :
        List.of("awscredentialrequest", "vaultawsrole", "awsauthconfig", "stsrolebinding")) {
      props.put("quarkus.operator-sdk.controllers." + c + ".selector", LABEL);
    }
    props.put("aao.shard.name", shard);
    props.put("aao.shard.names", "a,b");
    props.put("aao.leader-election.enabled", "true");
    props.put("aao.leader-election.lease-namespace", NS);
    props.put("aao.leader-election.lease-name", lease);
    props.put("aao.cluster-id", clusterId);
    // the sweep: 30 s after start, then every 5 s, of users older than 1 s
    props.put("aao.orphan-sweep.interval", "5s");
    props.put("aao.orphan-sweep.min-age", "1s");
    // two operators share the emulator's IAM throttling (10 calls/s per account)
    props.put("aao.aws.rate-limit.iam", "4");
    props.put(DISPATCHER, "DEBUG");
    return OperatorProcess.start(
        env, "shard-" + shard + "-" + run, props, Map.of("HOSTNAME", hostname(shard, run)));
  }

  static AwsCredentialRequest awaitReady(
      KubernetesClient client, String name, OperatorProcess a, OperatorProcess b) {
    return await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .failFast(
            "a shard exited (logs " + a.log() + ", " + b.log() + ")",
            () -> !a.isAlive() || !b.isAlive())
        .until(
            () -> client.resources(AwsCredentialRequest.class).inNamespace(NS).withName(name).get(),
            r ->
                r != null
                    && r.getStatus() != null
                    && r.getStatus().accessKeyId != null
                    && r.getStatus().secretName != null
                    && r.getStatus()
                        .condition("Ready")
                        .map(Condition::getStatus)
                        .orElse("")
                        .equals("True"));
  }

  static boolean userExists(IamClient iam, String user) {
    return iam.listUsersPaginator(r -> r.maxItems(1000)).users().stream()
        .anyMatch(u -> u.userName().equals(user));
  }

  static String decoded(Secret secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  static String log(OperatorProcess process) {
    try {
      return Files.readString(process.log(), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
