package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Emulator;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Issuance against an AWS that throttles (issue 16): the operator paces IAM at 2 calls/s in the
 * tests, below the emulator's default buckets, so those are seldom reached. Here account A's
 * iam:CreateAccessKey bucket holds one call and refills one every 5 s, so that requests created
 * together are refused "Rate exceeded" past the SDK's own retries. Every request still ends Ready,
 * with exactly one key on its user (a throttled call created nothing, and the retry made one), and
 * the key does what the role allows and nothing more.
 */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class ThrottlingIT {
  static final String NS = "aao-throttling-it";
  static final String CONFIG = "throttling-it";
  static final String SA = "app";
  static final int REQUESTS = 4;
  static final String EC2_ALL =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\","
          + "\"Resource\":\"*\"}]}";
  static final ObjectMapper JSON = new ObjectMapper();

  static TestEnvironment env;
  static KubernetesClient client;
  static VaultAwsRole role;
  static final List<AwsCredentialRequest> requests = new ArrayList<>();

  @BeforeAll
  static void aReadyRoleInAnAccountWhoseCreateAccessKeyIsThrottled() throws Exception {
    env = TestEnvironment.get();
    client = env.client();
    Fixtures.namespace(client, NS);
    Fixtures.serviceAccount(client, NS, SA);
    AwsAccount operator = Aws.operatorUser(env, Aws.unique("throttled-root"));
    Emulator.settle(env);
    Fixtures.credentialsSecret(client, NS, "operator", operator);
    Fixtures.readyAuthConfig(client, CONFIG, NS, "operator", env.awsEndpoint());
    role = new VaultAwsRole();
    role.setMetadata(new ObjectMetaBuilder().withName(Aws.unique("throttled")).build());
    role.setSpec(new VaultAwsRoleSpec());
    role.getSpec().credentialType = CredentialType.IAM_USER;
    role.getSpec().authConfigRef = CONFIG;
    role.getSpec().bindings = new RoleBindings();
    role.getSpec().bindings.namespaces = List.of(NS);
    role.getSpec().policyDocument = (ObjectNode) JSON.readTree(EC2_ALL);
    client.resource(role).create();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(90))
        .until(
            () -> client.resources(VaultAwsRole.class).withName(role.getMetadata().getName()).get(),
            r -> r.getStatus() != null && r.getStatus().isTrue("Ready"));
    Emulator.configure(
        env,
        "{\"accounts\":{\""
            + env.accountA().id()
            + "\":{\"throttle\":{\"iam:CreateAccessKey\":{\"rate\":0.2,\"burst\":1}}}}}");
  }

  @AfterAll
  static void throttlingBackToTheDefaultAndRequestsGone() {
    Emulator.configure(env, "{\"accounts\":{\"" + env.accountA().id() + "\":null}}");
    for (AwsCredentialRequest r : requests) {
      client.resource(r).withTimeout(60, TimeUnit.SECONDS).delete();
    }
    client.resource(role).delete();
  }

  @Test
  void requestsCreatedTogetherAreAllIssuedThroughThrottlingWithOneKeyEach() {
    long refusedBefore = refusedCreateAccessKeys();
    for (int i = 0; i < REQUESTS; i++) {
      AwsCredentialRequest r = new AwsCredentialRequest();
      r.setMetadata(
          new ObjectMetaBuilder().withName(Aws.unique("throttled")).withNamespace(NS).build());
      r.setSpec(new AwsCredentialRequestSpec());
      r.getSpec().roleRef = role.getMetadata().getName();
      r.getSpec().identity = new AwsCredentialRequestSpec.Identity();
      r.getSpec().identity.serviceAccountName = SA;
      client.resource(r).create();
      requests.add(r);
    }
    List<AwsCredentialRequest> ready = new ArrayList<>();
    for (AwsCredentialRequest r : requests) {
      ready.add(Fixtures.awaitCondition(client, r, "Ready", "True"));
    }
    assertThat(refusedCreateAccessKeys() - refusedBefore)
        .as("CreateAccessKey calls the emulator refused with Throttling while issuing")
        .isPositive();

    try (IamClient admin = Aws.iam(env, env.accountA())) {
      for (AwsCredentialRequest r : ready) {
        String user = r.getStatus().iamUserName;
        assertThat(admin.listAccessKeys(k -> k.userName(user)).accessKeyMetadata())
            .as("keys of %s", user)
            .extracting(k -> k.accessKeyId())
            .containsExactly(r.getStatus().accessKeyId);
      }
    }
    Emulator.settle(env);
    for (AwsCredentialRequest r : ready) {
      Secret secret = client.secrets().inNamespace(NS).withName(r.getStatus().secretName).get();
      assertEc2AllowedIamDenied(Aws.credentialsIn(secret));
    }
  }

  /** Calls to iam:CreateAccessKey in account A the emulator has refused since it started. */
  private static long refusedCreateAccessKeys() {
    try {
      JsonNode all = JSON.readTree(Emulator.throttled(env));
      return all.path(env.accountA().id()).path("iam:CreateAccessKey").asLong(0);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void assertEc2AllowedIamDenied(AwsCredentials credentials) {
    try (Ec2Client ec2 = Aws.ec2(env, credentials);
        IamClient iam = Aws.iam(env, credentials)) {
      assertThat(outcome(() -> ec2.describeRegions())).isEqualTo("allowed");
      assertThat(outcome(() -> iam.listRoles(r -> r.maxItems(1)))).isEqualTo("denied");
    }
  }

  private static String outcome(Runnable call) {
    try {
      call.run();
      return "allowed";
    } catch (AwsServiceException e) {
      String code = e.awsErrorDetails().errorCode();
      if ("AccessDenied".equals(code) || "UnauthorizedOperation".equals(code)) {
        return "denied";
      }
      throw e;
    }
  }
}
