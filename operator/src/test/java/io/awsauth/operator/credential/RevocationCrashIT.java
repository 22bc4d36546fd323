package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.awsauth.operator.testenv.TestEnvironmentExtension;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Crash safety of early revocation (issue 18): the packaged operator runs as its own process and
 * halts at one step of denying a deleted request's credential; a fresh process finishes it. For
 * federation_token (on the operator's user): after recording the intent, after the policy write,
 * after recording it done. For assumed_role (on the role): the same three steps, and, for a request
 * whose change of spec left a retired session, after that session's denial. After each crash the
 * request goes only once its credentials are denied, they are refused, and the deny policy holds
 * exactly one statement for each.
 */
@ExtendWith(TestEnvironmentExtension.class)
class RevocationCrashIT {
  static final String LABEL = "awsauth.io/operator-under-test";
  static final String NS = "aao-revoke-crash-it";
  static final String CONFIG = "revoke-crash-it";
  static final String POLICY = "aws-auth-operator-revocations";
  static final String EC2_DESCRIBE =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          + "\"Action\":\"ec2:DescribeInstances\",\"Resource\":\"*\"}]}";
  static TestEnvironment env;
  static KubernetesClient client;
  static String federationRole;
  static String assumedRole;
  static String target;
  static String operatorUser;

  @BeforeAll
  static void setUp() throws Exception {
    env = TestEnvironment.get();
    client = env.client();
    Fixtures.namespace(client, NS);
    Fixtures.serviceAccount(client, NS, "default");
    operatorUser = Aws.unique("revoke-crash-root");
    AwsAccount operator = Aws.operatorUser(env, operatorUser);
    Fixtures.credentialsSecret(client, NS, "operator", operator);
    AwsAuthConfig config = Fixtures.authConfig(CONFIG, NS, "operator", env.awsEndpoint());
    config.getMetadata().setLabels(Map.of(LABEL, "revoke-crash"));
    client.resource(config).serverSideApply();
    federationRole = Aws.unique("revoke-crash-fed");
    VaultAwsRole fed = role(federationRole, CredentialType.FEDERATION_TOKEN);
    fed.getSpec().policyDocument = (ObjectNode) new ObjectMapper().readTree(EC2_DESCRIBE);
    client.resource(fed).create();
    target = Aws.unique("revoke-crash-target");
    String operatorArn = "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":user/" + operatorUser;
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.createRole(
          r ->
              r.roleName(target)
                  .assumeRolePolicyDocument(AwsCredentialRequestIT.trustingAccount(operatorArn)));
      iam.putRolePolicy(r -> r.roleName(target).policyName("ec2").policyDocument(EC2_DESCRIBE));
    }
    assumedRole = Aws.unique("revoke-crash-assumed");
    VaultAwsRole assumed = role(assumedRole, CredentialType.ASSUMED_ROLE);
    assumed.getSpec().roleArns =
        List.of("arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/" + target);
    client.resource(assumed).create();
  }

  /** A credential type, the step to halt after, and whether a change of spec retired a lease. */
  record Case(CredentialType type, String step, boolean retired) {
    @Override
    public String toString() {
      return type.wireName() + ", " + step + (retired ? ", with a retired session" : "");
    }
  }

  /**
   * After the write-ahead, the policy write, and the in-memory record of it (which a deletion
   * persists by removing the finalizer); for assumed_role also after denying a retired session
   * (before the current lease's denial).
   */
  static Stream<Case> revocationSteps() {
    return Stream.of(
        new Case(CredentialType.FEDERATION_TOKEN, "RecordRevocation#1", false),
        new Case(CredentialType.FEDERATION_TOKEN, "PutUserPolicy#1", false),
        new Case(CredentialType.FEDERATION_TOKEN, "DenySession#1", false),
        new Case(CredentialType.ASSUMED_ROLE, "RecordRevocation#1", false),
        new Case(CredentialType.ASSUMED_ROLE, "PutRolePolicy#1", false),
        new Case(CredentialType.ASSUMED_ROLE, "DenySession#1", false),
        new Case(CredentialType.ASSUMED_ROLE, "DenyRetiredSession#1", true));
  }

  @ParameterizedTest(name = "halted after {0}")
  @MethodSource("revocationSteps")
  void aDeletionInterruptedAnywhereEndsWithTheCredentialDeniedOnce(Case c) {
    boolean federated = c.type() == CredentialType.FEDERATION_TOKEN;
    AwsCredentialRequest request =
        request(Aws.unique("revoke-crash"), federated ? federationRole : assumedRole);
    String name = (federated ? "fed-" : "assumed-") + c.step() + (c.retired() ? "-retired" : "");
    // lease ID -> its credential: the current one, and the one a change of spec retired
    Map<String, AwsCredentials> leases = new LinkedHashMap<>();
    String userId;
    try (OperatorProcess first = operator("issue-" + name, null)) {
      client.resource(request).create();
      AwsCredentialRequest ready = Fixtures.awaitCondition(client, request, "Ready", "True");
      AwsCredentials credential = credentialOf(ready);
      awaitAllowed(credential);
      if (c.retired()) {
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
                            && !r.getStatus().leaseId.equals(ready.getStatus().leaseId)
                            && r.getStatus().isTrue("Ready"));
        assertThat(rotated.getStatus().retiredSessions)
            .as("the previous lease, retired by the change of spec")
            .singleElement()
            .satisfies(r -> assertThat(r.leaseId).isEqualTo(ready.getStatus().leaseId));
        leases.put(ready.getStatus().leaseId, credential);
        AwsCredentials fresh = credentialOf(rotated);
        awaitAllowed(fresh);
        leases.put(rotated.getStatus().leaseId, fresh);
      } else {
        leases.put(ready.getStatus().leaseId, credential);
      }
      String arn = ready.getStatus().principalArn;
      String session = arn.substring(arn.lastIndexOf('/') + 1);
      if (federated) {
        userId = TestEnvironment.ACCOUNT_A + ":" + session;
      } else {
        try (IamClient iam = Aws.iam(env, env.accountA())) {
          userId = iam.getRole(r -> r.roleName(target)).role().roleId() + ":" + session;
        }
      }
    }
    try (OperatorProcess halting = operator("revoke-" + name, c.step())) {
      client.resource(request).delete();
      assertThat(halting.awaitExit(Duration.ofSeconds(90)))
          .as("halted at %s (log %s)", c.step(), halting.log())
          .isEqualTo(CrashPoints.HALT_STATUS);
    }
    assertThat(get(request)).as("the request waits for its denial").isNotNull();
    try (OperatorProcess restarted = operator("finish-" + name, null)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> get(request) == null);
      for (AwsCredentials credential : leases.values()) {
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> !allowed(credential));
      }
    }
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      String document =
          federated
              ? iam.getUserPolicy(r -> r.userName(operatorUser).policyName(POLICY)).policyDocument()
              : iam.getRolePolicy(r -> r.roleName(target).policyName(POLICY)).policyDocument();
      JsonNode policy =
          new ObjectMapper().readTree(URLDecoder.decode(document, StandardCharsets.UTF_8));
      for (String leaseId : leases.keySet()) {
        // (the Sid ends with the lease: a retired session and its successor share the session
        // name, hence aws:userid)
        String sid = "L" + leaseId.replaceAll("[^0-9A-Za-z]", "");
        long forThisOne = 0;
        for (JsonNode st : policy.get("Statement")) {
          if (st.path("Sid").asText().endsWith(sid)) {
            assertThat(st.at("/Condition/StringEquals/aws:userid").asText()).isEqualTo(userId);
            forThisOne++;
          }
        }
        assertThat(forThisOne)
            .as("one statement for lease %s (%s) in %s", leaseId, userId, policy)
            .isEqualTo(1);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static AwsCredentials credentialOf(AwsCredentialRequest ready) {
    return Aws.credentialsIn(
        client.secrets().inNamespace(NS).withName(ready.getStatus().secretName).get());
  }

  private static void awaitAllowed(AwsCredentials credential) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> allowed(credential));
  }

  private static boolean allowed(AwsCredentials credential) {
    try (Ec2Client ec2 = Aws.ec2(env, credential)) {
      ec2.describeInstances();
      return true;
    } catch (AwsServiceException e) {
      String code = e.awsErrorDetails().errorCode();
      if ("UnauthorizedOperation".equals(code) || "AccessDenied".equals(code)) {
        return false;
      }
      throw e;
    }
  }

  private static OperatorProcess operator(String name, String haltAfter) {
    Map<String, String> props = new HashMap<>();
    for (String controller :
        List.of("awscredentialrequest", "vaultawsrole", "awsauthconfig", "stsrolebinding")) {
      props.put("quarkus.operator-sdk.controllers." + controller + ".selector", LABEL);
    }
    props.put("aao.orphan-sweep.interval", "0s");
    if (haltAfter != null) {
      props.put("aao.faults.halt-after", haltAfter);
    }
    return OperatorProcess.start(env, "revoke-crash-" + name.replace('#', '-'), props);
  }

  private static VaultAwsRole role(String name, CredentialType type) {
    VaultAwsRole r = new VaultAwsRole();
    r.setMetadata(
        new ObjectMetaBuilder().withName(name).withLabels(Map.of(LABEL, "revoke-crash")).build());
    r.setSpec(new VaultAwsRoleSpec());
    r.getSpec().credentialType = type;
    r.getSpec().authConfigRef = CONFIG;
    r.getSpec().bindings = new RoleBindings();
    r.getSpec().bindings.namespaces = List.of(NS);
    return r;
  }

  private static AwsCredentialRequest request(String name, String role) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(NS)
            .withLabels(Map.of(LABEL, "revoke-crash"))
            .build());
    r.setSpec(new AwsCredentialRequestSpec());
    r.getSpec().roleRef = role;
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
}
