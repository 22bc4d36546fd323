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
 * halts at one step of denying a deleted federation_token request's credential (after recording the
 * intent, after the policy write, after recording it done); a fresh process finishes it. After each
 * crash the credential is refused, the request is gone, and the deny policy holds exactly one
 * statement for it.
 */
@ExtendWith(TestEnvironmentExtension.class)
class RevocationCrashIT {
  static final String LABEL = "awsauth.io/operator-under-test";
  static final String NS = "aao-revoke-crash-it";
  static final String CONFIG = "revoke-crash-it";
  static final String EC2_DESCRIBE =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          + "\"Action\":\"ec2:DescribeInstances\",\"Resource\":\"*\"}]}";
  static TestEnvironment env;
  static KubernetesClient client;
  static String role;
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
    role = Aws.unique("revoke-crash-fed");
    VaultAwsRole r = new VaultAwsRole();
    r.setMetadata(
        new ObjectMetaBuilder().withName(role).withLabels(Map.of(LABEL, "revoke-crash")).build());
    r.setSpec(new VaultAwsRoleSpec());
    r.getSpec().credentialType = CredentialType.FEDERATION_TOKEN;
    r.getSpec().authConfigRef = CONFIG;
    r.getSpec().policyDocument = (ObjectNode) new ObjectMapper().readTree(EC2_DESCRIBE);
    r.getSpec().bindings = new RoleBindings();
    r.getSpec().bindings.namespaces = List.of(NS);
    client.resource(r).create();
  }

  /** After the write-ahead, the policy write, and the in-memory record of it. */
  static Stream<String> revocationSteps() {
    return Stream.of("RecordRevocation#1", "PutUserPolicy#1", "DenySession#1");
  }

  @ParameterizedTest(name = "halted after {0}")
  @MethodSource("revocationSteps")
  void aDeletionInterruptedAnywhereEndsWithTheCredentialDeniedOnce(String step) {
    AwsCredentialRequest request = request(Aws.unique("revoke-crash"));
    AwsCredentials credential;
    String userId;
    try (OperatorProcess first = operator("issue-" + step, null)) {
      client.resource(request).create();
      AwsCredentialRequest ready = Fixtures.awaitCondition(client, request, "Ready", "True");
      credential =
          Aws.credentialsIn(
              client.secrets().inNamespace(NS).withName(ready.getStatus().secretName).get());
      String arn = ready.getStatus().principalArn;
      userId = TestEnvironment.ACCOUNT_A + ":" + arn.substring(arn.lastIndexOf('/') + 1);
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(300))
          .until(() -> allowed(credential));
    }
    try (OperatorProcess halting = operator("revoke-" + step, step)) {
      client.resource(request).delete();
      assertThat(halting.awaitExit(Duration.ofSeconds(90)))
          .as("halted at %s (log %s)", step, halting.log())
          .isEqualTo(CrashPoints.HALT_STATUS);
    }
    assertThat(get(request)).as("the request waits for its denial").isNotNull();
    try (OperatorProcess restarted = operator("finish-" + step, null)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> get(request) == null);
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> !allowed(credential));
    }
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      JsonNode policy =
          new ObjectMapper()
              .readTree(
                  URLDecoder.decode(
                      iam.getUserPolicy(
                              r ->
                                  r.userName(operatorUser)
                                      .policyName("aws-auth-operator-revocations"))
                          .policyDocument(),
                      StandardCharsets.UTF_8));
      long forThisOne = 0;
      for (JsonNode st : policy.get("Statement")) {
        if (userId.equals(st.at("/Condition/StringEquals/aws:userid").asText())) {
          forThisOne++;
        }
      }
      assertThat(forThisOne).as("one statement for %s in %s", userId, policy).isEqualTo(1);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
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
    for (String controller : List.of("awscredentialrequest", "vaultawsrole", "awsauthconfig")) {
      props.put("quarkus.operator-sdk.controllers." + controller + ".selector", LABEL);
    }
    props.put("aao.orphan-sweep.interval", "0s");
    if (haltAfter != null) {
      props.put("aao.faults.halt-after", haltAfter);
    }
    return OperatorProcess.start(env, "revoke-crash-" + name.replace('#', '-'), props);
  }

  private static AwsCredentialRequest request(String name) {
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
