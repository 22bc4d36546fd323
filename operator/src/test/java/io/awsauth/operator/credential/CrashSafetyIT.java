package io.awsauth.operator.credential;

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
import io.awsauth.operator.faults.CrashPoints;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorProcess;
import io.awsauth.operator.testenv.SecretHygiene;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.awsauth.operator.testenv.TestEnvironmentExtension;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Crash safety of iam_user leases (Vault's write-ahead before CreateUser, in Kubernetes form): the
 * packaged operator runs as its own process and halts right after one AWS call or API-server write,
 * as a SIGKILL would stop it; a fresh process then finishes the job. After each crash the request
 * is Ready with a working key, IAM holds exactly one user for it with exactly the Secret's key, and
 * deleting the request leaves nothing in IAM. No issued credential appears in the logs of the
 * processes, in Events or in statuses ({@link SecretHygiene}).
 *
 * <p>The objects carry the label awsauth.io/operator-under-test, which the tests' in-process
 * operator ignores and the process under test alone selects.
 */
@ExtendWith(TestEnvironmentExtension.class)
class CrashSafetyIT {
  static final String LABEL = "awsauth.io/operator-under-test";
  static final String NS = "aao-crash-it";
  static final String CONFIG = "crash-it";
  static final String EC2_ALL =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\","
          + "\"Resource\":\"*\"}]}";
  static TestEnvironment env;
  static KubernetesClient client;
  static String role;
  static final List<String> requestUids = new ArrayList<>();
  static final SecretHygiene hygiene = new SecretHygiene();
  static final List<Path> logs = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    env = TestEnvironment.get();
    client = env.client();
    Fixtures.namespace(client, NS);
    Fixtures.serviceAccount(client, NS, "default");
    AwsAccount operator = Aws.operatorUser(env, Aws.unique("crash-root"));
    Fixtures.credentialsSecret(client, NS, "operator", operator);
    AwsAuthConfig config = Fixtures.authConfig(CONFIG, NS, "operator", env.awsEndpoint());
    config.getMetadata().setLabels(Map.of(LABEL, "crash"));
    client.resource(config).serverSideApply();

    String group = Aws.unique("crash-readers");
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.createGroup(r -> r.groupName(group));
    }
    role = Aws.unique("crash-role");
    VaultAwsRole r = new VaultAwsRole();
    r.setMetadata(
        new ObjectMetaBuilder().withName(role).withLabels(Map.of(LABEL, "crash")).build());
    r.setSpec(new VaultAwsRoleSpec());
    r.getSpec().credentialType = CredentialType.IAM_USER;
    r.getSpec().authConfigRef = CONFIG;
    r.getSpec().policyDocument = (ObjectNode) new ObjectMapper().readTree(EC2_ALL);
    r.getSpec().policyArns = List.of("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess");
    r.getSpec().iamGroups = List.of(group);
    r.getSpec().bindings = new RoleBindings();
    r.getSpec().bindings.namespaces = List.of(NS);
    client.resource(r).create();
  }

  /** After every AWS call and API-server write of a first issuance. */
  static Stream<String> issuanceSteps() {
    return Stream.of(
        "HoldFinalizer#1",
        "WriteAhead#1",
        "CreateUser#1",
        "PutUserPolicy#1",
        "AttachUserPolicy#1",
        "AddUserToGroup#1",
        "CreateAccessKey#1",
        "WriteSecret#1");
  }

  @ParameterizedTest(name = "halted after {0}")
  @MethodSource("issuanceSteps")
  void issuanceInterruptedAnywhereEndsWithOneUserAndOneWorkingKey(String step) {
    AwsCredentialRequest request = request(Aws.unique("crash"));
    try (OperatorProcess halting = operator("issue-" + step, step)) {
      client.resource(request).create();
      assertThat(halting.awaitExit(Duration.ofSeconds(90)))
          .as("halted at %s (log %s)", step, halting.log())
          .isEqualTo(CrashPoints.HALT_STATUS);
    }
    try (OperatorProcess restarted = operator("resume-" + step, null)) {
      AwsCredentialRequest ready = awaitReady(request, null);
      assertExactlyTheSecretsKey(ready);
      assertTheCredentialOnlyInItsSecret(ready, "IssuanceResumed", "Issued");
      deleteAndAssertNothingLeft(ready);
    }
  }

  /**
   * After the AWS calls and writes of a rotation (a spec change issues a fresh key). A rotation
   * deletes no key: the old one stays for its overlap (status.retiringKey) and goes later.
   */
  static Stream<String> rotationSteps() {
    return Stream.of("WriteAhead#1", "CreateAccessKey#1", "WriteSecret#1");
  }

  @ParameterizedTest(name = "halted after {0}")
  @MethodSource("rotationSteps")
  void rotationInterruptedAnywhereEndsWithTheNewKeyAndTheOldOneForItsOverlap(String step) {
    AwsCredentialRequest request = request(Aws.unique("rotate"));
    String firstKey;
    try (OperatorProcess first = operator("first-" + step, null)) {
      client.resource(request).create();
      firstKey = awaitReady(request, null).getStatus().accessKeyId;
    }
    try (OperatorProcess halting = operator("rotate-" + step, step)) {
      client
          .resources(AwsCredentialRequest.class)
          .inNamespace(NS)
          .withName(request.getMetadata().getName())
          .edit(
              r -> {
                r.getSpec().ttl = "2h";
                return r;
              });
      assertThat(halting.awaitExit(Duration.ofSeconds(90)))
          .as("halted at %s (log %s)", step, halting.log())
          .isEqualTo(CrashPoints.HALT_STATUS);
    }
    try (OperatorProcess restarted = operator("rotated-" + step, null)) {
      AwsCredentialRequest ready = awaitReady(request, firstKey);
      assertThat(ready.getStatus().ttl).isEqualTo("2h");
      assertThat(ready.getStatus().retiringKey).isNotNull();
      assertThat(ready.getStatus().retiringKey.accessKeyId).isEqualTo(firstKey);
      assertExactlyTheSecretsKey(ready);
      deleteAndAssertNothingLeft(ready);
    }
  }

  @Test
  void aRestartOfAHealthyOperatorReissuesNothing() {
    AwsCredentialRequest request = request(Aws.unique("steady"));
    AwsCredentialRequest before;
    try (OperatorProcess first = operator("steady-1", null)) {
      client.resource(request).create();
      before = awaitReady(request, null);
    }
    // While no operator runs, a change that needs no new key: only the restarted process can
    // take it in, so seeing it in the status proves that process reconciled the request.
    AwsCredentialRequest edited =
        client
            .resources(AwsCredentialRequest.class)
            .inNamespace(NS)
            .withName(request.getMetadata().getName())
            .edit(
                r -> {
                  r.getSpec().renewBefore = "24h";
                  return r;
                });
    long generation = edited.getMetadata().getGeneration();
    assertThat(generation).isGreaterThan(before.getStatus().observedGeneration);
    Instant expiresAt = Instant.parse(before.getStatus().expiresAt);
    // A reissue would create a key, which halts the second process: a held lease needs none.
    try (OperatorProcess second = operator("steady-2", "CreateAccessKey#1")) {
      AwsCredentialRequest after =
          await()
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(300))
              .until(
                  () -> get(request),
                  r ->
                      !second.isAlive()
                          || Long.valueOf(generation).equals(r.getStatus().observedGeneration));
      assertThat(second.isAlive()).as("the restarted operator (log %s)", second.log()).isTrue();
      assertThat(after.getStatus().observedGeneration).isEqualTo(generation);
      assertThat(Instant.parse(after.getStatus().renewAt))
          .as("renewAt from the renewBefore the restarted process read")
          .isEqualTo(expiresAt.minus(Duration.ofHours(24)));
      assertThat(after.getStatus().accessKeyId).isEqualTo(before.getStatus().accessKeyId);
      assertThat(after.getStatus().issuedAt).isEqualTo(before.getStatus().issuedAt);
      assertThat(after.getStatus().isTrue("Ready")).isTrue();
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .until(() -> second.isAlive());
      assertThat(get(request).getStatus().accessKeyId).isEqualTo(before.getStatus().accessKeyId);
    }
    try (OperatorProcess cleanup = operator("steady-3", null)) {
      deleteAndAssertNothingLeft(get(request));
    }
  }

  /**
   * Issue 17: a workload listed in rolloutRestartTargets restarts once per rotation and never
   * because the operator restarted. The first issuance restarts nothing; a rotation's restart
   * interrupted right after the workload was patched (before status.restartedFor was written) is
   * finished by the next process with the same time, so the workload's template does not change
   * again; and a later restart of a healthy operator, which reconciles the request, leaves the
   * workload alone.
   */
  @Test
  void restartTargetsRestartOncePerRotationAndNeverOnAnOperatorRestart() {
    String workload = Aws.unique("restart-target");
    Fixtures.idleDeployment(client, NS, workload, Map.of(), "default");
    AwsCredentialRequest request = request(Aws.unique("restarts"));
    AwsCredentialRequestSpec.RolloutTarget target = new AwsCredentialRequestSpec.RolloutTarget();
    target.kind = AwsCredentialRequestSpec.RolloutTarget.Kind.DEPLOYMENT;
    target.name = workload;
    request.getSpec().rolloutRestartTargets = List.of(target);
    String firstKey;
    long generationBefore;
    try (OperatorProcess first = operator("restarts-1", null)) {
      client.resource(request).create();
      AwsCredentialRequest ready = awaitReady(request, null);
      firstKey = ready.getStatus().accessKeyId;
      assertThat(ready.getStatus().restartPending).as("a first issuance owes no restart").isNull();
      generationBefore = deployment(workload).getMetadata().getGeneration();
    }
    assertThat(restartedAt(workload)).as("restarted by the first issuance").isNull();

    // A rotation (a spec change issues a fresh key), halted once the workload was patched.
    String restartedAt;
    long generationAfter;
    try (OperatorProcess halting = operator("restarts-2", "RolloutRestart#1")) {
      edit(request, r -> r.getSpec().ttl = "2h");
      assertThat(halting.awaitExit(Duration.ofSeconds(90)))
          .as("halted after the restart's patch (log %s)", halting.log())
          .isEqualTo(CrashPoints.HALT_STATUS);
    }
    AwsCredentialRequest halted = get(request);
    assertThat(halted.getStatus().restartPending)
        .as("the restart, patched but not recorded")
        .isNotNull();
    assertThat(halted.getStatus().restartedFor).isNull();
    restartedAt = restartedAt(workload);
    assertThat(restartedAt).as("the rotation's restart").isNotNull();
    generationAfter = deployment(workload).getMetadata().getGeneration();
    assertThat(generationAfter)
        .as("the patch changed the pod template")
        .isGreaterThan(generationBefore);

    try (OperatorProcess resumed = operator("restarts-3", null)) {
      AwsCredentialRequest done =
          await()
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(300))
              .until(
                  () -> get(request),
                  r ->
                      r.getStatus().leaseId != null
                          && r.getStatus().leaseId.equals(r.getStatus().restartedFor));
      assertThat(done.getStatus().restartPending).isNull();
      assertThat(done.getStatus().accessKeyId).isNotEqualTo(firstKey);
    }
    assertThat(restartedAt(workload)).as("finished with its own time").isEqualTo(restartedAt);
    assertThat(deployment(workload).getMetadata().getGeneration())
        .as("the resumed restart did not change the pod template again")
        .isEqualTo(generationAfter);

    // A healthy operator's restart: a change that needs no new key proves the new process
    // reconciled the request; a reissue would halt it at CreateAccessKey.
    AwsCredentialRequest before = get(request);
    long generation =
        edit(request, r -> r.getSpec().renewBefore = "30m").getMetadata().getGeneration();
    try (OperatorProcess restarted = operator("restarts-4", "CreateAccessKey#1")) {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> get(request),
              r ->
                  !restarted.isAlive()
                      || Long.valueOf(generation).equals(r.getStatus().observedGeneration));
      assertThat(restarted.isAlive())
          .as("the restarted operator (log %s)", restarted.log())
          .isTrue();
      // (a few seconds more: a restart would come from this reconcile or the next)
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .until(restarted::isAlive);
      AwsCredentialRequest after = get(request);
      assertThat(after.getStatus().leaseId).isEqualTo(before.getStatus().leaseId);
      assertThat(after.getStatus().restartPending).isNull();
      assertThat(after.getStatus().restartedFor).isEqualTo(before.getStatus().leaseId);
    }
    assertThat(restartedAt(workload)).isEqualTo(restartedAt);
    assertThat(deployment(workload).getMetadata().getGeneration())
        .as("an operator restart restarted the workload")
        .isEqualTo(generationAfter);
    try (OperatorProcess cleanup = operator("restarts-5", null)) {
      deleteAndAssertNothingLeft(get(request));
    }
  }

  private static AwsCredentialRequest edit(
      AwsCredentialRequest request, java.util.function.Consumer<AwsCredentialRequest> change) {
    return client
        .resources(AwsCredentialRequest.class)
        .inNamespace(NS)
        .withName(request.getMetadata().getName())
        .edit(
            r -> {
              change.accept(r);
              return r;
            });
  }

  private static io.fabric8.kubernetes.api.model.apps.Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  private static String restartedAt(String workload) {
    Map<String, String> annotations =
        deployment(workload).getSpec().getTemplate().getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(RolloutRestarts.RESTARTED_AT);
  }

  @AfterAll
  static void noIssuedCredentialInLogsEventsOrStatuses() {
    SecretHygiene.Report report = hygiene.scan(client, logs);
    System.out.println(report.summary());
    report.assertClean();
  }

  @AfterAll
  static void noOrphans() {
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      List<String> left = new ArrayList<>();
      iam.listUsersPaginator(r -> r.maxItems(1000)).users().stream()
          .filter(u -> requestUids.stream().anyMatch(uid -> u.userName().contains(uid)))
          .forEach(u -> left.add(u.userName()));
      assertThat(left).as("IAM users of deleted crash-test requests").isEmpty();
    }
  }

  // --- helpers ------------------------------------------------------------------------------

  private static OperatorProcess operator(String name, String haltAfter) {
    Map<String, String> props = new HashMap<>();
    for (String controller : List.of("awscredentialrequest", "vaultawsrole", "awsauthconfig")) {
      props.put("quarkus.operator-sdk.controllers." + controller + ".selector", LABEL);
    }
    props.put("aao.orphan-sweep.interval", "0s");
    if (haltAfter != null) {
      props.put("aao.faults.halt-after", haltAfter);
    }
    OperatorProcess process = OperatorProcess.start(env, "crash-" + name.replace('#', '-'), props);
    logs.add(process.log());
    return process;
  }

  private static AwsCredentialRequest request(String name) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(NS)
            .withLabels(Map.of(LABEL, "crash"))
            .build());
    r.setSpec(new AwsCredentialRequestSpec());
    r.getSpec().roleRef = role;
    return r;
  }

  private static AwsCredentialRequest get(AwsCredentialRequest request) {
    return client
        .resources(AwsCredentialRequest.class)
        .inNamespace(NS)
        .withName(request.getMetadata().getName())
        .get();
  }

  /** Ready, with a key other than {@code notKey} (the one before a rotation) when given. */
  private static AwsCredentialRequest awaitReady(AwsCredentialRequest request, String notKey) {
    AwsCredentialRequest ready =
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(300))
            .until(
                () -> get(request),
                r ->
                    r != null
                        && r.getStatus() != null
                        && r.getStatus().pendingLease == null
                        && r.getStatus().accessKeyId != null
                        && !r.getStatus().accessKeyId.equals(notKey)
                        && r.getStatus()
                            .condition("Ready")
                            .map(Condition::getStatus)
                            .orElse("")
                            .equals("True"));
    requestUids.add(ready.getMetadata().getUid());
    hygiene.record(client.secrets().inNamespace(NS).withName(ready.getStatus().secretName).get());
    return ready;
  }

  /**
   * IAM holds one user for the request, whose keys are the Secret's (which works) and, after a
   * rotation, the one before it while its overlap lasts.
   */
  private static void assertExactlyTheSecretsKey(AwsCredentialRequest ready) {
    Secret secret =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    client.secrets().inNamespace(NS).withName(ready.getMetadata().getName()).get(),
                s ->
                    s != null
                        && ready.getStatus().accessKeyId.equals(value(s, "AWS_ACCESS_KEY_ID")));
    String keyId = value(secret, "AWS_ACCESS_KEY_ID");
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      List<String> users =
          iam.listUsersPaginator(r -> r.maxItems(1000)).users().stream()
              .map(u -> u.userName())
              .filter(n -> n.contains(ready.getMetadata().getUid()))
              .toList();
      assertThat(users).containsExactly(ready.getStatus().iamUserName);
      // (after a rotation, the key before it stays for its overlap: status.retiringKey)
      List<String> expected = new ArrayList<>(List.of(keyId));
      if (ready.getStatus().retiringKey != null) {
        assertThat(ready.getStatus().retiringKey.accessKeyId).isNotEqualTo(keyId);
        expected.add(ready.getStatus().retiringKey.accessKeyId);
      }
      assertThat(iam.listAccessKeys(r -> r.userName(users.get(0))).accessKeyMetadata())
          .extracting(k -> k.accessKeyId())
          .containsExactlyInAnyOrderElementsOf(expected);
      assertThat(iam.listUserTags(r -> r.userName(users.get(0))).tags())
          .extracting(Tag::key)
          .contains("awsauth.io/uid", "awsauth.io/cluster");
    }
    try (StsClient sts =
        Aws.sts(env, AwsBasicCredentials.create(keyId, value(secret, "AWS_SECRET_ACCESS_KEY")))) {
      assertThat(sts.getCallerIdentity().arn()).endsWith(":user/" + ready.getStatus().iamUserName);
    }
  }

  /**
   * Once the request's Event of one of {@code reasons} is written, no operator log, Event or status
   * holds any part of its credential (the access key ID only in status.accessKeyId).
   */
  private static void assertTheCredentialOnlyInItsSecret(
      AwsCredentialRequest ready, String... reasons) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client.v1().events().inNamespace(NS).list().getItems().stream()
                    .anyMatch(
                        e ->
                            ready.getMetadata().getUid().equals(e.getInvolvedObject().getUid())
                                && List.of(reasons).contains(e.getReason())));
    SecretHygiene hygiene = new SecretHygiene();
    hygiene.record(client.secrets().inNamespace(NS).withName(ready.getMetadata().getName()).get());
    List<Path> logs;
    try (Stream<Path> files =
        Files.list(TestEnvironment.repoRoot().resolve("operator/target/operator-processes"))) {
      logs = files.filter(f -> f.getFileName().toString().startsWith("crash-")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    hygiene.scan(client, logs).assertClean();
  }

  private static void deleteAndAssertNothingLeft(AwsCredentialRequest ready) {
    String user = ready.getStatus().iamUserName;
    client.resource(ready).withTimeout(60, TimeUnit.SECONDS).delete();
    await().atMost(Duration.ofSeconds(60)).until(() -> get(ready) == null);
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      assertThat(
              iam.listUsersPaginator(r -> r.maxItems(1000)).users().stream()
                  .map(u -> u.userName())
                  .filter(user::equals)
                  .toList())
          .isEmpty();
    }
  }

  private static String value(Secret secret, String key) {
    String v = secret.getData() == null ? null : secret.getData().get(key);
    return v == null ? null : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
  }
}
