package io.awsauth.operator.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.SecretReference;
import io.awsauth.operator.api.v1alpha1.StsRoleBinding;
import io.awsauth.operator.api.v1alpha1.StsRoleBindingSpec;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Partition aws-cn end to end on the emulator (which, like AWS, answers in the partition of the
 * region a request is signed for): an AwsAuthConfig in cn-north-1 whose caller is a user of an
 * aws-cn account holding config/iam/operator-policy.json written for aws-cn, roles of every kind
 * issued there, and a managed StsRoleBinding into a second aws-cn account. The ARNs AWS returns and
 * the policies the operator writes name aws-cn; the issued credentials work there (one allowed and
 * one denied call each).
 */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class PartitionIT {
  static final String NS = "aao-partition-it";
  static final String CONFIG = "partition-cn";
  static final String SA = "app";
  static final Region CN = Region.of(TestEnvironment.CN_REGION);
  static final String CN_A = TestEnvironment.ACCOUNT_CN_A;
  static final String CN_B = TestEnvironment.ACCOUNT_CN_B;
  static final String EC2_ALL =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\","
          + "\"Resource\":\"*\"}]}";
  static TestEnvironment env;
  static KubernetesClient client;
  static String operatorUser;

  @BeforeAll
  static void aChinaConfig() {
    env = TestEnvironment.get();
    client = env.client();
    Fixtures.namespace(client, NS);
    Fixtures.serviceAccount(client, NS, SA);
    operatorUser = Aws.unique("vault-root-cn");
    AwsAccount operator =
        Aws.userWithPolicy(
            env, env.accountCnA(), operatorUser, "config/iam/operator-policy.json", CN);
    Fixtures.credentialsSecret(client, NS, "operator-cn", operator);
    Fixtures.credentialsSecret(client, NS, "admin-cn-b", env.accountCnB());
    AwsAuthConfig config = Fixtures.authConfig(CONFIG, NS, "operator-cn", env.awsEndpoint());
    config.getSpec().region = TestEnvironment.CN_REGION;
    client.resource(config).serverSideApply();
  }

  @Test
  void theConfigIsReadyAsItsAwsCnCaller() {
    AwsAuthConfig ready = readyConfig();
    assertThat(ready.getStatus().callerArn)
        .isEqualTo("arn:aws-cn:iam::" + CN_A + ":user/" + operatorUser);
    assertThat(ready.getStatus().accountId).isEqualTo(CN_A);
  }

  @Test
  void theEmulatorAnswersInThePartitionOfTheSigningRegion() {
    AwsAccount cn = env.accountCnA();
    AwsCredentials key =
        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
            cn.accessKeyId(), cn.secretAccessKey());
    assertThat(callerArn(key)).isEqualTo("arn:aws-cn:iam::" + CN_A + ":user/aao-admin");
    try (StsClient aws = Aws.sts(env, key, Region.US_EAST_1)) {
      var unknown =
          catchThrowableOfType(
              software.amazon.awssdk.services.sts.model.StsException.class, aws::getCallerIdentity);
      assertThat(unknown).as("an aws-cn key signed for us-east-1").isNotNull();
      assertThat(unknown.awsErrorDetails().errorCode()).isEqualTo("InvalidClientTokenId");
    }
  }

  @Test
  void anIamUserIsIssuedInAwsCnWithItsPoliciesAndItsKeyWorksThere() {
    readyConfig();
    VaultAwsRole role = role(Aws.unique("cn-user"), CredentialType.IAM_USER);
    role.getSpec().policyDocument = json(EC2_ALL);
    role.getSpec().policyArns = List.of("arn:aws-cn:iam::aws:policy/AmazonEC2ReadOnlyAccess");
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("cn-user-creds"), role);
    client.resource(request).create();
    AwsCredentialRequest ready = Fixtures.awaitCondition(client, request, "Ready", "True");

    String userName = ready.getStatus().iamUserName;
    assertThat(ready.getStatus().principalArn)
        .isEqualTo("arn:aws-cn:iam::" + CN_A + ":user/" + userName);
    try (IamClient iam = Aws.iam(env, env.accountCnA(), CN)) {
      assertThat(iam.getUser(r -> r.userName(userName)).user().arn())
          .isEqualTo("arn:aws-cn:iam::" + CN_A + ":user/" + userName);
      assertThat(iam.listAttachedUserPolicies(r -> r.userName(userName)).attachedPolicies())
          .extracting(p -> p.policyArn())
          .containsExactly("arn:aws-cn:iam::aws:policy/AmazonEC2ReadOnlyAccess");
    }
    AwsCredentials key = Aws.credentialsIn(secret(ready));
    assertThat(callerArn(key)).isEqualTo(ready.getStatus().principalArn);
    assertAllowedAndDenied(key);

    client.resource(ready).withTimeout(60, TimeUnit.SECONDS).delete();
  }

  @Test
  void aFederationTokenIsAnAwsCnFederatedUser() {
    readyConfig();
    VaultAwsRole role = role(Aws.unique("cn-fed"), CredentialType.FEDERATION_TOKEN);
    role.getSpec().policyDocument = json(EC2_ALL);
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("cn-fed-creds"), role);
    request.getSpec().ttl = "60m";
    client.resource(request).create();
    AwsCredentialRequest ready = Fixtures.awaitCondition(client, request, "Ready", "True");

    assertThat(ready.getStatus().principalArn)
        .matches("arn:aws-cn:sts::" + CN_A + ":federated-user/[\\w+=,.@-]{2,32}");
    AwsCredentials session = Aws.credentialsIn(secret(ready));
    assertThat(callerArn(session)).isEqualTo(ready.getStatus().principalArn);
    try (Ec2Client ec2 = Aws.ec2(env, session, CN)) {
      assertThat(ec2.describeInstances().reservations()).isNotNull();
    }
    client.resource(ready).withTimeout(60, TimeUnit.SECONDS).delete();
  }

  /**
   * A managed StsRoleBinding into the second aws-cn account: the operator creates the
   * Role-to-Assume with a trust statement naming its aws-cn principal, attaches the policy that
   * lets it assume arn:aws-cn roles (with an arn:aws: Resource the chained AssumeRole below would
   * be denied), and an assumed_role role issues a session of a role there.
   */
  @Test
  void aManagedBindingIntoAnotherAwsCnAccountWritesAwsCnPoliciesAndIssuesThere() throws Exception {
    readyConfig();
    String roleToAssume = Aws.unique("Role-to-Assume");
    String target = Aws.unique("deploy-cn-b");
    try (IamClient iamB = Aws.iam(env, env.accountCnB(), CN)) {
      iamB.createRole(
          r ->
              r.roleName(target)
                  .assumeRolePolicyDocument(trusting("arn:aws-cn:iam::" + CN_B + ":root")));
      iamB.putRolePolicy(r -> r.roleName(target).policyName("ec2").policyDocument(EC2_ALL));
    }
    StsRoleBinding binding = new StsRoleBinding();
    binding.setMetadata(new ObjectMetaBuilder().withName(Aws.unique("cn-secondary")).build());
    binding.setSpec(new StsRoleBindingSpec());
    binding.getSpec().accountId = CN_B;
    binding.getSpec().roleArn = "arn:aws-cn:iam::" + CN_B + ":role/" + roleToAssume;
    binding.getSpec().externalId = "ext-partition-it";
    binding.getSpec().authConfigRef = CONFIG;
    binding.getSpec().trust = new StsRoleBindingSpec.Trust();
    binding.getSpec().trust.manage = true;
    binding.getSpec().trust.adminSecretRef = new SecretReference(NS, "admin-cn-b");
    client.resource(binding).create();
    StsRoleBinding trusted = awaitBinding(binding, "True");
    assertThat(trusted.getStatus().assumedRoleArn)
        .matches("arn:aws-cn:sts::" + CN_B + ":assumed-role/" + roleToAssume + "/.+");

    try (IamClient iamB = Aws.iam(env, env.accountCnB(), CN)) {
      var written = iamB.getRole(r -> r.roleName(roleToAssume)).role();
      assertThat(written.arn()).isEqualTo(binding.getSpec().roleArn);
      ObjectNode trust = decoded(written.assumeRolePolicyDocument());
      assertThat(trust.path("Statement").get(0).path("Principal").path("AWS").asText())
          .isEqualTo("arn:aws-cn:iam::" + CN_A + ":user/" + operatorUser);
      String policyName = iamB.listRolePolicies(r -> r.roleName(roleToAssume)).policyNames().get(0);
      String attached =
          URLDecoder.decode(
              iamB.getRolePolicy(r -> r.roleName(roleToAssume).policyName(policyName))
                  .policyDocument(),
              StandardCharsets.UTF_8);
      assertThat(attached).contains("arn:aws-cn:iam::*:role/*").doesNotContain("arn:aws:");
    }
    try (IamClient iamA = Aws.iam(env, env.accountCnA(), CN)) {
      String own =
          URLDecoder.decode(
              iamA.getUserPolicy(
                      r ->
                          r.userName(operatorUser)
                              .policyName(
                                  iamA
                                      .listUserPolicies(u -> u.userName(operatorUser))
                                      .policyNames()
                                      .stream()
                                      .filter(n -> n.startsWith("AwsAuthOperator"))
                                      .findFirst()
                                      .orElseThrow()))
                  .policyDocument(),
              StandardCharsets.UTF_8);
      assertThat(own).contains(binding.getSpec().roleArn);
    }

    VaultAwsRole role = role(Aws.unique("cn-remote"), CredentialType.ASSUMED_ROLE);
    role.getSpec().roleArns = List.of("arn:aws-cn:iam::" + CN_B + ":role/" + target);
    role.getSpec().policyDocument = json(EC2_ALL);
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("cn-remote-creds"), role);
    request.getSpec().ttl = "60m";
    client.resource(request).create();
    AwsCredentialRequest ready = Fixtures.awaitCondition(client, request, "Ready", "True");
    AwsCredentials session = Aws.credentialsIn(secret(ready));
    assertThat(callerArn(session))
        .matches("arn:aws-cn:sts::" + CN_B + ":assumed-role/" + target + "/[\\w+=,.@-]{2,64}");
    assertAllowedAndDenied(session);

    client.resource(ready).withTimeout(60, TimeUnit.SECONDS).delete();
    client.resource(binding).withTimeout(60, TimeUnit.SECONDS).delete();
  }

  @Test
  void arnsOfAnotherPartitionAreRefusedBeforeAnyAwsCall() {
    readyConfig();
    VaultAwsRole role = role(Aws.unique("cn-wrong-arn"), CredentialType.IAM_USER);
    role.getSpec().policyArns = List.of("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess");
    client.resource(role).create();
    Condition refused =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    client
                        .resources(VaultAwsRole.class)
                        .withName(role.getMetadata().getName())
                        .get(),
                r -> r.getStatus() != null && r.getStatus().condition("Ready").isPresent())
            .getStatus()
            .condition("Ready")
            .orElseThrow();
    assertThat(refused.getStatus()).isEqualTo("False");
    assertThat(refused.getReason()).isEqualTo("PartitionMismatch");

    StsRoleBinding binding = new StsRoleBinding();
    binding.setMetadata(new ObjectMetaBuilder().withName(Aws.unique("cn-wrong-role")).build());
    binding.setSpec(new StsRoleBindingSpec());
    binding.getSpec().accountId = CN_B;
    binding.getSpec().roleArn = "arn:aws:iam::" + CN_B + ":role/Role-to-Assume";
    binding.getSpec().authConfigRef = CONFIG;
    client.resource(binding).create();
    StsRoleBinding notTrusted = awaitBinding(binding, "False");
    assertThat(notTrusted.getStatus().condition("TrustReady").orElseThrow().getReason())
        .isEqualTo("PartitionMismatch");
    client.resource(role).delete();
    client.resource(binding).delete();
  }

  /** ec2:DescribeInstances is allowed; iam:ListUsers is not: AccessDenied. */
  private static void assertAllowedAndDenied(AwsCredentials credentials) {
    // a new key or policy may take a moment to be seen, as in AWS
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              try (Ec2Client ec2 = Aws.ec2(env, credentials, CN)) {
                assertThat(ec2.describeInstances().reservations()).isNotNull();
              }
            });
    try (IamClient iam = Aws.iam(env, credentials, CN)) {
      IamException denied = catchThrowableOfType(IamException.class, iam::listUsers);
      assertThat(denied).as("iam:ListUsers with the issued credential").isNotNull();
      assertThat(denied.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
      assertThat(denied.awsErrorDetails().errorMessage()).contains("arn:aws-cn:");
    }
  }

  private static String callerArn(AwsCredentials credentials) {
    try (StsClient sts = Aws.sts(env, credentials, CN)) {
      return sts.getCallerIdentity().arn();
    }
  }

  private static AwsAuthConfig readyConfig() {
    return await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> client.resources(AwsAuthConfig.class).withName(CONFIG).get(),
            c -> c.getStatus() != null && c.getStatus().isTrue("Ready"));
  }

  private static StsRoleBinding awaitBinding(StsRoleBinding binding, String trustReady) {
    return await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                client
                    .resources(StsRoleBinding.class)
                    .withName(binding.getMetadata().getName())
                    .get(),
            b ->
                b.getStatus() != null
                    && b.getStatus()
                        .condition("TrustReady")
                        .map(Condition::getStatus)
                        .orElse("")
                        .equals(trustReady));
  }

  private static VaultAwsRole role(String name, CredentialType type) {
    return Fixtures.role(name, type, CONFIG, NS);
  }

  private static void createReady(VaultAwsRole role) {
    Fixtures.createReady(client, role);
  }

  private static AwsCredentialRequest request(String name, VaultAwsRole role) {
    return Fixtures.request(name, NS, role, SA);
  }

  /** The Secret a Ready request's status names. */
  private static Secret secret(AwsCredentialRequest ready) {
    return client.secrets().inNamespace(NS).withName(ready.getStatus().secretName).get();
  }

  private static String trusting(String principal) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
        + principal
        + "\"},\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\",\"sts:SetSourceIdentity\"]}]}";
  }

  private static ObjectNode decoded(String document) {
    return json(URLDecoder.decode(document, StandardCharsets.UTF_8));
  }

  private static ObjectNode json(String s) {
    try {
      return (ObjectNode) new ObjectMapper().readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
