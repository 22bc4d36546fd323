package io.awsauth.operator.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.awsauth.operator.api.v1alpha1.SecretReference;
import io.awsauth.operator.api.v1alpha1.StsRoleBinding;
import io.awsauth.operator.api.v1alpha1.StsRoleBindingSpec;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Emulator;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;

/**
 * The seeds' cross-account set-up (000, 001) done by the operator: the operator's identity is a
 * least-privileged user in account A with exactly config/iam/operator-policy.json; the
 * Role-to-Assume lives in account B; the emulator enforces trust policies and external IDs.
 */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class StsRoleBindingIT {
  static final String NS = "aao-trust-it";
  static final String CONFIG = "trust-it";
  static TestEnvironment env;
  static KubernetesClient client;
  static AwsAccount operator;
  static String operatorArn;

  @BeforeAll
  static void operatorIdentity() {
    env = TestEnvironment.get();
    client = env.client();
    Fixtures.namespace(client, NS);
    String user = Aws.unique("vault-primary");
    operator = Aws.operatorUser(env, user);
    operatorArn = "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":user/" + user;
    secret("operator", operator);
    secret("admin-b", env.accountB());

    Fixtures.readyAuthConfig(client, CONFIG, NS, "operator", env.awsEndpoint());
  }

  @Test
  void trustCreatedFromNothing() {
    String role = Aws.unique("Role-to-Assume");
    StsRoleBinding binding = binding(Aws.unique("created"), role, "ext-created", true);
    client.resource(binding).create();

    StsRoleBinding ready = awaitTrust(binding.getMetadata().getName(), "True");
    assertThat(ready.getStatus().assumedRoleArn)
        .startsWith("arn:aws:sts::" + TestEnvironment.ACCOUNT_B + ":assumed-role/" + role + "/");
    assertThat(ready.getStatus().requiredTrustPolicy).isNull();
    try (IamClient iamB = Aws.iam(env, env.accountB())) {
      String trust = trustPolicy(iamB, role);
      assertThat(trust).contains(operatorArn).contains("ext-created");
      assertThat(iamB.listRolePolicies(r -> r.roleName(role)).policyNames()).hasSize(1);

      client.resource(ready).withTimeout(60, TimeUnit.SECONDS).delete();
      await().atMost(Duration.ofSeconds(60)).until(() -> !roleExists(iamB, role));
    }
  }

  @Test
  void managedTrustIsMergedKeepingForeignStatementsAndRemovedOnDeletion() {
    String role = Aws.unique("Role-to-Assume");
    try (IamClient iamB = Aws.iam(env, env.accountB())) {
      iamB.createRole(r -> r.roleName(role).assumeRolePolicyDocument(EC2_TRUST));
      StsRoleBinding binding = binding(Aws.unique("merged"), role, "ext-merged", true);
      client.resource(binding).create();
      StsRoleBinding ready = awaitTrust(binding.getMetadata().getName(), "True");

      String trust = trustPolicy(iamB, role);
      assertThat(trust).contains("ec2.amazonaws.com").contains(operatorArn);

      client.resource(ready).withTimeout(60, TimeUnit.SECONDS).delete();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> !trustPolicy(iamB, role).contains(operatorArn));
      assertThat(trustPolicy(iamB, role)).contains("ec2.amazonaws.com");
      assertThat(roleExists(iamB, role)).as("a role it did not create is kept").isTrue();
    }
  }

  @Test
  void trustAlreadyPresentIsVerified() {
    String role = Aws.unique("Role-to-Assume");
    try (IamClient iamB = Aws.iam(env, env.accountB())) {
      iamB.createRole(
          r -> r.roleName(role).assumeRolePolicyDocument(trustFor(operatorArn, "ext-ok")));
    }
    StsRoleBinding binding = binding(Aws.unique("present"), role, "ext-ok", false);
    client.resource(binding).create();
    StsRoleBinding ready = awaitTrust(binding.getMetadata().getName(), "True");
    assertThat(ready.getStatus().condition("Ready").orElseThrow().getStatus()).isEqualTo("True");
  }

  @Test
  void missingUnmanagedTrustPublishesTheDocumentsThatFixIt() {
    String role = Aws.unique("Role-to-Assume");
    try (IamClient iamB = Aws.iam(env, env.accountB())) {
      iamB.createRole(r -> r.roleName(role).assumeRolePolicyDocument(EC2_TRUST));
      StsRoleBinding binding = binding(Aws.unique("missing"), role, "ext-missing", false);
      client.resource(binding).create();

      StsRoleBinding denied = awaitTrust(binding.getMetadata().getName(), "False");
      Condition c = denied.getStatus().condition("TrustReady").orElseThrow();
      assertThat(c.getReason()).isEqualTo("AssumeRoleDenied");
      assertThat(c.getMessage()).contains("sts:AssumeRole");
      String required = denied.getStatus().requiredTrustPolicy;
      assertThat(required).contains(operatorArn).contains("ext-missing");
      assertThat(denied.getStatus().requiredCallerPolicy)
          .contains("arn:aws:iam::" + TestEnvironment.ACCOUNT_B + ":role/" + role);

      // An administrator applies exactly the published document by hand: trust becomes ready.
      iamB.updateAssumeRolePolicy(r -> r.roleName(role).policyDocument(required));
      StsRoleBinding ready = awaitTrust(binding.getMetadata().getName(), "True");
      assertThat(ready.getStatus().requiredTrustPolicy).isNull();
    }
  }

  @Test
  void wrongExternalIdIsDenied() {
    String role = Aws.unique("Role-to-Assume");
    try (IamClient iamB = Aws.iam(env, env.accountB())) {
      iamB.createRole(
          r -> r.roleName(role).assumeRolePolicyDocument(trustFor(operatorArn, "right")));
    }
    StsRoleBinding binding = binding(Aws.unique("wrong-ext"), role, "wrong", false);
    client.resource(binding).create();
    Condition c =
        awaitTrust(binding.getMetadata().getName(), "False")
            .getStatus()
            .condition("TrustReady")
            .orElseThrow();
    assertThat(c.getReason()).isEqualTo("AssumeRoleDenied");
    assertThat(c.getMessage()).contains("external ID");
  }

  @Test
  void managedTrustWithoutPermissionNamesTheDeniedAction() {
    // Administrator credentials that may not touch IAM: the first step (iam:GetRole) is denied.
    String weak = Aws.unique("weak-admin");
    secret(
        weak,
        Aws.userWithPolicy(env, env.accountB(), weak, "config/iam/role-to-assume-policy.json"));
    // the administrator's key in use once it has propagated: the refusal under test is IAM's
    Emulator.settle(env);
    StsRoleBinding binding = binding(Aws.unique("no-permission"), Aws.unique("Role"), "ext", true);
    binding.getSpec().trust.adminSecretRef = new SecretReference(NS, weak);
    client.resource(binding).create();

    StsRoleBinding denied = awaitTrust(binding.getMetadata().getName(), "False");
    Condition c = denied.getStatus().condition("TrustReady").orElseThrow();
    assertThat(c.getReason()).isEqualTo("TrustNotManageable");
    assertThat(c.getMessage()).contains("iam:CreateRole");
    assertThat(denied.getStatus().requiredTrustPolicy).contains(operatorArn);
    assertThat(
            client.events().v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> binding.getMetadata().getName().equals(e.getRegarding().getName())))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("TrustNotManageable"));
  }

  @Test
  void unknownAuthConfigIsNamed() {
    StsRoleBinding binding = binding(Aws.unique("no-config"), "Role-to-Assume", null, false);
    binding.getSpec().authConfigRef = "does-not-exist";
    client.resource(binding).create();
    Condition c =
        awaitTrust(binding.getMetadata().getName(), "False")
            .getStatus()
            .condition("TrustReady")
            .orElseThrow();
    assertThat(c.getReason()).isEqualTo("AuthConfigNotFound");
    assertThat(c.getMessage()).contains("does-not-exist");
  }

  static final String EC2_TRUST =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
          + "\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";

  static String trustFor(String principal, String externalId) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
        + principal
        + "\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\""
        + externalId
        + "\"}}}]}";
  }

  private static String trustPolicy(IamClient iam, String role) {
    return URLDecoder.decode(
        iam.getRole(r -> r.roleName(role)).role().assumeRolePolicyDocument(),
        StandardCharsets.UTF_8);
  }

  private static boolean roleExists(IamClient iam, String role) {
    try {
      iam.getRole(r -> r.roleName(role));
      return true;
    } catch (NoSuchEntityException e) {
      return false;
    }
  }

  private static StsRoleBinding binding(
      String name, String role, String externalId, boolean manage) {
    StsRoleBinding b = new StsRoleBinding();
    b.setMetadata(new ObjectMetaBuilder().withName(name).build());
    StsRoleBindingSpec spec = new StsRoleBindingSpec();
    spec.accountId = TestEnvironment.ACCOUNT_B;
    spec.roleArn = "arn:aws:iam::" + TestEnvironment.ACCOUNT_B + ":role/" + role;
    spec.externalId = externalId;
    spec.authConfigRef = CONFIG;
    if (manage) {
      spec.trust = new StsRoleBindingSpec.Trust();
      spec.trust.manage = true;
      spec.trust.adminSecretRef = new SecretReference(NS, "admin-b");
    }
    b.setSpec(spec);
    return b;
  }

  private static StsRoleBinding awaitTrust(String name, String trustReady) {
    return await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> client.resources(StsRoleBinding.class).withName(name).get(),
            b ->
                b != null
                    && b.getStatus() != null
                    && b.getStatus()
                        .condition("TrustReady")
                        .map(Condition::getStatus)
                        .orElse("")
                        .equals(trustReady));
  }

  private static void secret(String name, AwsAccount account) {
    Fixtures.credentialsSecret(client, NS, name, account);
  }
}
