package io.awsauth.operator.authconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Emulator;
import io.awsauth.operator.testenv.FaultProxy;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.TestEnvironment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator, started against the real API server, verifies its AWS identity on the emulator. */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class AwsAuthConfigIT {
  static final String NS = "aao-authconfig-it";
  static TestEnvironment env;
  static KubernetesClient client;

  @BeforeAll
  static void namespace() {
    env = TestEnvironment.get();
    client = env.client();
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .serverSideApply();
  }

  @AfterEach
  void cleanUp() {
    client.resources(AwsAuthConfig.class).withLabel("test", "authconfig-it").delete();
  }

  @Test
  void secretCredentialsOnTheEmulatorMakeTheConfigReady() {
    var account = env.accountA();
    secret(
        "root-a",
        Map.of("access_key", account.accessKeyId(), "secret_key", account.secretAccessKey()));
    client.resource(config("it-ready", "root-a", env.awsEndpoint())).create();

    AwsAuthConfig ready = awaitReady("it-ready", "True");
    assertThat(ready.getStatus().accountId).isEqualTo(TestEnvironment.ACCOUNT_A);
    assertThat(ready.getStatus().callerArn)
        .startsWith("arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":user/");
    assertThat(ready.getStatus().sessionCredentials).isFalse();
    assertThat(ready.getStatus().observedGeneration).isEqualTo(ready.getMetadata().getGeneration());
    assertThat(ready.getStatus().condition("Ready").orElseThrow().getReason())
        .isEqualTo("CallerVerified");
  }

  @Test
  void aChangedSecretIsPickedUpWithoutTouchingTheConfig() {
    var account = env.accountA();
    secret(
        "root-changes",
        Map.of("access_key", account.accessKeyId(), "secret_key", account.secretAccessKey()));
    client.resource(config("it-secret-changes", "root-changes", env.awsEndpoint())).create();
    awaitReady("it-secret-changes", "True");
    assertThat(
            client
                .secrets()
                .inNamespace(NS)
                .withName("root-changes")
                .get()
                .getMetadata()
                .getLabels())
        .as("the operator watches only the Secrets it labelled")
        .containsEntry("awsauth.io/watched", "true");

    secret(
        "root-changes", Map.of("access_key", account.accessKeyId(), "secret_key", "x".repeat(40)));
    assertThat(
            awaitReady("it-secret-changes", "False")
                .getStatus()
                .condition("Ready")
                .orElseThrow()
                .getReason())
        .isEqualTo("InvalidCredentials");

    secret(
        "root-changes",
        Map.of("access_key", account.accessKeyId(), "secret_key", account.secretAccessKey()));
    awaitReady("it-secret-changes", "True");
  }

  @Test
  void wrongSecretKeyIsNotReadyWithoutLeakingIt() {
    var account = env.accountA();
    String wrongSecret = "Wr0ngSecretKeyWr0ngSecretKeyWr0ngSecret1";
    secret("root-wrong", Map.of("access_key", account.accessKeyId(), "secret_key", wrongSecret));
    client.resource(config("it-wrong-key", "root-wrong", env.awsEndpoint())).create();

    AwsAuthConfig notReady = awaitReady("it-wrong-key", "False");
    Condition c = notReady.getStatus().condition("Ready").orElseThrow();
    assertThat(c.getReason()).isEqualTo("InvalidCredentials");
    assertThat(c.getMessage()).contains("sts:GetCallerIdentity").doesNotContain(wrongSecret);
    assertThat(notReady.getStatus().callerArn).isNull();
    assertThat(eventsAbout("it-wrong-key"))
        .anySatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo("InvalidCredentials");
              assertThat(e.getNote()).doesNotContain(wrongSecret);
            });
  }

  @Test
  void unreachableEndpointIsNotReadyWithAHelpfulReason() {
    var account = env.accountA();
    secret(
        "root-unreach",
        Map.of("access_key", account.accessKeyId(), "secret_key", account.secretAccessKey()));
    client.resource(config("it-unreachable", "root-unreach", "http://127.0.0.1:9")).create();

    Condition c =
        awaitReady("it-unreachable", "False").getStatus().condition("Ready").orElseThrow();
    assertThat(c.getReason()).isEqualTo("EndpointUnreachable");
    assertThat(c.getMessage())
        .contains("could not be reached")
        .doesNotContain(account.secretAccessKey());
  }

  /**
   * endpoints.stsRegion: the config's STS calls are signed for that region (and would go to its
   * regional endpoint without an endpoint URL: SdkEndpointsTest), whatever spec.region is; one of
   * another partition is refused before any call.
   */
  @Test
  void endpointsStsRegionSignsTheConfigsStsCallsForThatRegion() {
    var account = env.accountA();
    secret(
        "root-sts-region",
        Map.of("access_key", account.accessKeyId(), "secret_key", account.secretAccessKey()));
    try (FaultProxy proxy = FaultProxy.start(env.awsEndpoint())) {
      AwsAuthConfig c = config("it-sts-region", "root-sts-region", proxy.url());
      c.getSpec().endpoints.stsRegion = "us-west-2";
      client.resource(c).create();
      awaitReady("it-sts-region", "True");
      assertThat(proxy.countSignedFor("forwarded", "GetCallerIdentity", "us-west-2")).isPositive();
      assertThat(proxy.countSignedFor("forwarded", "GetCallerIdentity", "us-east-1")).isZero();

      AwsAuthConfig other = config("it-sts-region-cn", "root-sts-region", proxy.url());
      other.getSpec().endpoints.stsRegion = "cn-north-1";
      proxy.reset();
      client.resource(other).create();
      Condition refused =
          awaitReady("it-sts-region-cn", "False").getStatus().condition("Ready").orElseThrow();
      assertThat(refused.getReason()).isEqualTo("PartitionMismatch");
      assertThat(refused.getMessage())
          .isEqualTo(
              "endpoints.stsRegion cn-north-1 is in partition aws-cn, spec.region us-east-1 in"
                  + " aws: STS and IAM must answer for the same identity");
      assertThat(proxy.countSignedFor("forwarded", "GetCallerIdentity", "cn-north-1"))
          .as("no AWS call for a refused config")
          .isZero();
    }
  }

  @Test
  void missingSecretAndMissingKeyAreNamed() {
    client.resource(config("it-no-secret", "does-not-exist", env.awsEndpoint())).create();
    Condition missing =
        awaitReady("it-no-secret", "False").getStatus().condition("Ready").orElseThrow();
    assertThat(missing.getReason()).isEqualTo("SecretNotFound");
    assertThat(missing.getMessage()).contains(NS + "/does-not-exist");

    secret("root-no-key", Map.of("access_key", env.accountA().accessKeyId()));
    client.resource(config("it-no-key", "root-no-key", env.awsEndpoint())).create();
    Condition noKey = awaitReady("it-no-key", "False").getStatus().condition("Ready").orElseThrow();
    assertThat(noKey.getReason()).isEqualTo("SecretKeyMissing");
    assertThat(noKey.getMessage()).contains("secret_key");
  }

  /**
   * A key used before it has propagated is refused (InvalidClientTokenId), as on AWS; nothing
   * changes afterwards, yet the config is verified again soon and becomes Ready. Account B, whose
   * new keys take 8 s to propagate here (restored afterwards).
   */
  @Test
  void aKeyRefusedWhileItPropagatesIsVerifiedAgainAndBecomesReady() {
    var b = env.accountB();
    Duration propagation = Duration.ofSeconds(8);
    Emulator.configure(
        env,
        "{\"accounts\": {\""
            + b.id()
            + "\": {\"propagation\": {\"accessKey\": "
            + propagation.toSeconds()
            + "}}}}");
    try {
      String user = Aws.unique("propagating-root");
      var key = Aws.userWithPolicy(env, b, user, "config/iam/operator-policy.json");
      Instant created = Instant.now();
      secret(
          "root-propagating",
          Map.of("access_key", key.accessKeyId(), "secret_key", key.secretAccessKey()));
      client.resource(config("it-propagating", "root-propagating", env.awsEndpoint())).create();

      Condition refused =
          awaitReady("it-propagating", "False").getStatus().condition("Ready").orElseThrow();
      assertThat(refused.getReason()).isEqualTo("InvalidCredentials");
      AwsAuthConfig ready =
          await()
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(250))
              .until(
                  () -> client.resources(AwsAuthConfig.class).withName("it-propagating").get(),
                  c -> c.getStatus() != null && c.getStatus().isTrue("Ready"));
      assertThat(ready.getStatus().callerArn).endsWith(":user/" + user);
      assertThat(Instant.now()).isAfterOrEqualTo(created.plus(propagation).minusSeconds(1));
    } finally {
      Emulator.configure(env, "{\"accounts\": {\"" + b.id() + "\": null}}");
    }
  }

  private AwsAuthConfig awaitReady(String name, String readyStatus) {
    return Fixtures.awaitConfigReady(client, name, readyStatus, Duration.ofSeconds(90));
  }

  private List<Event> eventsAbout(String name) {
    return client.events().v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> e.getRegarding() != null && name.equals(e.getRegarding().getName()))
        .toList();
  }

  private static void secret(String name, Map<String, String> data) {
    Fixtures.secret(client, NS, name, data);
  }

  private static AwsAuthConfig config(String name, String secretName, String endpoint) {
    AwsAuthConfig c = Fixtures.authConfig(name, NS, secretName, endpoint);
    c.getMetadata().setLabels(Map.of("test", "authconfig-it"));
    c.getSpec().maxRetries = 0;
    return c;
  }
}
