package io.awsauth.operator.authconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigStatus;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.sts.model.StsException;

/** Rotation of the operator's own key on the emulator, including failures and interruptions. */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class RootKeyRotationIT {
  static final String NS = "aao-rotation-it";
  static TestEnvironment env;
  static KubernetesClient client;

  @BeforeAll
  static void namespace() {
    env = TestEnvironment.get();
    client = env.client();
    Fixtures.namespace(client, NS);
  }

  record Fixture(String name, String user, AwsAccount key) {}

  /** A least-privileged operator user with its key in a Secret, and a Ready config using it. */
  private Fixture fixture(String prefix) {
    String user = Aws.unique(prefix);
    AwsAccount key = Aws.operatorUser(env, user);
    Fixtures.credentialsSecret(client, NS, user, key);
    client.resource(Fixtures.authConfig(user, NS, user, env.awsEndpoint())).create();
    awaitConfig(
        user,
        c ->
            c.getStatus() != null
                && c.getStatus().isTrue("Ready")
                && c.getStatus().rootRotation != null
                && key.accessKeyId().equals(c.getStatus().rootRotation.accessKeyId));
    return new Fixture(user, user, key);
  }

  @Test
  void rotationOnRequestReplacesTheKeyEverywhere() {
    Fixture f = fixture("rotate");
    requestRotation(f.name(), "first");

    AwsAuthConfig rotated =
        awaitConfig(f.name(), c -> "first".equals(c.getStatus().rootRotation.lastRequest));
    AwsAuthConfigStatus.RootRotationStatus r = rotated.getStatus().rootRotation;
    assertThat(r.lastError).isNull();
    assertThat(r.inProgress).isNull();
    assertThat(r.accessKeyId).isNotEqualTo(f.key().accessKeyId());
    assertThat(secretKeyId(f.name())).isEqualTo(r.accessKeyId);
    assertThat(keysOf(f.user()))
        .extracting(AccessKeyMetadata::accessKeyId)
        .containsExactly(r.accessKeyId);
    assertThatThrownBy(
            () ->
                Aws.sts(env, f.key().accessKeyId(), f.key().secretAccessKey()).getCallerIdentity())
        .as("the old key is deleted")
        .isInstanceOf(StsException.class);
    assertThat(rotated.getStatus().isTrue("Ready")).isTrue();
  }

  @Test
  void failureBetweenKeyCreationAndSecretWriteLeavesTheOldKeyWorking() {
    Fixture f = fixture("rotate-fail");
    // The Secret becomes immutable: the operator creates a key and then cannot store it.
    client
        .secrets()
        .inNamespace(NS)
        .withName(f.name())
        .edit(
            s -> {
              s.setImmutable(true);
              return s;
            });
    requestRotation(f.name(), "blocked");

    AwsAuthConfig failed =
        awaitConfig(f.name(), c -> "blocked".equals(c.getStatus().rootRotation.lastRequest));
    assertThat(failed.getStatus().rootRotation.lastError).contains("could not store the new key");
    assertThat(failed.getStatus().rootRotation.inProgress).isNull();
    assertThat(secretKeyId(f.name())).isEqualTo(f.key().accessKeyId());
    assertThat(keysOf(f.user()))
        .as("the new key was deleted again: at most IAM's two keys, and only the working one left")
        .extracting(AccessKeyMetadata::accessKeyId)
        .containsExactly(f.key().accessKeyId());
    assertThat(
            Aws.sts(env, f.key().accessKeyId(), f.key().secretAccessKey())
                .getCallerIdentity()
                .arn())
        .endsWith(":user/" + f.user());
  }

  @Test
  void rotationInterruptedAfterKeyCreationIsUndoneOnTheNextReconcile() {
    Fixture f = fixture("rotate-crash");
    // As if the operator died right after CreateAccessKey: intent in status, an extra key in IAM.
    String orphan;
    try (IamClient iamA = Aws.iam(env, env.accountA())) {
      orphan = iamA.createAccessKey(r -> r.userName(f.user())).accessKey().accessKeyId();
    }
    AwsAuthConfig config = client.resources(AwsAuthConfig.class).withName(f.name()).get();
    config.getStatus().rootRotation.inProgress = new AwsAuthConfigStatus.InProgress();
    config.getStatus().rootRotation.inProgress.startedAt = Instant.now().toString();
    config.getStatus().rootRotation.inProgress.previousAccessKeyId = f.key().accessKeyId();
    RootKeyRotation.applyStatus(client, config);

    awaitConfig(f.name(), c -> c.getStatus().rootRotation.inProgress == null);
    assertThat(keysOf(f.user()))
        .extracting(AccessKeyMetadata::accessKeyId)
        .containsExactly(f.key().accessKeyId())
        .doesNotContain(orphan);
  }

  private static void requestRotation(String name, String value) {
    client
        .resources(AwsAuthConfig.class)
        .withName(name)
        .edit(
            c -> {
              c.getMetadata().getAnnotations().put(RootKeyRotation.REQUEST_ANNOTATION, value);
              return c;
            });
  }

  private static String secretKeyId(String name) {
    Secret s = client.secrets().inNamespace(NS).withName(name).get();
    return new String(
        Base64.getDecoder().decode(s.getData().get("access_key")), StandardCharsets.UTF_8);
  }

  private static List<AccessKeyMetadata> keysOf(String user) {
    try (IamClient iamA = Aws.iam(env, env.accountA())) {
      return iamA.listAccessKeys(r -> r.userName(user)).accessKeyMetadata();
    }
  }

  private static AwsAuthConfig awaitConfig(String name, Predicate<AwsAuthConfig> condition) {
    return await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> client.resources(AwsAuthConfig.class).withName(name).get(),
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus().rootRotation != null
                    && condition.test(c));
  }
}
