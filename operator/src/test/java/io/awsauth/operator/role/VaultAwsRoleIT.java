package io.awsauth.operator.role;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Emulator;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.TestEnvironment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/** Roles AWS would refuse are Ready=False with a reason, before anything is issued. */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class VaultAwsRoleIT {
  static final String NS = "aao-role-it";
  static final String KEYS = Aws.unique("role-it-keys");
  static final String SESSION = Aws.unique("role-it-session");
  static TestEnvironment env;
  static KubernetesClient client;

  @BeforeAll
  static void configs() {
    env = TestEnvironment.get();
    client = env.client();
    Fixtures.namespace(client, NS);
    Fixtures.credentialsSecret(client, NS, KEYS, env.accountA());
    client.resource(Fixtures.authConfig(KEYS, NS, KEYS, env.awsEndpoint())).create();

    // A config whose credentials are session credentials: an assumed role in account A.
    String roleName = Aws.unique("operator-role");
    try (IamClient iamA = Aws.iam(env, env.accountA())) {
      iamA.createRole(
          r ->
              r.roleName(roleName)
                  .assumeRolePolicyDocument(
                      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                          + "\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:root\"},"
                          + "\"Action\":\"sts:AssumeRole\"}]}"));
    }
    // As on AWS, a new role can be assumed only once it has propagated.
    Emulator.settle(env);
    Credentials session =
        Aws.sts(env, env.accountA().accessKeyId(), env.accountA().secretAccessKey())
            .assumeRole(
                r ->
                    r.roleArn("arn:aws:iam::111111111111:role/" + roleName)
                        .roleSessionName("operator"))
            .credentials();
    Fixtures.secret(
        client,
        NS,
        SESSION,
        Map.of(
            "access_key", session.accessKeyId(),
            "secret_key", session.secretAccessKey(),
            "session_token", session.sessionToken()));
    client.resource(Fixtures.authConfig(SESSION, NS, SESSION, env.awsEndpoint())).create();
    for (String name : List.of(KEYS, SESSION)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> client.resources(AwsAuthConfig.class).withName(name).get(),
              c -> c.getStatus() != null && c.getStatus().isTrue("Ready"));
    }
  }

  @Test
  void anIamUserRoleOnAReadyConfigIsReady() {
    VaultAwsRole role = role(Aws.unique("my-role"), CredentialType.IAM_USER, KEYS);
    role.getSpec().policyArns = List.of("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess");
    client.resource(role).create();
    assertThat(awaitReady(role, "True").getReason()).isEqualTo("RoleReady");
  }

  @Test
  void federationTokenWithSessionCredentialsIsRefusedAsTheSeedSays() {
    VaultAwsRole role =
        role(Aws.unique("deploy-federation"), CredentialType.FEDERATION_TOKEN, SESSION);
    client.resource(role).create();
    Condition c = awaitReady(role, "False");
    assertThat(c.getReason()).isEqualTo("SessionCredentialsCannotFederate");
    assertThat(c.getMessage()).contains("Cannot call GetFederationToken with session credentials");
  }

  @Test
  void assumedRoleInAnAccountWithoutTrustIsNotReady() {
    VaultAwsRole role = role(Aws.unique("deploy-assumed"), CredentialType.ASSUMED_ROLE, KEYS);
    role.getSpec().roleArns = List.of("arn:aws:iam::333333333333:role/deploy");
    client.resource(role).create();
    Condition c = awaitReady(role, "False");
    assertThat(c.getReason()).isEqualTo("NoTrustForAccount");
    assertThat(c.getMessage()).contains("333333333333");
  }

  @Test
  void unknownAuthConfigIsNamed() {
    VaultAwsRole role = role(Aws.unique("orphan"), CredentialType.SESSION_TOKEN, "missing-config");
    client.resource(role).create();
    Condition c = awaitReady(role, "False");
    assertThat(c.getReason()).isEqualTo("AuthConfigNotFound");
    assertThat(c.getMessage()).contains("missing-config");
  }

  private static VaultAwsRole role(String name, CredentialType type, String config) {
    VaultAwsRole role = new VaultAwsRole();
    role.setMetadata(new ObjectMetaBuilder().withName(name).build());
    role.setSpec(new VaultAwsRoleSpec());
    role.getSpec().credentialType = type;
    role.getSpec().authConfigRef = config;
    return role;
  }

  private static Condition awaitReady(VaultAwsRole role, String status) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                client
                    .resources(VaultAwsRole.class)
                    .withName(role.getMetadata().getName())
                    .get()
                    .getStatus(),
            s ->
                s != null
                    && s.condition("Ready").map(Condition::getStatus).orElse("").equals(status))
        .condition("Ready")
        .orElseThrow();
  }
}
