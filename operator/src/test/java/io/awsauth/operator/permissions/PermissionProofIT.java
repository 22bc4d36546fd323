package io.awsauth.operator.permissions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.api.v1alpha1.SecretReference;
import io.awsauth.operator.api.v1alpha1.StsRoleBinding;
import io.awsauth.operator.api.v1alpha1.StsRoleBindingSpec;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Emulator;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.SuiteRequests;
import io.awsauth.operator.testenv.TestEnvironment;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * "The credential works" means what the role says: for every credential type, same-account and
 * cross-account, the issued keys make one call the role allows and are refused one call it does
 * not, and the policy the operator attached (inline, session) is read back. The seeds' case: an
 * {@code ec2:*} role can call EC2 and is refused IAM. Dropping the session policy, attaching a
 * policy to another user or skipping the permissions boundary makes one of these tests fail.
 *
 * <p>The operator's identities hold exactly config/iam/operator-policy.json: a user in account A
 * (config {@value #CONFIG_A}) and a user in account B (config {@value #CONFIG_B}).
 */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class PermissionProofIT {
  static final String NS = "aao-permission-it";
  static final String CONFIG_A = "permission-a";
  static final String CONFIG_B = "permission-b";
  static final String SA = "app";
  static final String EC2_ALL =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\","
          + "\"Resource\":\"*\"}]}";
  private static final ObjectMapper JSON = new ObjectMapper();

  static TestEnvironment env;
  static KubernetesClient client;
  static String operatorA;
  static String operatorB;
  static final List<HasMetadata> created = new ArrayList<>();

  @BeforeAll
  static void operatorIdentities() {
    env = TestEnvironment.get();
    client = env.client();
    Fixtures.namespace(client, NS);
    Fixtures.serviceAccount(client, NS, SA);
    String userA = Aws.unique("permission-operator");
    String userB = Aws.unique("permission-operator");
    operatorA = "arn:aws:iam::" + env.accountA().id() + ":user/" + userA;
    operatorB = "arn:aws:iam::" + env.accountB().id() + ":user/" + userB;
    Fixtures.credentialsSecret(client, NS, "operator-a", Aws.operatorUser(env, userA));
    Fixtures.credentialsSecret(
        client,
        NS,
        "operator-b",
        Aws.userWithPolicy(env, env.accountB(), userB, "config/iam/operator-policy.json"));
    Fixtures.credentialsSecret(client, NS, "admin-b", env.accountB());
    for (String[] config : new String[][] {{CONFIG_A, "operator-a"}, {CONFIG_B, "operator-b"}}) {
      AwsAuthConfig c = Fixtures.authConfig(config[0], NS, config[1], env.awsEndpoint());
      client.resource(c).serverSideApply();
      Awaitility.await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> client.resources(AwsAuthConfig.class).withName(config[0]).get(),
              r -> r.getStatus() != null && r.getStatus().isTrue("Ready"));
    }
  }

  @AfterAll
  static void cleanUp() {
    for (int i = created.size() - 1; i >= 0; i--) {
      env.deleteQuietly(created.get(i));
    }
  }

  /**
   * iam_user: the inline policy (ec2:*), a managed policy (iam:GetAccountSummary) and a group's
   * policy (iam:ListRoles) each allow their call; the permissions boundary caps the inline ec2:*
   * (ec2:CreateKeyPair refused); IAM outside them is refused.
   */
  @Test
  void iamUserHoldsItsInlineManagedGroupAndBoundaryPermissions() {
    String managed;
    String boundary;
    String group = Aws.unique("permission-readers");
    try (IamClient admin = Aws.iam(env, env.accountA())) {
      managed = managedPolicy(admin, "permission-managed", allow("iam:GetAccountSummary"));
      boundary =
          managedPolicy(
              admin,
              "permission-boundary",
              allow("ec2:Describe*", "iam:GetAccountSummary", "iam:ListRoles"));
      admin.createGroup(r -> r.groupName(group));
      admin.putGroupPolicy(
          r -> r.groupName(group).policyName("list-roles").policyDocument(allow("iam:ListRoles")));
    }
    VaultAwsRole role =
        role(
            CONFIG_A,
            CredentialType.IAM_USER,
            s -> {
              s.policyDocument = json(EC2_ALL);
              s.policyArns = List.of(managed);
              s.iamGroups = List.of(group);
              s.permissionsBoundaryArn = boundary;
            });
    Issued issued = issue(role);
    assertThat(issued.principalArn()).startsWith("arn:aws:iam::" + env.accountA().id() + ":user/");

    try (Ec2Client ec2 = Aws.ec2(env, issued.credentials());
        IamClient iam = Aws.iam(env, issued.credentials())) {
      assertThat(outcome(() -> ec2.describeInstances())).as("inline ec2:*").isEqualTo("allowed");
      assertThat(outcome(() -> iam.getAccountSummary())).as("managed policy").isEqualTo("allowed");
      assertThat(outcome(() -> iam.listRoles(r -> r.maxItems(1))))
          .as("group policy")
          .isEqualTo("allowed");
      assertThat(outcome(() -> ec2.createKeyPair(r -> r.keyName(Aws.unique("kp")))))
          .as("ec2:* of the inline policy, outside the permissions boundary")
          .isEqualTo("denied");
      assertThat(outcome(() -> iam.listUsers())).as("IAM nothing allows").isEqualTo("denied");
    }

    String userName = issued.principalArn().substring(issued.principalArn().indexOf('/') + 1);
    try (IamClient admin = Aws.iam(env, env.accountA())) {
      String inline =
          admin
              .getUserPolicy(r -> r.userName(userName).policyName("aws-auth-operator"))
              .policyDocument();
      assertThat(jsonOf(URLDecoder.decode(inline, StandardCharsets.UTF_8)))
          .isEqualTo(jsonOf(EC2_ALL));
      assertThat(admin.listAttachedUserPolicies(r -> r.userName(userName)).attachedPolicies())
          .extracting(p -> p.policyArn())
          .containsExactly(managed);
      assertThat(admin.listGroupsForUser(r -> r.userName(userName)).groups())
          .extracting(g -> g.groupName())
          .containsExactly(group);
      assertThat(
              admin
                  .getUser(r -> r.userName(userName))
                  .user()
                  .permissionsBoundary()
                  .permissionsBoundaryArn())
          .isEqualTo(boundary);
    }
  }

  /** iam_user issued by the operator's identity in account B: EC2 allowed, IAM refused. */
  @Test
  void iamUserInTheSecondAccount() {
    VaultAwsRole role =
        role(CONFIG_B, CredentialType.IAM_USER, s -> s.policyDocument = json(EC2_ALL));
    Issued issued = issue(role);
    assertThat(issued.principalArn()).startsWith("arn:aws:iam::" + env.accountB().id() + ":user/");
    assertEc2AllowedIamDenied(issued.credentials());
    String userName = issued.principalArn().substring(issued.principalArn().indexOf('/') + 1);
    try (IamClient admin = Aws.iam(env, env.accountB())) {
      String inline =
          admin
              .getUserPolicy(r -> r.userName(userName).policyName("aws-auth-operator"))
              .policyDocument();
      assertThat(jsonOf(URLDecoder.decode(inline, StandardCharsets.UTF_8)))
          .isEqualTo(jsonOf(EC2_ALL));
    }
  }

  /**
   * assumed_role, same account: the target role allows ec2:* and iam:ListRoles; the role's
   * policyDocument, passed as the session policy, allows ec2:* only, so iam:ListRoles is refused.
   */
  @Test
  void assumedRoleIsNarrowedByTheSessionPolicy() {
    String target = Aws.unique("permission-target");
    try (IamClient admin = Aws.iam(env, env.accountA())) {
      admin.createRole(r -> r.roleName(target).assumeRolePolicyDocument(trusting(operatorA)));
      admin.putRolePolicy(
          r ->
              r.roleName(target)
                  .policyName("ec2-and-list-roles")
                  .policyDocument(allow("ec2:*", "iam:ListRoles")));
    }
    Emulator.settle(env);
    String targetArn = "arn:aws:iam::" + env.accountA().id() + ":role/" + target;
    VaultAwsRole role =
        role(
            CONFIG_A,
            CredentialType.ASSUMED_ROLE,
            s -> {
              s.roleArns = List.of(targetArn);
              s.policyDocument = json(EC2_ALL);
            });
    Issued issued = issue(role);
    assertThat(issued.principalArn())
        .startsWith("arn:aws:sts::" + env.accountA().id() + ":assumed-role/" + target + "/");
    assertSessionPolicyNarrows(issued);
  }

  /**
   * assumed_role in account B through the StsRoleBinding (whose trust the operator manages): the
   * session policy narrows the target role's permissions there too.
   */
  @Test
  void assumedRoleInTheSecondAccountIsNarrowedByTheSessionPolicy() {
    String target = Aws.unique("permission-remote");
    String b = env.accountB().id();
    try (IamClient adminB = Aws.iam(env, env.accountB())) {
      adminB.createRole(
          r ->
              r.roleName(target).assumeRolePolicyDocument(trusting("arn:aws:iam::" + b + ":root")));
      adminB.putRolePolicy(
          r ->
              r.roleName(target)
                  .policyName("ec2-and-list-roles")
                  .policyDocument(allow("ec2:*", "iam:ListRoles")));
    }
    StsRoleBinding binding = new StsRoleBinding();
    binding.setMetadata(new ObjectMetaBuilder().withName(Aws.unique("permission-b")).build());
    binding.setSpec(new StsRoleBindingSpec());
    binding.getSpec().accountId = b;
    binding.getSpec().roleArn = "arn:aws:iam::" + b + ":role/" + Aws.unique("Role-to-Assume");
    binding.getSpec().externalId = "ext-permission-it";
    binding.getSpec().authConfigRef = CONFIG_A;
    binding.getSpec().trust = new StsRoleBindingSpec.Trust();
    binding.getSpec().trust.manage = true;
    binding.getSpec().trust.adminSecretRef = new SecretReference(NS, "admin-b");
    client.resource(binding).create();
    created.add(binding);
    Emulator.settle(env);

    VaultAwsRole role =
        role(
            CONFIG_A,
            CredentialType.ASSUMED_ROLE,
            s -> {
              s.roleArns = List.of("arn:aws:iam::" + b + ":role/" + target);
              s.policyDocument = json(EC2_ALL);
            });
    Issued issued = issue(role);
    assertThat(issued.principalArn())
        .startsWith("arn:aws:sts::" + b + ":assumed-role/" + target + "/");
    assertSessionPolicyNarrows(issued);
  }

  /**
   * federation_token: the federated user holds the operator's policies AND the session policy:
   * ec2:DescribeInstances (both) allowed, ec2:DescribeRegions (not the operator's) refused.
   */
  @Test
  void federationTokenHoldsTheSessionPolicyInBothAccounts() {
    for (String[] c :
        new String[][] {{CONFIG_A, env.accountA().id()}, {CONFIG_B, env.accountB().id()}}) {
      VaultAwsRole role =
          role(c[0], CredentialType.FEDERATION_TOKEN, s -> s.policyDocument = json(EC2_ALL));
      Issued issued = issue(role);
      assertThat(issued.principalArn()).startsWith("arn:aws:sts::" + c[1] + ":federated-user/");
      assertOperatorsPermissionsOnly(issued.credentials());
      JsonNode session = Emulator.session(env, issued.credentials().accessKeyId());
      assertThat(session.path("sessionPolicies")).containsExactly(jsonOf(EC2_ALL));
    }
  }

  /** session_token: acts as the operator's own user, with its permissions, in both accounts. */
  @Test
  void sessionTokenActsAsTheOperatorsUserInBothAccounts() {
    for (String[] c : new String[][] {{CONFIG_A, operatorA}, {CONFIG_B, operatorB}}) {
      VaultAwsRole role = role(c[0], CredentialType.SESSION_TOKEN, s -> {});
      Issued issued = issue(role);
      assertThat(issued.principalArn()).isEqualTo(c[1]);
      assertOperatorsPermissionsOnly(issued.credentials());
      JsonNode session = Emulator.session(env, issued.credentials().accessKeyId());
      assertThat(session.path("sessionPolicies").isNull())
          .as("session_token takes no session policy")
          .isTrue();
    }
  }

  /** ec2:* allowed (seeds' case), IAM refused. */
  private static void assertEc2AllowedIamDenied(AwsCredentials credentials) {
    try (Ec2Client ec2 = Aws.ec2(env, credentials);
        IamClient iam = Aws.iam(env, credentials)) {
      assertThat(outcome(() -> ec2.describeInstances())).isEqualTo("allowed");
      assertThat(outcome(() -> ec2.describeRegions())).isEqualTo("allowed");
      assertThat(outcome(() -> iam.listRoles(r -> r.maxItems(1)))).isEqualTo("denied");
    }
  }

  /** The target role allows iam:ListRoles; the session policy (ec2:*) does not. */
  private static void assertSessionPolicyNarrows(Issued issued) {
    assertEc2AllowedIamDenied(issued.credentials());
    JsonNode session = Emulator.session(env, issued.credentials().accessKeyId());
    assertThat(session.path("sessionPolicies")).containsExactly(jsonOf(EC2_ALL));
  }

  /** The operator's policy allows ec2:DescribeInstances, not ec2:DescribeRegions. */
  private static void assertOperatorsPermissionsOnly(AwsCredentials credentials) {
    try (Ec2Client ec2 = Aws.ec2(env, credentials)) {
      assertThat(outcome(() -> ec2.describeInstances())).isEqualTo("allowed");
      assertThat(outcome(() -> ec2.describeRegions())).isEqualTo("denied");
    }
  }

  record Issued(AwsCredentials credentials, String principalArn) {}

  /** Creates the role and a request for it, waits for Ready, returns the Secret's credential. */
  private static Issued issue(VaultAwsRole role) {
    client.resource(role).create();
    created.add(role);
    SuiteRequests.awaitRolesReady(
        client,
        List.of(role.getMetadata().getName()),
        Duration.ofSeconds(90),
        Duration.ofMillis(300));
    AwsCredentialRequest request = new AwsCredentialRequest();
    request.setMetadata(
        new ObjectMetaBuilder().withName(Aws.unique("permission")).withNamespace(NS).build());
    request.setSpec(new AwsCredentialRequestSpec());
    request.getSpec().roleRef = role.getMetadata().getName();
    request.getSpec().ttl = "1h";
    request.getSpec().identity = new AwsCredentialRequestSpec.Identity();
    request.getSpec().identity.serviceAccountName = SA;
    client.resource(request).create();
    created.add(request);
    AwsCredentialRequest ready = Fixtures.awaitCondition(client, request, "Ready", "True");
    Secret secret = client.secrets().inNamespace(NS).withName(ready.getStatus().secretName).get();
    AwsCredentials credentials = Aws.credentialsIn(secret);
    try (StsClient sts = Aws.sts(env, credentials)) {
      assertThat(sts.getCallerIdentity().arn()).isEqualTo(ready.getStatus().principalArn);
    }
    // Ready means the key authenticates; on AWS (and on the emulator with a propagation delay)
    // the policies attached just before may still be propagating.
    Emulator.settle(env);
    return new Issued(credentials, ready.getStatus().principalArn);
  }

  private static VaultAwsRole role(
      String config, CredentialType type, Consumer<VaultAwsRoleSpec> customize) {
    VaultAwsRole role = new VaultAwsRole();
    role.setMetadata(new ObjectMetaBuilder().withName(Aws.unique("permission")).build());
    role.setSpec(new VaultAwsRoleSpec());
    role.getSpec().credentialType = type;
    role.getSpec().authConfigRef = config;
    role.getSpec().bindings = new RoleBindings();
    role.getSpec().bindings.namespaces = List.of(NS);
    customize.accept(role.getSpec());
    return role;
  }

  /** "allowed", or "denied" when AWS answers AccessDenied / UnauthorizedOperation. */
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

  private static String managedPolicy(IamClient admin, String prefix, String document) {
    return admin
        .createPolicy(r -> r.policyName(Aws.unique(prefix)).policyDocument(document))
        .policy()
        .arn();
  }

  private static String allow(String... actions) {
    StringBuilder list = new StringBuilder();
    for (String a : actions) {
      list.append(list.isEmpty() ? "" : ",").append('"').append(a).append('"');
    }
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
        + list
        + "],\"Resource\":\"*\"}]}";
  }

  /** A trust policy admitting {@code principal} to sts:AssumeRole and sts:TagSession. */
  private static String trusting(String principal) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
        + principal
        + "\"},\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"]}]}";
  }

  private static JsonNode jsonOf(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode json(String s) {
    return (ObjectNode) jsonOf(s);
  }
}
