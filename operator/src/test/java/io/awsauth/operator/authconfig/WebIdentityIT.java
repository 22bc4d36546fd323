package io.awsauth.operator.authconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Emulator;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.WebIdentity;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Issue 20, deliverable 4: the operator (in process) on its own web identity, with no key in the
 * cluster: an AwsAuthConfig with credentials.source WebIdentity whose token file holds a
 * ServiceAccount token the real API server issued (TokenRequest), exchanged at the emulator, which
 * verifies it against the API server's own OIDC discovery and JWKS (rule 25 of e2e/env/README.md).
 * A token for the wrong audience is refused and nothing is issued; the file rewritten with a good
 * token (as the kubelet rewrites a projected token) is picked up with no change to the config; a
 * credential issued through the web identity works: one call its role allows, one it does not; a
 * session AWS ends early is exchanged again with what the file holds then.
 */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class WebIdentityIT {
  static final String NS = "aao-webidentity-it";
  static final String SA = "operator";
  static final String CONFIG = "it-web-identity";
  static TestEnvironment env;
  static KubernetesClient client;
  static String roleName;
  static String roleArn;
  static Path tokenFile;

  @BeforeAll
  static void arrange() throws IOException {
    env = TestEnvironment.get();
    client = env.client();
    Fixtures.namespace(client, NS);
    Fixtures.serviceAccount(client, NS, SA);
    Fixtures.serviceAccount(client, NS, "app");
    roleName = Aws.unique("web-identity-operator");
    roleArn = WebIdentity.role(env, env.accountA(), roleName, NS, SA, WebIdentity.operatorPolicy());
    Emulator.settle(env);
    tokenFile = Files.createTempDirectory("aao-web-identity").resolve("token");
  }

  @AfterAll
  static void cleanUp() {
    client.resources(AwsCredentialRequest.class).inNamespace(NS).delete();
    client.resources(VaultAwsRole.class).withLabel("test", "webidentity-it").delete();
    client.resources(AwsAuthConfig.class).withName(CONFIG).delete();
  }

  @Test
  void theOperatorRunsOnItsServiceAccountTokenAndPicksUpARewrittenFile() throws Exception {
    String wrongAudience = WebIdentity.token(env, NS, SA, "not-the-provider");
    WebIdentity.write(tokenFile, wrongAudience);
    client.resource(config()).create();

    Condition refused = awaitReady("False").getStatus().condition("Ready").orElseThrow();
    assertThat(refused.getReason()).isEqualTo("WebIdentityTokenRefused");
    assertThat(refused.getMessage())
        .contains("sts:AssumeRoleWithWebIdentity of " + roleArn)
        .contains("InvalidIdentityToken")
        .doesNotContain(wrongAudience)
        .doesNotContain(wrongAudience.split("\\.")[1]);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(eventsAbout(CONFIG))
                    .anySatisfy(
                        e -> {
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getReason()).isEqualTo("WebIdentityTokenRefused");
                          assertThat(e.getNote()).doesNotContain(wrongAudience.split("\\.")[1]);
                        }));

    VaultAwsRole role =
        Fixtures.role(Aws.unique("ec2-reader"), CredentialType.IAM_USER, CONFIG, NS);
    role.getMetadata().setLabels(Map.of("test", "webidentity-it"));
    role.getSpec().policyDocument =
        (ObjectNode)
            new ObjectMapper()
                .readTree(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                        + "\"Action\":\"ec2:DescribeRegions\",\"Resource\":\"*\"}]}");
    client.resource(role).create();
    AwsCredentialRequest request = Fixtures.request(Aws.unique("creds"), NS, role, "app");
    client.resource(request).create();
    AwsCredentialRequest waiting = Fixtures.awaitCondition(client, request, "Ready", "False");
    assertThat(waiting.getStatus().accessKeyId).as("nothing issued").isNull();
    assertThat(secretOf(request)).isNull();

    // The kubelet rewrites a projected token in place; nothing about the config changes.
    long generation =
        client.resources(AwsAuthConfig.class).withName(CONFIG).get().getMetadata().getGeneration();
    String good = WebIdentity.token(env, NS, SA, WebIdentity.AUDIENCE);
    WebIdentity.write(tokenFile, good);
    AwsAuthConfig ready = awaitReady("True");
    assertThat(ready.getMetadata().getGeneration()).isEqualTo(generation);
    assertThat(ready.getStatus().callerArn)
        .isEqualTo(
            "arn:aws:sts::"
                + TestEnvironment.ACCOUNT_A
                + ":assumed-role/"
                + roleName
                + "/aws-auth-operator-"
                + CONFIG);
    assertThat(ready.getStatus().sessionCredentials).isTrue();
    assertThat(ready.getStatus().condition("Ready").orElseThrow().getReason())
        .isEqualTo("CallerVerified");

    AwsCredentialRequest issued = Fixtures.awaitCondition(client, request, "Ready", "True");
    assertThat(issued.getStatus().credentialType).isEqualTo("iam_user");
    Secret secret = secretOf(request);
    assertThat(secret).isNotNull();
    Emulator.settle(env); // the new user's policy propagates, as on AWS
    var credentials = Aws.credentialsIn(secret);
    try (Ec2Client ec2 = Aws.ec2(env, credentials);
        IamClient iam = Aws.iam(env, credentials)) {
      assertThat(ec2.describeRegions().regions()).isNotEmpty();
      AwsServiceException denied =
          catchThrowableOfType(AwsServiceException.class, () -> iam.listUsers());
      assertThat(denied.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
    }

    // AWS ends the session before its expiry: the next verification exchanges what the file
    // holds then (a token for the wrong audience: refused; a good one again: Ready).
    WebIdentity.write(tokenFile, WebIdentity.token(env, NS, SA, "not-the-provider-either"));
    assertThat(Emulator.expireSessionsOf(env, ready.getStatus().callerArn)).isPositive();
    client
        .resources(AwsAuthConfig.class)
        .withName(CONFIG)
        .edit(
            c -> {
              c.getMetadata()
                  .getAnnotations()
                  .put("test/verify", String.valueOf(System.nanoTime()));
              return c;
            });
    Condition reExchanged = awaitReason("WebIdentityTokenRefused");
    assertThat(reExchanged.getMessage()).contains("InvalidIdentityToken");
    assertThat(eventsAbout(CONFIG))
        .as("the ended session was refused first")
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("ExpiredCredentials"));
    WebIdentity.write(tokenFile, WebIdentity.token(env, NS, SA, WebIdentity.AUDIENCE));
    assertThat(awaitReason("CallerVerified").getStatus()).isEqualTo("True");

    String everything =
        client.resources(AwsAuthConfig.class).withName(CONFIG).get().toString()
            + eventsAbout(CONFIG)
            + client.resources(AwsCredentialRequest.class).inNamespace(NS).list().getItems();
    assertThat(everything)
        .as("the token is in no status or Event")
        .doesNotContain(good.split("\\.")[1])
        .doesNotContain(wrongAudience.split("\\.")[1]);
  }

  private static AwsAuthConfig config() {
    AwsAuthConfig config = new AwsAuthConfig();
    config.setMetadata(new ObjectMetaBuilder().withName(CONFIG).build());
    AwsAuthConfigSpec spec = new AwsAuthConfigSpec();
    spec.region = "us-east-1";
    spec.endpoints = new AwsAuthConfigSpec.Endpoints();
    spec.endpoints.sts = env.awsEndpoint();
    spec.endpoints.iam = env.awsEndpoint();
    spec.endpoints.ec2 = env.awsEndpoint();
    spec.maxRetries = 0;
    spec.credentials = new AwsAuthConfigSpec.Credentials();
    spec.credentials.source = AwsAuthConfigSpec.Credentials.Source.WEB_IDENTITY;
    spec.credentials.roleArn = roleArn;
    spec.credentials.tokenFile = tokenFile.toString();
    config.setSpec(spec);
    return config;
  }

  private static Secret secretOf(AwsCredentialRequest request) {
    return client.secrets().inNamespace(NS).withName(request.getMetadata().getName()).get();
  }

  private static AwsAuthConfig awaitReady(String readyStatus) {
    return Fixtures.awaitConfigReady(client, CONFIG, readyStatus, Duration.ofSeconds(90));
  }

  private static Condition awaitReason(String reason) {
    return await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                client
                    .resources(AwsAuthConfig.class)
                    .withName(CONFIG)
                    .get()
                    .getStatus()
                    .condition("Ready")
                    .orElseThrow(),
            c -> reason.equals(c.getReason()));
  }

  private static List<Event> eventsAbout(String name) {
    return client.events().v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> e.getRegarding() != null && name.equals(e.getRegarding().getName()))
        .toList();
  }
}
