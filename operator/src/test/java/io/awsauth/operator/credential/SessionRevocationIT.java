package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.Revocation;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Issue 18, deliverable 2, on the real API server and the emulator (which evaluates aws:userid and
 * aws:TokenIssueTime, and delays policy changes as IAM's propagation does): deleting one of two
 * requests of the same role makes its credential's allowed call fail within a measured time, while
 * the sibling's keeps working; the same for federation_token and for a denial. The operator's
 * identity holds exactly config/iam/operator-policy.json.
 */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class SessionRevocationIT {
  static final String NS = "aao-revoke-it";
  static final String CONFIG = "revoke-it";
  static final String SA = "app";
  static final String POLICY = "aws-auth-operator-revocations";
  static final String EC2_DESCRIBE =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          + "\"Action\":\"ec2:DescribeInstances\",\"Resource\":\"*\"}]}";
  static final Duration BOUND = Duration.ofSeconds(30);
  static TestEnvironment env;
  static KubernetesClient client;
  static String operatorArn;
  static String operatorUser;

  @BeforeAll
  static void operatorIdentity() {
    env = TestEnvironment.get();
    client = env.client();
    Fixtures.namespace(client, NS);
    Fixtures.serviceAccount(client, NS, SA);
    operatorUser = Aws.unique("vault-root");
    AwsAccount operator = Aws.operatorUser(env, operatorUser);
    operatorArn = "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":user/" + operatorUser;
    Fixtures.credentialsSecret(client, NS, "operator", operator);
    Fixtures.readyAuthConfig(client, CONFIG, NS, "operator", env.awsEndpoint());
  }

  @Test
  void deletingOneAssumedRoleRequestDeniesItsSessionAndNotItsSiblings() throws Exception {
    String target = Aws.unique("revoke-target");
    targetRole(target, EC2_DESCRIBE);
    VaultAwsRole role = readyAssumedRole(Aws.unique("revoke-assumed"), target);

    Pair pair = twoReady(role);
    assertThat(pair.revoked().getMetadata().getFinalizers())
        .as("an assumed_role request stays until its session is denied")
        .containsExactly(AwsCredentialRequestReconciler.FINALIZER);

    Duration took = deleteAndMeasure(pair, "assumed_role");

    try (IamClient iam = Aws.iam(env, env.accountA())) {
      JsonNode policy =
          json(
              URLDecoder.decode(
                  iam.getRolePolicy(r -> r.roleName(target).policyName(POLICY)).policyDocument(),
                  StandardCharsets.UTF_8));
      assertThat(policy.get("Statement")).hasSize(1);
      String roleId = iam.getRole(r -> r.roleName(target)).role().roleId();
      assertThat(policy.at("/Statement/0/Condition/StringEquals/aws:userid").asText())
          .startsWith(roleId + ":");
      System.out.printf(
          "SessionRevocationIT: policy %s on %s after 1 revocation: %d characters%n",
          POLICY, target, policy.toString().length());
    }
    assertThat(took).isLessThan(BOUND);
  }

  @Test
  void deletingOneFederationTokenRequestDeniesItsFederatedUserAndNotItsSiblings() throws Exception {
    VaultAwsRole role = role(Aws.unique("revoke-fed"), CredentialType.FEDERATION_TOKEN);
    role.getSpec().policyDocument = json(EC2_DESCRIBE);
    createReady(role);

    Pair pair = twoReady(role);
    Duration took = deleteAndMeasure(pair, "federation_token");

    try (IamClient iam = Aws.iam(env, env.accountA())) {
      JsonNode policy =
          json(
              URLDecoder.decode(
                  iam.getUserPolicy(r -> r.userName(operatorUser).policyName(POLICY))
                      .policyDocument(),
                  StandardCharsets.UTF_8));
      assertThat(policy.at("/Statement/0/Condition/StringEquals/aws:userid").asText())
          .startsWith(TestEnvironment.ACCOUNT_A + ":");
    }
    assertThat(took).isLessThan(BOUND);
  }

  @Test
  void aBindingThatNoLongerAdmitsTheRequestDeniesItsSessionAndSaysSo() throws Exception {
    String target = Aws.unique("revoke-denied");
    targetRole(target, EC2_DESCRIBE);
    VaultAwsRole role = readyAssumedRole(Aws.unique("revoke-narrowed"), target);
    AwsCredentialRequest request = request(Aws.unique("denied"), role);
    client.resource(request).create();
    AwsCredentialRequest ready = Fixtures.awaitCondition(client, request, "Ready", "True");
    AwsCredentials credential = Aws.credentialsIn(secret(ready));
    awaitAllowed(credential);

    client
        .resources(VaultAwsRole.class)
        .withName(role.getMetadata().getName())
        .edit(
            r -> {
              r.getSpec().bindings.namespaces = List.of("someone-else");
              return r;
            });
    Instant changed = Instant.now();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> !allowed(credential));
    Duration took = Duration.between(changed, Instant.now());
    System.out.printf(
        "SessionRevocationIT: assumed_role credential refused %d ms after its binding changed%n",
        took.toMillis());

    AwsCredentialRequest revoked =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> get(request),
                r ->
                    r.getStatus().revocation != null && r.getStatus().revocation.revokedAt != null);
    Revocation r = revoked.getStatus().revocation;
    assertThat(r.state).isEqualTo(Revocation.REVOKED);
    assertThat(r.reason).isEqualTo("NamespaceNotBound");
    assertThat(r.leaseId).isEqualTo(ready.getStatus().leaseId);
    assertThat(r.policyHolder).endsWith(":role/" + target);
    assertThat(Instant.parse(r.issuedBy))
        .isAfterOrEqualTo(Instant.parse(ready.getStatus().issuedAt));
    assertThat(took).isLessThan(BOUND);
  }

  /**
   * The measured part (deliverable 3, small): {@code N} requests per STS type of one role, half of
   * them deleted; the time from each deletion to its credential's first refusal (p50, max), every
   * sibling still working, and the deny policy's size after the revocations.
   */
  @Test
  void halfOfManyRequestsDeletedAreEachRefusedWithinTheBoundAndTheOthersKeepWorking()
      throws Exception {
    int n = 6;
    String target = Aws.unique("revoke-many");
    targetRole(target, EC2_DESCRIBE);
    VaultAwsRole assumed = readyAssumedRole(Aws.unique("revoke-many-assumed"), target);
    VaultAwsRole federated = role(Aws.unique("revoke-many-fed"), CredentialType.FEDERATION_TOKEN);
    federated.getSpec().policyDocument = json(EC2_DESCRIBE);
    createReady(federated);
    for (VaultAwsRole role : List.of(assumed, federated)) {
      String type = role.getSpec().credentialType.wireName();
      List<AwsCredentialRequest> requests = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        AwsCredentialRequest r = request(Aws.unique("many"), role);
        client.resource(r).create();
        requests.add(r);
      }
      List<AwsCredentials> credentials = new java.util.ArrayList<>();
      for (AwsCredentialRequest r : requests) {
        AwsCredentials c =
            Aws.credentialsIn(secret(Fixtures.awaitCondition(client, r, "Ready", "True")));
        awaitAllowed(c);
        credentials.add(c);
      }
      List<Instant> deletedAt = new java.util.ArrayList<>();
      for (int i = 0; i < n / 2; i++) {
        deletedAt.add(Instant.now());
        client.resource(requests.get(i)).delete();
      }
      List<Long> millis = new java.util.ArrayList<>();
      boolean[] refused = new boolean[n / 2];
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                for (int i = 0; i < n / 2; i++) {
                  if (!refused[i] && !allowed(credentials.get(i))) {
                    refused[i] = true;
                    millis.add(Duration.between(deletedAt.get(i), Instant.now()).toMillis());
                  }
                }
                return millis.size() == n / 2;
              });
      // The siblings keep working; when the policy was full (the operator's user holds 2,048
      // characters of inline policies, config/iam/operator-policy.json among them here), a cutoff
      // denied them too and the operator re-issued them: then the credential in their Secret works.
      int reissued = 0;
      for (int i = n / 2; i < n; i++) {
        if (allowed(credentials.get(i))) {
          continue;
        }
        AwsCredentialRequest sibling = requests.get(i);
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(300))
            .ignoreExceptions()
            .until(() -> allowed(Aws.credentialsIn(secret(sibling))));
        reissued++;
      }
      java.util.Collections.sort(millis);
      String policy;
      try (IamClient iam = Aws.iam(env, env.accountA())) {
        policy =
            URLDecoder.decode(
                type.equals("assumed_role")
                    ? iam.getRolePolicy(r -> r.roleName(target).policyName(POLICY)).policyDocument()
                    : iam.getUserPolicy(r -> r.userName(operatorUser).policyName(POLICY))
                        .policyDocument(),
                StandardCharsets.UTF_8);
      }
      System.out.printf(
          "SessionRevocationIT: %s, %d of %d requests deleted: refused after p50 %d ms, max %d ms"
              + " (%s); policy after %d revocations: %d statements, %d characters; %d"
              + " siblings re-issued after a cutoff%n",
          type,
          n / 2,
          n,
          millis.get(millis.size() / 2),
          millis.get(millis.size() - 1),
          millis,
          n / 2,
          json(policy).get("Statement").size(),
          SessionDenials.size(policy),
          reissued);
      if (type.equals("assumed_role")) {
        assertThat(reissued).as("a role's policy holds 40 statements: no cutoff").isZero();
      }
      assertThat(millis.get(millis.size() - 1)).isLessThan(BOUND.toMillis());
    }
  }

  /**
   * The size fallback on the emulator: the role's other inline policies leave no room for a
   * statement, so deleting one request cuts off every session of the role issued before now; the
   * operator re-issues the sibling, whose new credential works.
   */
  @Test
  void aFullRolePolicyFallsBackToACutoffAndTheSiblingIsReissued() throws Exception {
    String target = Aws.unique("revoke-full");
    // 10,240 characters for all inline policies of a role: a cutoff (about 190) fits, a session
    // statement (about 300) does not
    int fill = 10_240 - 240 - SessionDenials.size(filler(0));
    targetRole(target, filler(fill));
    VaultAwsRole role = readyAssumedRole(Aws.unique("revoke-full"), target);
    Pair pair = twoReady(role);
    String siblingLease = pair.sibling().getStatus().leaseId;

    Instant deleted = Instant.now();
    client.resource(pair.revoked()).delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !allowed(pair.revokedCredential()));
    System.out.printf(
        "SessionRevocationIT: cutoff: revoked credential refused %d ms after its deletion%n",
        Duration.between(deleted, Instant.now()).toMillis());
    AwsCredentialRequest reissued =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> get(pair.sibling()),
                r ->
                    r.getStatus().leaseId != null
                        && !r.getStatus().leaseId.equals(siblingLease)
                        && r.getStatus().isTrue("Ready"));
    assertThat(reissued.getStatus().reissuedAfterCutoff).isNotBlank();
    assertThat(reissued.getStatus().condition("Issued"))
        .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("ReissuedAfterCutoff"));
    AwsCredentials fresh = Aws.credentialsIn(secret(reissued));
    awaitAllowed(fresh);
    System.out.printf(
        "SessionRevocationIT: cutoff: sibling re-issued and working %d ms after the deletion%n",
        Duration.between(deleted, Instant.now()).toMillis());
    assertThat(allowed(pair.siblingCredential()))
        .as("the sibling's old credential is cut off with the rest")
        .isFalse();
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      JsonNode policy =
          json(
              URLDecoder.decode(
                  iam.getRolePolicy(r -> r.roleName(target).policyName(POLICY)).policyDocument(),
                  StandardCharsets.UTF_8));
      assertThat(policy.at("/Statement/0/Condition/DateLessThan/aws:TokenIssueTime").asText())
          .isNotBlank();
    }
  }

  /**
   * A change of spec rotates the lease; the previous credential, still valid for an hour, is denied
   * once the rolloutRestartTargets were restarted on the new one and the grace for the rollout
   * (%test: 5 s) has passed, and not before the restart; the new credential keeps working.
   */
  @Test
  void aCredentialAChangeOfSpecReplacedIsDeniedAfterTheWorkloadsRestarted() throws Exception {
    String target = Aws.unique("revoke-respec");
    targetRole(target, EC2_DESCRIBE);
    VaultAwsRole role = readyAssumedRole(Aws.unique("revoke-respec"), target);
    String workload = Aws.unique("web");
    Fixtures.idleDeployment(client, NS, workload, java.util.Map.of(), SA);
    AwsCredentialRequest request = request(Aws.unique("respec"), role);
    AwsCredentialRequestSpec.RolloutTarget byName = new AwsCredentialRequestSpec.RolloutTarget();
    byName.kind = AwsCredentialRequestSpec.RolloutTarget.Kind.DEPLOYMENT;
    byName.name = workload;
    request.getSpec().rolloutRestartTargets = List.of(byName);
    client.resource(request).create();
    AwsCredentialRequest first = Fixtures.awaitCondition(client, request, "Ready", "True");
    AwsCredentials old = Aws.credentialsIn(secret(first));
    awaitAllowed(old);

    Instant changed = Instant.now();
    client
        .resources(AwsCredentialRequest.class)
        .inNamespace(NS)
        .withName(request.getMetadata().getName())
        .edit(
            r -> {
              r.getSpec().ttl = "50m";
              return r;
            });
    AwsCredentialRequest rotated =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> get(request),
                r ->
                    r.getStatus().leaseId != null
                        && !r.getStatus().leaseId.equals(first.getStatus().leaseId)
                        && r.getStatus().isTrue("Ready"));
    assertThat(rotated.getStatus().retiredSessions)
        .as("the previous credential, recorded with the lease that replaced it")
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.leaseId).isEqualTo(first.getStatus().leaseId);
              assertThat(r.reason).isEqualTo(RetiredSessions.SPEC_CHANGED);
              assertThat(r.supersededBy).isEqualTo(rotated.getStatus().leaseId);
              assertThat(Instant.parse(rotated.getStatus().issuedAt))
                  .as("issued after the seconds the retired session's deny statement matches")
                  .isAfterOrEqualTo(Instant.parse(r.issuedBy).plusSeconds(1));
            });
    AwsCredentials fresh = Aws.credentialsIn(secret(rotated));
    awaitAllowed(fresh);

    AwsCredentialRequest restarted =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> get(request),
                r -> rotated.getStatus().leaseId.equals(r.getStatus().restartedFor));
    Instant denyAt = Instant.parse(restarted.getStatus().retiredSessions.get(0).denyAt);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !allowed(old));
    Instant refused = Instant.now();
    System.out.printf(
        "SessionRevocationIT: a credential a change of spec replaced was refused %d ms after the"
            + " change, %d ms after its denyAt%n",
        Duration.between(changed, refused).toMillis(),
        Duration.between(denyAt, refused).toMillis());
    assertThat(refused).as("not before its time").isAfterOrEqualTo(denyAt);
    boolean freshWorks = allowed(fresh);
    if (!freshWorks) {
      try (IamClient iam = Aws.iam(env, env.accountA())) {
        System.out.printf(
            "SessionRevocationIT: the new credential is refused; retired %s / its issuedAt %s"
                + " principal %s, the old one's %s / the deny policy %s%n",
            new ObjectMapper().writeValueAsString(restarted.getStatus().retiredSessions),
            rotated.getStatus().issuedAt,
            rotated.getStatus().principalArn,
            first.getStatus().principalArn,
            URLDecoder.decode(
                iam.getRolePolicy(r -> r.roleName(target).policyName(POLICY)).policyDocument(),
                StandardCharsets.UTF_8));
      }
    }
    assertThat(freshWorks).as("the new credential still works").isTrue();
    assertThat(deniedIam(fresh)).as("and does no more than its role allows").isTrue();
    AwsCredentialRequest after =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> get(request),
                r -> Revocation.REVOKED.equals(r.getStatus().retiredSessions.get(0).state));
    assertThat(after.getStatus().leaseId).isEqualTo(rotated.getStatus().leaseId);
  }

  /** A role in account A that trusts the operator's user, with {@code policy} inline. */
  private static void targetRole(String name, String policy) {
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.createRole(
          r ->
              r.roleName(name)
                  .assumeRolePolicyDocument(AwsCredentialRequestIT.trustingAccount(operatorArn)));
      iam.putRolePolicy(r -> r.roleName(name).policyName("ec2").policyDocument(policy));
    }
  }

  /** An assumed_role VaultAwsRole issuing sessions of the role {@code target}, Ready. */
  private static VaultAwsRole readyAssumedRole(String name, String target) {
    VaultAwsRole role = role(name, CredentialType.ASSUMED_ROLE);
    role.getSpec().roleArns =
        List.of("arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/" + target);
    createReady(role);
    return role;
  }

  /** An IAM call the role does not allow: true if refused. */
  private static boolean deniedIam(AwsCredentials credential) {
    try (IamClient iam =
        Aws.iam(env, credential, software.amazon.awssdk.regions.Region.US_EAST_1)) {
      iam.listUsers();
      return false;
    } catch (AwsServiceException e) {
      return "AccessDenied".equals(e.awsErrorDetails().errorCode());
    }
  }

  /** An Allow of ec2:DescribeInstances padded to {@code n} more characters. */
  private static String filler(int n) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Pad"
        + "x".repeat(n)
        + "\",\"Effect\":\"Allow\",\"Action\":\"ec2:DescribeInstances\",\"Resource\":\"*\"}]}";
  }

  private record Pair(
      AwsCredentialRequest revoked,
      AwsCredentials revokedCredential,
      AwsCredentialRequest sibling,
      AwsCredentials siblingCredential) {}

  /** Two Ready requests of {@code role}, both of whose credentials can make the allowed call. */
  private Pair twoReady(VaultAwsRole role) {
    AwsCredentialRequest one = request(Aws.unique("one"), role);
    AwsCredentialRequest two = request(Aws.unique("two"), role);
    client.resource(one).create();
    client.resource(two).create();
    AwsCredentialRequest readyOne = Fixtures.awaitCondition(client, one, "Ready", "True");
    AwsCredentialRequest readyTwo = Fixtures.awaitCondition(client, two, "Ready", "True");
    AwsCredentials c1 = Aws.credentialsIn(secret(readyOne));
    AwsCredentials c2 = Aws.credentialsIn(secret(readyTwo));
    awaitAllowed(c1);
    awaitAllowed(c2);
    return new Pair(readyOne, c1, readyTwo, c2);
  }

  /**
   * Deletes the first request; returns how long until its credential's allowed call was refused.
   * The sibling keeps working, and the request is gone once its session is denied.
   */
  private Duration deleteAndMeasure(Pair pair, String type) {
    Instant deleted = Instant.now();
    client.resource(pair.revoked()).withTimeout(60, TimeUnit.SECONDS).delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !allowed(pair.revokedCredential()));
    Duration took = Duration.between(deleted, Instant.now());
    System.out.printf(
        "SessionRevocationIT: %s credential refused %d ms after its request was deleted%n",
        type, took.toMillis());
    assertThat(allowed(pair.siblingCredential()))
        .as("the sibling's credential of the same role still works")
        .isTrue();
    await().atMost(Duration.ofSeconds(30)).until(() -> get(pair.revoked()) == null);
    assertThat(allowed(pair.siblingCredential())).isTrue();
    return took;
  }

  private static void awaitAllowed(AwsCredentials credential) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> allowed(credential));
  }

  /** ec2:DescribeInstances with the credential: true if allowed, false if refused. */
  private static boolean allowed(AwsCredentials credential) {
    try (Ec2Client ec2 = Aws.ec2(env, credential)) {
      ec2.describeInstances();
      return true;
    } catch (AwsServiceException e) {
      String code = e.awsErrorDetails().errorCode();
      if ("UnauthorizedOperation".equals(code) || "AccessDenied".equals(code)) {
        return false;
      }
      if ("RequestLimitExceeded".equals(code) || "Throttling".equals(code)) {
        return allowed(credential);
      }
      throw e;
    }
  }

  private static VaultAwsRole role(String name, CredentialType type) {
    return Fixtures.role(name, type, CONFIG, NS);
  }

  private static void createReady(VaultAwsRole role) {
    Fixtures.createReady(client, role);
  }

  private static AwsCredentialRequest request(String name, VaultAwsRole role) {
    AwsCredentialRequest r = Fixtures.request(name, NS, role, SA);
    r.getSpec().ttl = "1h";
    return r;
  }

  private static AwsCredentialRequest get(AwsCredentialRequest request) {
    return client
        .resources(AwsCredentialRequest.class)
        .inNamespace(NS)
        .withName(request.getMetadata().getName())
        .get();
  }

  private static Secret secret(AwsCredentialRequest request) {
    return client
        .secrets()
        .inNamespace(NS)
        .withName(AwsCredentialRequestReconciler.secretName(request))
        .get();
  }

  private static ObjectNode json(String s) {
    try {
      return (ObjectNode) new ObjectMapper().readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
