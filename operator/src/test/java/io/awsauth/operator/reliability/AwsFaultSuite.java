package io.awsauth.operator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.FaultProxy;
import io.awsauth.operator.testenv.FaultProxy.Faults;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.IamUsers;
import io.awsauth.operator.testenv.OperatorProcess;
import io.awsauth.operator.testenv.SecretHygiene;
import io.awsauth.operator.testenv.SuiteRequests;
import io.awsauth.operator.testenv.SuiteRoles;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Issue 8's AWS fault suite: the packaged operator talks to the emulator through {@link
 * FaultProxy}. First without faults (the baseline: AWS calls per issuance), then with 30 %
 * throttling, 5 % server errors and 2 % connections dropped before and 2 % after AWS executed the
 * call. Every request must reach Ready with working keys, no IAM user may be created twice, and the
 * calls that reached AWS per issuance are compared with the baseline. Run with {@code mvn -pl
 * operator verify -Preliability}; {@code -Daao.suite.requests=N} sets the requests per type. No
 * issued credential may appear in the operator's log, Events or statuses ({@link SecretHygiene}).
 */
@Reliability
class AwsFaultSuite {
  static final String LABEL = SuiteRequests.UNDER_TEST;
  static final String NS = "aao-fault-suite";
  static final int PER_TYPE = Integer.getInteger("aao.suite.requests", 10);

  @Test
  void everyRequestBecomesReadyOnceUnderThrottlingServerErrorsAndDroppedConnections()
      throws Exception {
    TestEnvironment env = TestEnvironment.get();
    KubernetesClient client = env.client();
    String run = Aws.unique("faults").substring(7);
    Fixtures.namespace(client, NS);
    Fixtures.serviceAccount(client, NS, "default");
    try (FaultProxy proxy = FaultProxy.start(env.awsEndpoint())) {
      AwsAccount operatorUser = Aws.operatorUser(env, Aws.unique("fault-root"));
      Fixtures.credentialsSecret(client, NS, "operator", operatorUser);
      String configName = "faults-" + run;
      AwsAuthConfig config = Fixtures.authConfig(configName, NS, "operator", proxy.url());
      config.getMetadata().setLabels(Map.of(LABEL, "faults"));
      client.resource(config).create();
      String target = SuiteRoles.targetRole(env, Aws.unique("fault-target"), 3600);
      Map<CredentialType, String> roles =
          SuiteRoles.everyType(
              client,
              type -> "faults-" + type.wireName().replace('_', '-') + "-" + run,
              Map.of(LABEL, "faults"),
              configName,
              NS,
              target,
              (type, spec) -> {});

      Map<String, String> props = new HashMap<>();
      for (String c : List.of("awscredentialrequest", "vaultawsrole", "awsauthconfig")) {
        props.put("quarkus.operator-sdk.controllers." + c + ".selector", LABEL);
      }
      props.put("aao.orphan-sweep.interval", "0s");
      List<String> rows = new ArrayList<>();
      try (OperatorProcess operator = OperatorProcess.start(env, "fault-suite-" + run, props)) {
        Phase baseline = phase(client, proxy, Faults.NONE, roles, "base-" + run);
        Phase faulty =
            phase(
                client,
                proxy,
                new Faults(0.30, 0.05, 0.02, 0.02, Duration.ofMillis(100)),
                roles,
                "fault-" + run);
        rows.add(baseline.row("no faults"));
        rows.add(faulty.row("30% throttling, 5% 5xx, 2%+2% dropped, +100 ms"));
        double ratio = faulty.reachedAwsPerIssuance() / baseline.reachedAwsPerIssuance();
        System.out.println();
        System.out.println(
            "AWS fault suite (" + PER_TYPE + " requests per credential type, 4 types)");
        System.out.println(
            String.format(
                Locale.ROOT,
                "%-40s %9s %10s %11s %14s %12s",
                "phase",
                "issued",
                "attempts",
                "reached AWS",
                "reached/issue",
                "all Ready in"));
        rows.forEach(System.out::println);
        System.out.println(
            String.format(
                Locale.ROOT, "calls that reached AWS per issuance, faults/baseline: %.2f", ratio));
        System.out.println("calls by outcome with faults: " + faulty.counts());

        for (AwsCredentialRequest r : faulty.requests()) {
          assertExactlyOneWorkingCredential(env, client, r);
        }
        // every credential the two phases issued, looked for where it must not be
        SecretHygiene hygiene = new SecretHygiene();
        client
            .secrets()
            .inNamespace(NS)
            .withLabel("app.kubernetes.io/managed-by", "aws-auth-operator")
            .list()
            .getItems()
            .forEach(hygiene::record);
        SecretHygiene.Report hygieneReport = hygiene.scan(client, List.of(operator.log()));
        System.out.println(hygieneReport.summary());
        hygieneReport.assertClean();
        assertThat(ratio)
            .as("AWS calls per successful issuance, relative to no faults")
            .isLessThanOrEqualTo(1.5);

        proxy.faults(Faults.NONE);
        List<AwsCredentialRequest> all = new ArrayList<>(baseline.requests());
        all.addAll(faulty.requests());
        all.forEach(r -> client.resource(r).delete());
        await()
            .atMost(Duration.ofMinutes(5))
            .until(() -> SuiteRequests.underTest(client, NS).isEmpty());
        // and nothing leaked while the requests were revoked
        hygiene.scan(client, List.of(operator.log())).assertClean();
      }
      client.resources(VaultAwsRole.class).withLabel(LABEL).delete();
      client.resource(config).delete();
      try (IamClient iam = Aws.iam(env, env.accountA())) {
        List<String> left =
            iam.listUsersPaginator(r -> r.maxItems(1000)).users().stream()
                .map(u -> u.userName())
                .filter(n -> n.startsWith("aao-faults-iam-user-" + run))
                .toList();
        assertThat(left).as("IAM users left after deleting every request").isEmpty();
      }
    }
  }

  private record Phase(
      List<AwsCredentialRequest> requests,
      Map<String, Long> counts,
      long reachedAws,
      Duration took) {
    double reachedAwsPerIssuance() {
      return (double) reachedAws / requests.size();
    }

    long attempts() {
      return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    String row(String name) {
      return String.format(
          Locale.ROOT,
          "%-40s %9d %10d %11d %14.2f %11.1fs",
          name,
          requests.size(),
          attempts(),
          reachedAws,
          reachedAwsPerIssuance(),
          took.toMillis() / 1000.0);
    }
  }

  private static Phase phase(
      KubernetesClient client,
      FaultProxy proxy,
      Faults faults,
      Map<CredentialType, String> roles,
      String prefix) {
    // Let the config and roles settle (and their calls finish) before counting.
    SuiteRequests.awaitRolesReady(
        client, roles.values(), Duration.ofMinutes(2), Duration.ofMillis(100));
    proxy.faults(faults);
    proxy.reset();
    Instant start = Instant.now();
    List<AwsCredentialRequest> requests = new ArrayList<>();
    for (Map.Entry<CredentialType, String> role : roles.entrySet()) {
      for (int i = 0; i < PER_TYPE; i++) {
        AwsCredentialRequest r = new AwsCredentialRequest();
        r.setMetadata(
            new ObjectMetaBuilder()
                .withName(prefix + "-" + role.getKey().wireName().replace('_', '-') + "-" + i)
                .withNamespace(NS)
                .withLabels(Map.of(LABEL, "faults"))
                .build());
        r.setSpec(new AwsCredentialRequestSpec());
        r.getSpec().roleRef = role.getValue();
        r.getSpec().ttl = "1h";
        requests.add(client.resource(r).create());
      }
    }
    await()
        .atMost(Duration.ofMinutes(15))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                requests.stream()
                    .allMatch(
                        r -> {
                          AwsCredentialRequest now =
                              client
                                  .resources(AwsCredentialRequest.class)
                                  .inNamespace(NS)
                                  .withName(r.getMetadata().getName())
                                  .get();
                          return now.getStatus() != null
                              && now.getStatus().isTrue("Ready")
                              && now.getStatus().pendingLease == null;
                        }));
    Duration took = Duration.between(start, Instant.now());
    Map<String, Long> counts = proxy.counts();
    long reached = proxy.count("forwarded") + proxy.count("dropped-after");
    List<AwsCredentialRequest> ready =
        requests.stream()
            .map(
                r ->
                    client
                        .resources(AwsCredentialRequest.class)
                        .inNamespace(NS)
                        .withName(r.getMetadata().getName())
                        .get())
            .toList();
    return new Phase(ready, counts, reached, took);
  }

  /** The Secret's keys work; an iam_user request has exactly one user with exactly that key. */
  private static void assertExactlyOneWorkingCredential(
      TestEnvironment env, KubernetesClient client, AwsCredentialRequest r) {
    Secret secret = client.secrets().inNamespace(NS).withName(r.getMetadata().getName()).get();
    String keyId = value(secret, "AWS_ACCESS_KEY_ID");
    assertThat(keyId).isEqualTo(r.getStatus().accessKeyId);
    if ("iam_user".equals(r.getStatus().credentialType)) {
      IamUsers.assertOneUserHoldingExactly(env, r, keyId);
      try (StsClient sts =
          Aws.sts(env, AwsBasicCredentials.create(keyId, value(secret, "AWS_SECRET_ACCESS_KEY")))) {
        assertThat(sts.getCallerIdentity().arn()).isEqualTo(r.getStatus().principalArn);
      }
    }
  }

  private static String value(Secret secret, String key) {
    String v = secret.getData() == null ? null : secret.getData().get(key);
    return v == null ? null : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
  }
}
