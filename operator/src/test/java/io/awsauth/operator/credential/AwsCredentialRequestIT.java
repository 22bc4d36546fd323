package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec.RolloutTarget;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.SecretReference;
import io.awsauth.operator.api.v1alpha1.StsRoleBinding;
import io.awsauth.operator.api.v1alpha1.StsRoleBindingSpec;
import io.awsauth.operator.api.v1alpha1.TrustGap;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Emulator;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.SecretHygiene;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * The seeds' secrets-engine flows (002, 003) on the real API server and the emulator: each
 * credential type is issued into a Secret whose keys work, rotated, and revoked. The operator's
 * identity is a user in account A holding exactly config/iam/operator-policy.json.
 */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class AwsCredentialRequestIT {
  static final String NS = "aao-lease-it";
  static final String CONFIG = "lease-it";
  static final String SA = "app";
  static final String EC2_ALL =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\","
          + "\"Resource\":\"*\"}]}";
  static final String IAM_LIST_USERS =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          + "\"Action\":\"iam:ListUsers\",\"Resource\":\"*\"}]}";
  static TestEnvironment env;
  static KubernetesClient client;
  static String operatorArn;

  @Inject OrphanSweep sweep;

  @TestHTTPResource("/q/metrics")
  java.net.URL metrics;

  @Inject ClusterIdentity cluster;

  @BeforeAll
  static void operatorIdentity() {
    env = TestEnvironment.get();
    client = env.client();
    Fixtures.namespace(client, NS);
    Fixtures.serviceAccount(client, NS, SA);
    String user = Aws.unique("vault-root");
    AwsAccount operator = Aws.operatorUser(env, user);
    operatorArn = "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":user/" + user;
    Fixtures.credentialsSecret(client, NS, "operator", operator);
    Fixtures.credentialsSecret(client, NS, "admin-b", env.accountB());
    Fixtures.readyAuthConfig(client, CONFIG, NS, "operator", env.awsEndpoint());
  }

  @Test
  void iamUserIsCreatedWithItsPoliciesGroupsAndTagsAndDeletedWithTheRequest() throws Exception {
    String group = Aws.unique("readers");
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.createGroup(r -> r.groupName(group));
    }
    VaultAwsRole role = role(Aws.unique("my-role"), CredentialType.IAM_USER);
    role.getSpec().policyDocument = json(EC2_ALL);
    role.getSpec().policyArns = List.of("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess");
    role.getSpec().iamGroups = List.of(group);
    role.getSpec().iamTags = Map.of("team", "payments");
    createReady(role);

    AwsCredentialRequest request = request(Aws.unique("creds"), role);
    Instant created = Instant.now();
    client.resource(request).create();
    AwsCredentialRequest ready = awaitCondition(request, "Ready", "True");
    Instant seenReady = Instant.now();

    var status = ready.getStatus();
    assertThat(ready.getMetadata().getFinalizers())
        .as("an iam_user request keeps its user from outliving it")
        .containsExactly(AwsCredentialRequestReconciler.FINALIZER);
    assertThat(status.credentialType).isEqualTo("iam_user");
    assertThat(status.iamUserName).startsWith("aao-" + role.getMetadata().getName() + "-");
    // AWS's shapes: arn:aws:iam::<account>:user/<path><name>, a user name of 1..64 [\w+=,.@-]
    assertThat(status.iamUserName).matches("[\\w+=,.@-]{1,64}");
    assertThat(status.principalArn)
        .isEqualTo("arn:aws:iam::111111111111:user/" + status.iamUserName);
    assertUsableAfterIsPlausible(ready, created, seenReady);
    printWhatTheEmulatorsTimeCaused();
    assertThat(Duration.between(Instant.parse(status.issuedAt), Instant.parse(status.expiresAt)))
        .isEqualTo(Duration.ofHours(768));
    assertThat(status.conditions)
        .extracting(Condition::getType)
        .contains("IdentityVerified", "Issued", "Ready");

    Secret secret = secret(request);
    assertThat(status.accessKeyId).isEqualTo(value(secret, "AWS_ACCESS_KEY_ID"));
    assertThat(secret.getData()).doesNotContainKey("AWS_SESSION_TOKEN");
    assertThat(callerOf(secret).arn()).isEqualTo(status.principalArn);

    String userName = status.iamUserName;
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      assertThat(iam.listUserPolicies(r -> r.userName(userName)).policyNames())
          .containsExactly("aws-auth-operator");
      assertThat(iam.listAttachedUserPolicies(r -> r.userName(userName)).attachedPolicies())
          .extracting(p -> p.policyArn())
          .containsExactly("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess");
      assertThat(iam.listGroupsForUser(r -> r.userName(userName)).groups())
          .extracting(g -> g.groupName())
          .containsExactly(group);
      assertThat(iam.listUserTags(r -> r.userName(userName)).tags())
          .extracting(Tag::key, Tag::value)
          .contains(
              org.assertj.core.groups.Tuple.tuple("awsauth.io/namespace", NS),
              org.assertj.core.groups.Tuple.tuple(
                  "awsauth.io/name", request.getMetadata().getName()),
              org.assertj.core.groups.Tuple.tuple("awsauth.io/uid", ready.getMetadata().getUid()),
              org.assertj.core.groups.Tuple.tuple("team", "payments"));
      assertThat(iam.listUserTags(r -> r.userName(userName)).tags())
          .extracting(Tag::key)
          .contains("awsauth.io/cluster");
      assertThat(iam.listAccessKeys(r -> r.userName(userName)).accessKeyMetadata()).hasSize(1);

      client.resource(ready).withTimeout(60, TimeUnit.SECONDS).delete();
      await().atMost(Duration.ofSeconds(60)).until(() -> !userExists(iam, userName));
    }
    assertThat(eventReasons(request)).contains("Issued", "Revoked");
  }

  /**
   * status.usableAfter is how long the new key took to work: a duration of at least 0 and below the
   * operator's verify timeout (aao.iam-user.verify-timeout, 30 s) plus one backoff step (2 s), and
   * the key was usable between the request's creation and the moment the test saw it Ready, and no
   * later than the Ready condition says (issuedAt and lastTransitionTime are whole seconds).
   */
  private static void assertUsableAfterIsPlausible(
      AwsCredentialRequest ready, Instant created, Instant seenReady) {
    var status = ready.getStatus();
    assertThat(status.usableAfter).matches("\\d+\\.\\d{3}s");
    Duration usable =
        Duration.ofMillis(
            Math.round(
                Double.parseDouble(status.usableAfter.substring(0, status.usableAfter.length() - 1))
                    * 1000));
    assertThat(usable).isBetween(Duration.ZERO, Duration.ofSeconds(32));
    // With the emulator's propagation on (the build's default), the new key is refused at first,
    // as on AWS: Ready came only after the operator waited for it (half the delay, for the time the
    // CreateAccessKey answer took to reach it).
    Duration propagation =
        Emulator.propagation(env, ready.getStatus().principalArn.split(":")[4], "accessKey");
    assertThat(usable)
        .as("waited for the key to propagate")
        .isGreaterThanOrEqualTo(propagation.dividedBy(2));
    Instant issuedAt = Instant.parse(status.issuedAt);
    assertThat(issuedAt).isBetween(created.truncatedTo(ChronoUnit.SECONDS), seenReady);
    Instant usableAt = issuedAt.plus(usable);
    assertThat(usableAt).as("issuedAt + usableAfter").isBeforeOrEqualTo(seenReady);
    Instant readySince =
        Instant.parse(
            status.condition("Ready").map(Condition::getLastTransitionTime).orElseThrow());
    assertThat(usableAt.truncatedTo(ChronoUnit.SECONDS))
        .as("issuedAt + usableAfter, against Ready's lastTransitionTime %s", readySince)
        .isBeforeOrEqualTo(readySince);
  }

  @Test
  void iamUserRotationSwapsTheKeyRestartsTargetsAndDeletesTheOldKeyAfterTheOverlap() {
    VaultAwsRole role = role(Aws.unique("rotating"), CredentialType.IAM_USER);
    role.getSpec().policyDocument = json(EC2_ALL);
    createReady(role);
    Deployment app = Fixtures.idleDeployment(client, NS, Aws.unique("web"), Map.of(), SA);
    AwsCredentialRequest request = request(Aws.unique("rotated"), role);
    request.getSpec().ttl = "40s";
    RolloutTarget target = new RolloutTarget();
    target.kind = RolloutTarget.Kind.DEPLOYMENT;
    target.name = app.getMetadata().getName();
    request.getSpec().rolloutRestartTargets = List.of(target);
    client.resource(request).create();
    AwsCredentialRequest first = awaitCondition(request, "Ready", "True");
    String firstKey = first.getStatus().accessKeyId;
    String userName = first.getStatus().iamUserName;
    Secret firstSecret = secret(request);
    assertThat(value(firstSecret, "AWS_ACCESS_KEY_ID")).isEqualTo(firstKey);
    assertThat(Instant.parse(first.getStatus().renewAt))
        .isBefore(Instant.parse(first.getStatus().expiresAt));

    AwsCredentialRequest second = awaitRotatedFrom(request, firstKey);
    Secret secret = secret(request);
    assertThat(value(secret, "AWS_ACCESS_KEY_ID")).isEqualTo(second.getStatus().accessKeyId);
    assertThat(callerOf(secret).arn()).endsWith(":user/" + userName);
    // The overlap: the key the workloads held stays valid until the Expiration they were given
    // (plus 30 s), so that an SDK reading credential_process switches before it goes.
    assertThat(second.getStatus().retiringKey).isNotNull();
    assertThat(second.getStatus().retiringKey.accessKeyId).isEqualTo(firstKey);
    assertThat(Instant.parse(second.getStatus().retiringKey.deleteAt))
        .isEqualTo(Instant.parse(first.getStatus().expiresAt).plus(RotationTiming.RETIRE_GRACE));
    assertThat(callerOf(firstSecret).arn()).endsWith(":user/" + userName);
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      assertThat(iam.listAccessKeys(r -> r.userName(userName)).accessKeyMetadata())
          .extracting(k -> k.accessKeyId())
          .containsExactlyInAnyOrder(second.getStatus().accessKeyId, firstKey);
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () ->
                  assertThat(iam.listAccessKeys(r -> r.userName(userName)).accessKeyMetadata())
                      .extracting(k -> k.accessKeyId())
                      .doesNotContain(firstKey)
                      .hasSizeLessThanOrEqualTo(2));
    }
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName(app.getMetadata().getName())
                .get()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations())
        .containsKey(RolloutRestarts.RESTARTED_AT);
    assertThat(eventReasons(request)).contains("Rotated");
    client.resource(second).withTimeout(60, TimeUnit.SECONDS).delete();
  }

  /**
   * A rotation creates only the new key while the role gives the user what it was last given
   * (status.permissionsFor); once the role's policy changed, the rotation gives the user the new
   * policy before the new key, which then does what the new policy allows and nothing more.
   */
  @Test
  void aRotationAfterTheRolesPolicyChangedGivesTheUserTheNewPolicyFirst() {
    VaultAwsRole role = role(Aws.unique("changing"), CredentialType.IAM_USER);
    role.getSpec().policyDocument = json(EC2_ALL);
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("changed"), role);
    request.getSpec().ttl = "40s";
    client.resource(request).create();
    AwsCredentialRequest first = awaitCondition(request, "Ready", "True");
    String firstKey = first.getStatus().accessKeyId;
    String userName = first.getStatus().iamUserName;
    assertThat(first.getStatus().permissionsFor).isNotNull();

    client
        .resources(VaultAwsRole.class)
        .withName(role.getMetadata().getName())
        .edit(
            r -> {
              r.getSpec().policyDocument = json(IAM_LIST_USERS);
              return r;
            });
    AwsCredentialRequest second = awaitRotatedFrom(request, firstKey);

    assertThat(second.getStatus().iamUserName).isEqualTo(userName);
    assertThat(second.getStatus().permissionsFor)
        .isNotNull()
        .isNotEqualTo(first.getStatus().permissionsFor);
    try (IamClient admin = Aws.iam(env, env.accountA())) {
      String document =
          java.net.URLDecoder.decode(
              admin
                  .getUserPolicy(r -> r.userName(userName).policyName(IamUsers.INLINE_POLICY))
                  .policyDocument(),
              StandardCharsets.UTF_8);
      assertThat(document).contains("iam:ListUsers").doesNotContain("ec2:*");
    }
    Secret secret = secret(request);
    AwsBasicCredentials rotated =
        AwsBasicCredentials.create(
            value(secret, "AWS_ACCESS_KEY_ID"), value(secret, "AWS_SECRET_ACCESS_KEY"));
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              try (IamClient iam = Aws.iam(env, rotated)) {
                assertThat(iam.listUsers().users()).isNotNull();
              }
            });
    try (Ec2Client ec2 = Aws.ec2(env, rotated)) {
      Ec2Exception denied = catchThrowableOfType(Ec2Exception.class, ec2::describeInstances);
      assertThat(denied).as("ec2:DescribeInstances with the rotated key").isNotNull();
      // (EC2 answers UnauthorizedOperation where other services say AccessDenied)
      assertThat(denied.awsErrorDetails().errorCode())
          .isIn("UnauthorizedOperation", "AccessDenied");
    }
    client.resource(second).withTimeout(60, TimeUnit.SECONDS).delete();
  }

  @Test
  void federationTokenActsAsAFederatedUser() {
    VaultAwsRole role = role(Aws.unique("deploy-federation"), CredentialType.FEDERATION_TOKEN);
    role.getSpec().policyDocument = json(EC2_ALL);
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("fed"), role);
    request.getSpec().ttl = "60m";
    client.resource(request).create();
    AwsCredentialRequest ready = awaitCondition(request, "Ready", "True");

    Secret secret = secret(request);
    assertThat(secret.getData())
        .containsKeys("AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "credentials");
    // AWS: arn:aws:sts::<account>:federated-user/<Name>, Name 2..32 of [\w+=,.@-]
    assertThat(callerOf(secret).arn())
        .matches("arn:aws:sts::111111111111:federated-user/[\\w+=,.@-]{2,32}");
    assertThat(ready.getStatus().principalArn).isEqualTo(callerOf(secret).arn());
    assertThat(ready.getStatus().ttl).isEqualTo("1h");
    assertThat(value(secret, "credentials")).contains("aws_session_token = ");
    assertThat(ready.getMetadata().getFinalizers())
        .as("a federation_token request stays until its federated user is denied at AWS")
        .containsExactly(AwsCredentialRequestReconciler.FINALIZER);

    client.resource(ready).withTimeout(60, TimeUnit.SECONDS).delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                client.secrets().inNamespace(NS).withName(secret.getMetadata().getName()).get()
                    == null);
  }

  @Test
  void sessionTokenActsAsTheOperatorsOwnUser() {
    VaultAwsRole role = role(Aws.unique("session"), CredentialType.SESSION_TOKEN);
    role.getSpec().maxTtl = "30m";
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("session"), role);
    request.getSpec().ttl = "2h";
    client.resource(request).create();
    AwsCredentialRequest ready = awaitCondition(request, "Ready", "True");
    assertThat(callerOf(secret(request)).arn()).isEqualTo(operatorArn);
    assertThat(ready.getStatus().ttl).isEqualTo("30m");
    assertThat(ready.getStatus().condition("Issued").orElseThrow().getMessage())
        .contains("shortened")
        .contains("maxTtl");
  }

  @Test
  void assumedRoleInTheOperatorsAccount() {
    String target = Aws.unique("deploy-a");
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.createRole(
          r -> r.roleName(target).assumeRolePolicyDocument(trustingAccount(operatorArn)));
    }
    VaultAwsRole role = role(Aws.unique("deploy-assumed"), CredentialType.ASSUMED_ROLE);
    role.getSpec().roleArns =
        List.of("arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/" + target);
    role.getSpec().policyDocument = json(EC2_ALL);
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("assumed"), role);
    request.getSpec().ttl = "60m";
    client.resource(request).create();
    // AWS: arn:aws:sts::<account>:assumed-role/<role name>/<RoleSessionName, 2..64 [\w+=,.@-]>
    AwsCredentialRequest ready = awaitCondition(request, "Ready", "True");
    assertThat(callerOf(secret(request)).arn())
        .matches("arn:aws:sts::111111111111:assumed-role/" + target + "/[\\w+=,.@-]{2,64}");
    assertSessionNamesTheWorkload(ready);
  }

  /**
   * A session policy near AWS's packed-size limit leaves no room for every session tag: the least
   * important are left out (last first), the credential is still issued, and its status says which
   * tags it lacks.
   */
  @Test
  void sessionTagsThatDoNotFitBesideTheSessionPolicyAreLeftOutAndSaid() {
    String target = Aws.unique("deploy-big");
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.createRole(
          r -> r.roleName(target).assumeRolePolicyDocument(trustingAccount(operatorArn)));
    }
    Emulator.settle(env);
    VaultAwsRole role = role(Aws.unique("deploy-big"), CredentialType.ASSUMED_ROLE);
    role.getSpec().roleArns =
        List.of("arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/" + target);
    // 1,940 + 70 characters of compact policy: with 2,048 the packed limit, about 38 are left.
    role.getSpec().policyDocument =
        json(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\""
                + "S".repeat(1940)
                + "\",\"Effect\":\"Allow\",\"Action\":\"ec2:*\",\"Resource\":\"*\"}]}");
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("big"), role);
    client.resource(request).create();
    AwsCredentialRequest ready = awaitCondition(request, "Ready", "True");

    var session = Emulator.session(env, ready.getStatus().accessKeyId);
    assertThat(session.path("sourceIdentity").asText()).isEqualTo(SA + "@" + NS);
    assertThat(session.path("tags").has("awsauth-request-uid")).isFalse();
    assertThat(ready.getStatus().issueNote)
        .startsWith("session tags left out (AWS's size limit for session policies and tags): ")
        .contains("awsauth-request-uid");
    assertThat(ready.getStatus().condition("Issued").orElseThrow().getMessage())
        .contains("session tags left out");
    client.resource(ready).withTimeout(60, TimeUnit.SECONDS).delete();
  }

  @Test
  void aTrustThatDoesNotLetTheOperatorNameTheHolderStillIssuesAndSaysSo() {
    String target = Aws.unique("deploy-plain");
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.createRole(
          r -> r.roleName(target).assumeRolePolicyDocument(trustingForAssumeRoleOnly(operatorArn)));
    }
    Emulator.settle(env);
    VaultAwsRole role = role(Aws.unique("deploy-plain"), CredentialType.ASSUMED_ROLE);
    role.getSpec().roleArns =
        List.of("arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/" + target);
    role.getSpec().policyDocument = json(EC2_ALL);
    createReady(role);
    // The role says so before any request: its trust was read, and the statement is given.
    VaultAwsRole lacking = awaitRoleReason(role, "TrustLacksSessionIdentity");
    assertThat(lacking.getStatus().isTrue("Ready")).isTrue();
    TrustGap gap = lacking.getStatus().sessionIdentityGaps.get(0);
    assertThat(gap.roleArn).isEqualTo(role.getSpec().roleArns.get(0));
    assertThat(gap.missingActions).containsExactly("sts:SetSourceIdentity", "sts:TagSession");
    AwsCredentialRequest request = request(Aws.unique("plain"), role);
    client.resource(request).create();
    AwsCredentialRequest ready = awaitCondition(request, "Ready", "True");

    assertThat(Emulator.session(env, ready.getStatus().accessKeyId).path("sourceIdentity").isNull())
        .isTrue();
    assertThat(ready.getStatus().sourceIdentity).isNull();
    String note = ready.getStatus().issueNote;
    assertThat(note).contains("no workload identity").contains(target);
    assertThat(ready.getStatus().condition("Issued").orElseThrow().getMessage())
        .contains("sts:SetSourceIdentity");
    client.resource(ready).withTimeout(60, TimeUnit.SECONDS).delete();

    // The statement the note gives, added to the trust as it says, is what was missing: the next
    // request's session names its holder.
    String statement = note.substring(note.indexOf("add this statement to it: ") + 26);
    assertThat(statement).contains(operatorArn).isEqualTo(gap.statementToAdd);
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      String trust = trustingForAssumeRoleOnly(operatorArn);
      iam.updateAssumeRolePolicy(
          r ->
              r.roleName(target)
                  .policyDocument(trust.substring(0, trust.length() - 2) + "," + statement + "]}"));
    }
    Emulator.settle(env);
    AwsCredentialRequest named = request(Aws.unique("named"), role);
    client.resource(named).create();
    AwsCredentialRequest readyNamed = awaitCondition(named, "Ready", "True");
    assertThat(readyNamed.getStatus().issueNote).isNull();
    assertSessionNamesTheWorkload(readyNamed);
    client.resource(readyNamed).withTimeout(60, TimeUnit.SECONDS).delete();
    // The role looks again within a minute, and its condition clears.
    assertThat(awaitRoleReason(role, "SessionIdentityAllowed").getStatus().sessionIdentityGaps)
        .isNull();
  }

  @Test
  void assumedRoleInTheSecondAccountGoesThroughItsStsRoleBinding() {
    String roleToAssume = Aws.unique("Role-to-Assume");
    String target = Aws.unique("deploy-b");
    try (IamClient iamB = Aws.iam(env, env.accountB())) {
      iamB.createRole(
          r ->
              r.roleName(target)
                  .assumeRolePolicyDocument(
                      trustingAccount("arn:aws:iam::" + TestEnvironment.ACCOUNT_B + ":root")));
    }
    StsRoleBinding binding = new StsRoleBinding();
    binding.setMetadata(new ObjectMetaBuilder().withName(Aws.unique("secondary")).build());
    binding.setSpec(new StsRoleBindingSpec());
    binding.getSpec().accountId = TestEnvironment.ACCOUNT_B;
    binding.getSpec().roleArn =
        "arn:aws:iam::" + TestEnvironment.ACCOUNT_B + ":role/" + roleToAssume;
    binding.getSpec().externalId = "ext-lease-it";
    binding.getSpec().authConfigRef = CONFIG;
    binding.getSpec().trust = new StsRoleBindingSpec.Trust();
    binding.getSpec().trust.manage = true;
    binding.getSpec().trust.adminSecretRef = new SecretReference(NS, "admin-b");
    client.resource(binding).create();

    VaultAwsRole role = role(Aws.unique("deploy-remote"), CredentialType.ASSUMED_ROLE);
    role.getSpec().roleArns =
        List.of("arn:aws:iam::" + TestEnvironment.ACCOUNT_B + ":role/" + target);
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("remote"), role);
    request.getSpec().ttl = "60m";
    client.resource(request).create();
    AwsCredentialRequest ready = awaitCondition(request, "Ready", "True");
    assertThat(callerOf(secret(request)).arn())
        .matches("arn:aws:sts::222222222222:assumed-role/" + target + "/[\\w+=,.@-]{2,64}");
    assertThat(ready.getStatus().ttl).isEqualTo("1h");
    assertSessionNamesTheWorkload(ready);
    String bindingName = binding.getMetadata().getName();
    awaitRoleReason(role, "SessionIdentityAllowed");
    awaitBindingReason(bindingName, "SessionIdentityAllowed");

    // A second role in the account whose trust admits the binding's role to sts:AssumeRole only:
    // the binding names it, with the statement for the binding's role.
    String plain = Aws.unique("deploy-b-plain");
    try (IamClient iamB = Aws.iam(env, env.accountB())) {
      iamB.createRole(
          r ->
              r.roleName(plain)
                  .assumeRolePolicyDocument(
                      trustingForAssumeRoleOnly(
                          "arn:aws:iam::" + TestEnvironment.ACCOUNT_B + ":root")));
    }
    VaultAwsRole second = role(Aws.unique("deploy-remote-plain"), CredentialType.ASSUMED_ROLE);
    second.getSpec().roleArns =
        List.of("arn:aws:iam::" + TestEnvironment.ACCOUNT_B + ":role/" + plain);
    createReady(second);
    StsRoleBinding lacking = awaitBindingReason(bindingName, "TrustLacksSessionIdentity");
    assertThat(lacking.getStatus().isTrue("Ready")).isTrue();
    assertThat(lacking.getStatus().sessionIdentityGaps)
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.roleArn).isEqualTo(second.getSpec().roleArns.get(0));
              assertThat(g.statementToAdd).contains(binding.getSpec().roleArn);
            });
    // Once the role that named it goes, the binding's condition is True again.
    client.resource(second).withTimeout(60, TimeUnit.SECONDS).delete();
    awaitBindingReason(bindingName, "SessionIdentityAllowed");
    client.resource(ready).withTimeout(60, TimeUnit.SECONDS).delete();
    client.resource(binding).withTimeout(60, TimeUnit.SECONDS).delete();
  }

  private static VaultAwsRole awaitRoleReason(VaultAwsRole role, String reason) {
    return Fixtures.awaitReason(
        client,
        VaultAwsRole.class,
        role.getMetadata().getName(),
        "SessionIdentity",
        reason,
        Duration.ofSeconds(90));
  }

  private static StsRoleBinding awaitBindingReason(String name, String reason) {
    return Fixtures.awaitReason(
        client, StsRoleBinding.class, name, "SessionIdentity", reason, Duration.ofSeconds(90));
  }

  @Test
  void deletingTheRoleRevokesTheLease() {
    VaultAwsRole role = role(Aws.unique("doomed"), CredentialType.IAM_USER);
    role.getSpec().policyDocument = json(EC2_ALL);
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("orphaned"), role);
    client.resource(request).create();
    String userName = awaitCondition(request, "Ready", "True").getStatus().iamUserName;

    client.resource(role).withTimeout(60, TimeUnit.SECONDS).delete();
    AwsCredentialRequest revoked = awaitCondition(request, "Ready", "False");
    assertThat(revoked.getStatus().condition("Ready").orElseThrow().getReason())
        .isEqualTo("RoleNotFound");
    assertThat(revoked.getStatus().iamUserName).isNull();
    assertThat(revoked.getStatus().revokedAt).isNotNull();
    assertThat(secret(request).getData()).isNullOrEmpty();
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      assertThat(userExists(iam, userName)).isFalse();
    }
  }

  @Test
  void aBindingChangeThatNoLongerAdmitsTheRequestRevokesIt() {
    VaultAwsRole role = role(Aws.unique("narrowed"), CredentialType.FEDERATION_TOKEN);
    role.getSpec().policyDocument = json(EC2_ALL);
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("denied-later"), role);
    client.resource(request).create();
    awaitCondition(request, "Ready", "True");

    client
        .resources(VaultAwsRole.class)
        .withName(role.getMetadata().getName())
        .edit(
            r -> {
              r.getSpec().bindings.namespaces = List.of("someone-else");
              return r;
            });
    AwsCredentialRequest denied = awaitCondition(request, "IdentityVerified", "False");
    assertThat(denied.getStatus().condition("IdentityVerified").orElseThrow().getReason())
        .isEqualTo("NamespaceNotBound");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> secret(request).getData() == null || secret(request).getData().isEmpty());
    assertThat(get(request).getStatus().isTrue("Ready")).isFalse();
  }

  @Test
  void orphanSweepDeletesOnlyThisClustersUsersWhoseRequestIsGone() {
    VaultAwsRole role = role(Aws.unique("kept"), CredentialType.IAM_USER);
    role.getSpec().policyDocument = json(EC2_ALL);
    createReady(role);
    AwsCredentialRequest live = request(Aws.unique("live"), role);
    client.resource(live).create();
    String liveUser = awaitCondition(live, "Ready", "True").getStatus().iamUserName;

    String gone = java.util.UUID.randomUUID().toString();
    String orphan = "aao-orphan-" + gone;
    String foreign = "aao-foreign-" + java.util.UUID.randomUUID();
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.createUser(r -> r.userName(orphan).tags(ownerTags(cluster.id(), gone)));
      iam.putUserPolicy(
          r -> r.userName(orphan).policyName("aws-auth-operator").policyDocument(EC2_ALL));
      iam.createAccessKey(r -> r.userName(orphan));
      iam.createUser(
          r ->
              r.userName(foreign)
                  .tags(ownerTags("another-cluster", foreign.substring("aao-foreign-".length()))));
      // As on AWS, the sweep's ListUsers sees new users only once they have propagated.
      Emulator.settle(env);

      List<String> deleted = sweep.sweep(Duration.ZERO);

      assertThat(deleted).contains(orphan).doesNotContain(liveUser, foreign);
      assertThat(userExists(iam, orphan)).isFalse();
      assertThat(userExists(iam, foreign)).as("another cluster's user").isTrue();
      assertThat(userExists(iam, liveUser)).as("a standing request's user").isTrue();
      String young = "aao-young-" + java.util.UUID.randomUUID();
      iam.createUser(
          r ->
              r.userName(young)
                  .tags(ownerTags(cluster.id(), young.substring("aao-young-".length()))));
      Emulator.settle(env);
      sweep.sweep(Duration.ofHours(1));
      assertThat(userExists(iam, young)).as("younger than the minimum age").isTrue();
      assertThat(sweep.sweep(Duration.ZERO)).contains(young);
    }
    client.resource(live).withTimeout(60, TimeUnit.SECONDS).delete();
  }

  private static List<Tag> ownerTags(String clusterId, String uid) {
    return List.of(
        Tag.builder().key("app.kubernetes.io/managed-by").value("aws-auth-operator").build(),
        Tag.builder().key("awsauth.io/cluster").value(clusterId).build(),
        Tag.builder().key("awsauth.io/uid").value(uid).build());
  }

  @Test
  void metricsCountAwsCallsIssuanceLeasesAndErrors() throws Exception {
    double calls = metric("aao_aws_calls_total{operation=\"GetSessionToken\",outcome=\"success\"");
    double issued = metric("aao_issuance_seconds_count{outcome=\"success\",type=\"session_token\"");
    double roleNotFound =
        metric("aao_reconcile_errors_total{kind=\"AwsCredentialRequest\",reason=\"RoleNotFound\"");
    VaultAwsRole role = role(Aws.unique("metered"), CredentialType.SESSION_TOKEN);
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("metered"), role);
    client.resource(request).create();
    awaitCondition(request, "Ready", "True");
    AwsCredentialRequest lost = request(Aws.unique("lost"), role);
    lost.getSpec().roleRef = "no-such-role";
    client.resource(lost).create();
    awaitCondition(lost, "Ready", "False");

    assertThat(metric("aao_aws_calls_total{operation=\"GetSessionToken\",outcome=\"success\""))
        .isGreaterThan(calls);
    assertThat(metric("aao_issuance_seconds_count{outcome=\"success\",type=\"session_token\""))
        .isGreaterThan(issued);
    assertThat(
            metric(
                "aao_reconcile_errors_total{kind=\"AwsCredentialRequest\",reason=\"RoleNotFound\""))
        .isGreaterThan(roleNotFound);
    assertThat(metric("aao_leases{state=\"ready\"")).isGreaterThanOrEqualTo(1);
    assertThat(metric("aao_lease_nearest_expiry_seconds")).isPositive();
    printWhatTheEmulatorsTimeCaused();
    // JOSDK's own metrics, per controller: no series names a request
    assertThat(metricsText())
        .contains("operator_sdk_reconciliations_started_total")
        .doesNotContain(request.getMetadata().getName())
        .doesNotContain(lost.getMetadata().getName());
  }

  /**
   * What the emulator's time (the build's default) made the operator meet so far in this JVM: calls
   * AWS refused (a key not yet propagated, throttling past the SDK's retries) and the time the
   * operator's own pacing waited. Printed for the run's record, not asserted (it depends on which
   * tests ran first and on the machine's speed).
   */
  private void printWhatTheEmulatorsTimeCaused() throws Exception {
    metricsText()
        .lines()
        .filter(
            l ->
                (l.startsWith("aao_aws_calls_total") && !l.contains("outcome=\"success\""))
                    || l.startsWith("aao_aws_rate_limited_seconds_total"))
        .forEach(l -> System.out.println("[emulator time] " + l));
  }

  /** The value of the first sample whose line starts with {@code prefix} (0 when absent). */
  private String metricsText() throws Exception {
    try (var in = metrics.openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private double metric(String prefix) throws Exception {
    return metricsText()
        .lines()
        .filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(0);
  }

  @Test
  void deletingTheBoundPodRevokesTheCredential() {
    VaultAwsRole role = role(Aws.unique("pod-bound"), CredentialType.FEDERATION_TOKEN);
    role.getSpec().policyDocument = json(EC2_ALL);
    createReady(role);
    String podName = Aws.unique("worker");
    Fixtures.pod(client, NS, podName, SA);
    AwsCredentialRequest request = request(Aws.unique("pod-lease"), role);
    request.getSpec().identity.podName = podName;
    client.resource(request).create();
    awaitCondition(request, "Ready", "True");
    assertThat(secret(request).getData()).containsKey("AWS_SESSION_TOKEN");
    SecretHygiene hygiene = new SecretHygiene();
    hygiene.record(secret(request));

    client.pods().inNamespace(NS).withName(podName).withGracePeriod(0).delete();
    AwsCredentialRequest revoked = awaitCondition(request, "IdentityVerified", "False");
    assertThat(revoked.getStatus().condition("IdentityVerified").orElseThrow().getReason())
        .isEqualTo("PodNotFound");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> secret(request).getData() == null || secret(request).getData().isEmpty());
    assertThat(eventReasons(request)).contains("Revoked");
    // the Revoked event names the lease, never the revoked access key ID
    hygiene.scan(client, List.of()).assertClean();
  }

  @Test
  void aPodRunningAsAnotherServiceAccountIsDenied() {
    VaultAwsRole role = role(Aws.unique("pod-sa"), CredentialType.SESSION_TOKEN);
    createReady(role);
    String podName = Aws.unique("impostor");
    Fixtures.pod(client, NS, podName, "default");
    AwsCredentialRequest request = request(Aws.unique("impostor"), role);
    request.getSpec().identity.podName = podName;
    client.resource(request).create();
    assertDenied(request, "IdentityVerified", "PodServiceAccountMismatch", "default");
  }

  // --- bad input: a condition with a reason and an Event, nothing issued -------------------

  @Test
  void unknownRoleIsNamed() {
    AwsCredentialRequest request = new AwsCredentialRequest();
    request.setMetadata(
        new ObjectMetaBuilder().withName(Aws.unique("no-role")).withNamespace(NS).build());
    request.setSpec(new AwsCredentialRequestSpec());
    request.getSpec().roleRef = "does-not-exist";
    client.resource(request).create();
    assertDenied(request, "Ready", "RoleNotFound", "does-not-exist");
  }

  @Test
  void namespaceTheRoleDoesNotAdmitIsDenied() {
    VaultAwsRole role = role(Aws.unique("other-team"), CredentialType.SESSION_TOKEN);
    role.getSpec().bindings.namespaces = List.of("team-*");
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("intruder"), role);
    client.resource(request).create();
    assertDenied(request, "IdentityVerified", "NamespaceNotBound", "bindings.namespaces");
  }

  @Test
  void serviceAccountTheRoleDoesNotAdmitIsDenied() {
    VaultAwsRole role = role(Aws.unique("ci-only"), CredentialType.SESSION_TOKEN);
    role.getSpec().bindings.serviceAccounts = List.of(NS + "/ci-*");
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("not-ci"), role);
    client.resource(request).create();
    assertDenied(request, "IdentityVerified", "ServiceAccountNotBound", NS + "/" + SA);
  }

  @Test
  void missingServiceAccountIsDenied() {
    VaultAwsRole role = role(Aws.unique("any"), CredentialType.SESSION_TOKEN);
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("ghost"), role);
    request.getSpec().identity.serviceAccountName = "ghost";
    client.resource(request).create();
    assertDenied(request, "IdentityVerified", "ServiceAccountNotFound", "ghost");
  }

  @Test
  void roleArnNotInTheRoleIsRefused() {
    VaultAwsRole role = role(Aws.unique("two-arns"), CredentialType.ASSUMED_ROLE);
    role.getSpec().roleArns =
        List.of(
            "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/a",
            "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/b");
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("wrong-arn"), role);
    request.getSpec().roleArn = "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/c";
    client.resource(request).create();
    assertDenied(request, "Ready", "RoleArnNotInRole", "role/c");
  }

  @Test
  void aSecretTheOperatorDoesNotOwnIsNeitherOverwrittenNorRead() {
    String name = Aws.unique("taken");
    Fixtures.secret(client, NS, name, Map.of("precious", "do-not-touch"));
    VaultAwsRole role = role(Aws.unique("any-secret"), CredentialType.IAM_USER);
    role.getSpec().policyArns = List.of("arn:aws:iam::aws:policy/ReadOnlyAccess");
    createReady(role);
    AwsCredentialRequest request = request(Aws.unique("squatter"), role);
    request.getSpec().secretName = name;
    String uid = client.resource(request).create().getMetadata().getUid();
    assertDenied(request, "Ready", "SecretNotOwned", name);
    Secret untouched = client.secrets().inNamespace(NS).withName(name).get();
    assertThat(untouched.getData()).containsOnlyKeys("precious");
    assertThat(untouched.getMetadata().getOwnerReferences()).isNullOrEmpty();
    // Refused before anything was issued (IsolationSuite found an IAM user made, then unwritable).
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      assertThat(iam.listUsersPaginator(r -> r.maxItems(1000)).users())
          .noneMatch(u -> u.userName().contains(uid));
    }
  }

  // --- helpers ------------------------------------------------------------------------------

  private static void assertDenied(
      AwsCredentialRequest request, String type, String reason, String mentions) {
    AwsCredentialRequest denied = awaitCondition(request, type, "False");
    Condition c = denied.getStatus().condition(type).orElseThrow();
    assertThat(c.getReason()).isEqualTo(reason);
    assertThat(c.getMessage()).contains(mentions);
    assertThat(denied.getStatus().isTrue("Ready")).isFalse();
    assertThat(denied.getStatus().leaseId).isNull();
    assertThat(denied.getStatus().accessKeyId).isNull();
    assertThat(denied.getStatus().iamUserName).isNull();
    await().atMost(Duration.ofSeconds(10)).until(() -> eventReasons(request).contains(reason));
    Secret secret =
        client
            .secrets()
            .inNamespace(NS)
            .withName(AwsCredentialRequestReconciler.secretName(request))
            .get();
    if (secret != null) {
      assertThat(secret.getData()).doesNotContainKey("AWS_ACCESS_KEY_ID");
    }
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

  /** The request once it is Ready with a key other than {@code key}: rotated (ttl 40s). */
  private static AwsCredentialRequest awaitRotatedFrom(AwsCredentialRequest request, String key) {
    return await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> get(request),
            r ->
                r.getStatus().accessKeyId != null
                    && !key.equals(r.getStatus().accessKeyId)
                    && r.getStatus().isTrue("Ready"));
  }

  private static AwsCredentialRequest get(AwsCredentialRequest request) {
    return client
        .resources(AwsCredentialRequest.class)
        .inNamespace(NS)
        .withName(request.getMetadata().getName())
        .get();
  }

  static AwsCredentialRequest awaitCondition(
      AwsCredentialRequest request, String type, String value) {
    return Fixtures.awaitCondition(client, request, type, value);
  }

  private static Secret secret(AwsCredentialRequest request) {
    return client
        .secrets()
        .inNamespace(NS)
        .withName(AwsCredentialRequestReconciler.secretName(request))
        .get();
  }

  private static String value(Secret secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  /** sts:GetCallerIdentity with the credential the Secret holds. */
  static GetCallerIdentityResponse callerOf(Secret secret) {
    String keyId = value(secret, "AWS_ACCESS_KEY_ID");
    String secretKey = value(secret, "AWS_SECRET_ACCESS_KEY");
    Optional<String> token =
        Optional.ofNullable(secret.getData().get("AWS_SESSION_TOKEN"))
            .map(v -> value(secret, "AWS_SESSION_TOKEN"));
    AwsCredentials credentials =
        token.isPresent()
            ? AwsSessionCredentials.create(keyId, secretKey, token.get())
            : AwsBasicCredentials.create(keyId, secretKey);
    try (StsClient sts = Aws.sts(env, credentials)) {
      return sts.getCallerIdentity();
    }
  }

  private static List<String> eventReasons(AwsCredentialRequest request) {
    return client.events().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> request.getMetadata().getName().equals(e.getRegarding().getName()))
        .map(Event::getReason)
        .toList();
  }

  private static boolean userExists(IamClient iam, String userName) {
    try {
      iam.getUser(r -> r.userName(userName));
      return true;
    } catch (NoSuchEntityException e) {
      return false;
    }
  }

  static String trustingAccount(String principal) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
        + principal
        + "\"},\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\",\"sts:SetSourceIdentity\"]}]}";
  }

  /** A trust that admits the principal to sts:AssumeRole only (no tags, no source identity). */
  static String trustingForAssumeRoleOnly(String principal) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
        + principal
        + "\"},\"Action\":\"sts:AssumeRole\"}]}";
  }

  /** The session identity STS recorded for the request's current credential. */
  private static void assertSessionNamesTheWorkload(AwsCredentialRequest ready) {
    var session = Emulator.session(env, ready.getStatus().accessKeyId);
    assertThat(session.path("sourceIdentity").asText()).isEqualTo(SA + "@" + NS);
    assertThat(ready.getStatus().sourceIdentity).isEqualTo(SA + "@" + NS);
    var tags = session.path("tags");
    assertThat(tags.path("kubernetes-namespace").asText()).isEqualTo(NS);
    assertThat(tags.path("kubernetes-service-account").asText()).isEqualTo(SA);
    assertThat(tags.path("awsauth-request").asText()).isEqualTo(ready.getMetadata().getName());
    assertThat(tags.path("awsauth-request-uid").asText()).isEqualTo(ready.getMetadata().getUid());
    assertThat(tags.path("kubernetes-cluster").asText()).isNotBlank();
    assertThat(ready.getStatus().issueNote).isNull();
  }

  private static ObjectNode json(String s) {
    try {
      return (ObjectNode) new ObjectMapper().readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
