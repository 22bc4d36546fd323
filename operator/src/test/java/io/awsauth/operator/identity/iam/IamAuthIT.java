package io.awsauth.operator.identity.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.awsauth.operator.api.v1alpha1.AuthType;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.StsRoleBinding;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.identity.IdentityScenario;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.TestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * authType iam on the real API server and the emulator (whose STS verifies SigV4 signatures): a
 * workload signs sts:GetCallerIdentity with its own credentials (the AWS SDK's signer, as {@code
 * vault login -method=aws} does), the test stores it in a Secret in the Vault CLI's encoding, and
 * the operator forwards it to the configured STS endpoint and matches the answer.
 */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class IamAuthIT {
  static final String NS = "aao-iam-auth-it";
  static final String CONFIG = "iam-auth-it";
  static final String BODY = "Action=GetCallerIdentity&Version=2011-06-15";
  static final String ASSUME_ANY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          + "\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}";
  static IdentityScenario s;
  static TestEnvironment env;

  @BeforeAll
  static void operatorIdentity() {
    s = IdentityScenario.start(NS, CONFIG);
    env = s.env;
  }

  @Test
  void aProofSignedByABoundUserIsAdmittedAndIssued() {
    Workload user = user(Aws.unique("app-user"));
    VaultAwsRole role = iamRole(Aws.unique("by-user"), CredentialType.SESSION_TOKEN, user.arn());
    AwsCredentialRequest request = request(Aws.unique("user-proof"), role, proof(sign(user)));

    AwsCredentialRequest ready = s.awaitCondition(request, "Ready", "True");
    s.assertVerified(ready);
    assertThat(s.secret(request).getData()).containsKeys("AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN");
  }

  @Test
  void aProofSignedByAnAssumedRoleIsMatchedByItsRoleArnPrefix() {
    String roleName = Aws.unique("vault-secondary");
    Workload user = user(Aws.unique("assumer"));
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.putUserPolicy(
          r -> r.userName(user.name()).policyName("assume").policyDocument(ASSUME_ANY));
      iam.createRole(
          r -> r.roleName(roleName).path("/team/").assumeRolePolicyDocument(trusting(user.arn())));
    }
    Workload assumed =
        assumedBy(user, "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/team/" + roleName);
    VaultAwsRole role =
        iamRole(
            Aws.unique("by-prefix"),
            CredentialType.FEDERATION_TOKEN,
            "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/team/vault-secondary*");
    AwsCredentialRequest request = request(Aws.unique("role-proof"), role, proof(sign(assumed)));

    AwsCredentialRequest ready = s.awaitCondition(request, "Ready", "True");
    s.assertVerified(ready);
    assertThat(s.secret(request).getData()).containsKeys("AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN");

    // Bound without the path, the same session is not admitted: the role's full ARN is compared.
    VaultAwsRole pathless =
        iamRole(
            Aws.unique("no-path"),
            CredentialType.SESSION_TOKEN,
            "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/vault-secondary*");
    AwsCredentialRequest refused =
        request(Aws.unique("role-proof-nopath"), pathless, proof(sign(assumed)));
    s.assertDenied(refused, "CallerNotBound", "bindings.iamPrincipalArns");
  }

  @Test
  void aProofOfAnUnboundPrincipalIsDenied() {
    Workload bound = user(Aws.unique("bound"));
    Workload other = user(Aws.unique("other"));
    VaultAwsRole role =
        iamRole(Aws.unique("only-bound"), CredentialType.SESSION_TOKEN, bound.arn());
    AwsCredentialRequest request = request(Aws.unique("other-proof"), role, proof(sign(other)));
    s.assertDenied(request, "CallerNotBound", "bindings.iamPrincipalArns of role");
  }

  @Test
  void aUserDeletedAndCreatedAgainUnderTheSameNameIsNotTheBoundOne() {
    String name = Aws.unique("recreated");
    Workload original = user(name);
    VaultAwsRole role = iamRole(Aws.unique("exact"), CredentialType.SESSION_TOKEN, original.arn());
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.deleteAccessKey(r -> r.userName(name).accessKeyId(original.keyId()));
      iam.deleteUser(r -> r.userName(name));
    }
    Workload impostor = user(name);
    assertThat(impostor.arn()).isEqualTo(original.arn());
    AwsCredentialRequest request = request(Aws.unique("impostor"), role, proof(sign(impostor)));
    s.assertDenied(request, "CallerNotBound", "unique ID");
  }

  /**
   * Issue 21, bug 1: a session of a role that was deleted and created again under the same name is
   * not the role's session any more, even right after the old role was looked up for an admitted
   * request (the lookup is fresh at every verification, never a cached "this role exists").
   */
  @Test
  void aSessionOfARoleDeletedAndCreatedAgainIsRefusedRightAfterItsRoleWasLookedUp() {
    String roleName = Aws.unique("recreated-role");
    String roleArn = "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/" + roleName;
    Workload user = user(Aws.unique("re-assumer"));
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.putUserPolicy(
          r -> r.userName(user.name()).policyName("assume").policyDocument(ASSUME_ANY));
      iam.createRole(r -> r.roleName(roleName).assumeRolePolicyDocument(trusting(user.arn())));
    }
    Workload session = assumedBy(user, roleArn);
    VaultAwsRole role =
        iamRole(
            Aws.unique("by-recreated"),
            CredentialType.SESSION_TOKEN,
            "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/" + roleName + "*");
    String firstProof = proof(sign(session));
    String keptProof = proof(sign(session));
    AwsCredentialRequest admitted = request(Aws.unique("before-recreate"), role, firstProof);
    s.assertVerified(s.awaitCondition(admitted, "Ready", "True"));

    String oldRoleId;
    String newRoleId;
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      oldRoleId = iam.getRole(r -> r.roleName(roleName)).role().roleId();
      iam.deleteRole(r -> r.roleName(roleName));
      newRoleId =
          iam.createRole(r -> r.roleName(roleName).assumeRolePolicyDocument(trusting(user.arn())))
              .role()
              .roleId();
    }
    assertThat(newRoleId).isNotEqualTo(oldRoleId);
    try (StsClient sts =
        Aws.sts(
            env,
            AwsSessionCredentials.create(session.keyId(), session.secret(), session.token()))) {
      // The kept proof's session is still a session of the old role, which STS still accepts.
      assertThat(sts.getCallerIdentity().userId()).startsWith(oldRoleId + ":");
    }

    AwsCredentialRequest after = request(Aws.unique("after-recreate"), role, keptProof);
    s.assertDenied(after, "CallerNotBound", "no longer exists as the role the session was issued");
  }

  @Test
  void aProofTamperedAfterSigningIsRefusedBySts() {
    Workload user = user(Aws.unique("tampered"));
    VaultAwsRole role = iamRole(Aws.unique("tamper"), CredentialType.SESSION_TOKEN, user.arn());
    Map<String, List<String>> headers = sign(user);
    // A signed header changed afterwards: still a well-formed proof, but no longer the signature's.
    String date = headers.get("X-Amz-Date").get(0);
    String seconds = date.substring(13, 15);
    headers.put(
        "X-Amz-Date",
        List.of(date.substring(0, 13) + (seconds.equals("00") ? "01" : "00") + date.substring(15)));
    AwsCredentialRequest request = request(Aws.unique("tampered"), role, proof(headers));
    s.assertDenied(request, "ProofRefused", "SignatureDoesNotMatch");
  }

  @Test
  void aProofForAnotherUrlIsRefusedBeforeSending() {
    Workload user = user(Aws.unique("elsewhere"));
    VaultAwsRole role = iamRole(Aws.unique("elsewhere"), CredentialType.SESSION_TOKEN, user.arn());
    URI endpoint = URI.create(env.awsEndpoint());
    String other = "http://localhost.invalid:" + endpoint.getPort() + "/";
    Map<String, List<String>> headers = user.sign(other, BODY, Map.of());
    AwsCredentialRequest request = request(Aws.unique("elsewhere"), role, proof(other, headers));
    s.assertDenied(request, "ProofWrongEndpoint", "not for an STS host this AwsAuthConfig accepts");
  }

  @Test
  void aMissingProofSecretIsDenied() {
    Workload user = user(Aws.unique("nosecret"));
    VaultAwsRole role = iamRole(Aws.unique("nosecret"), CredentialType.SESSION_TOKEN, user.arn());
    AwsCredentialRequest request = request(Aws.unique("nosecret"), role, Aws.unique("absent"));
    s.assertDenied(request, "ProofSecretNotFound", "does not exist");
  }

  /**
   * Seed 001: roles vault-secondary-role1 and secondary-role2 in the secondary account, bound as
   * {@code role/vault-secondary*} and {@code role/secondary*}; their sessions are resolved with
   * iam:GetRole in account B through the StsRoleBinding, and other-role is refused.
   */
  @Test
  void seed001SessionsOfTheSecondaryAccountAreMatchedThroughItsStsRoleBinding() {
    String suffix = Aws.unique("x").substring(2);
    String role1 = "vault-secondary-role1-" + suffix;
    String role2 = "secondary-role2-" + suffix;
    String other = "other-role-" + suffix;
    Workload assumer;
    try (IamClient iamB = Aws.iam(env, env.accountB())) {
      String user = "workload-" + suffix;
      iamB.createUser(r -> r.userName(user));
      iamB.putUserPolicy(r -> r.userName(user).policyName("assume").policyDocument(ASSUME_ANY));
      var key = iamB.createAccessKey(r -> r.userName(user)).accessKey();
      String userArn = "arn:aws:iam::" + TestEnvironment.ACCOUNT_B + ":user/" + user;
      assumer = new Workload(user, userArn, key.accessKeyId(), key.secretAccessKey(), null);
      for (String name : List.of(role1, role2, other)) {
        iamB.createRole(r -> r.roleName(name).assumeRolePolicyDocument(trusting(userArn)));
      }
    }
    StsRoleBinding binding = s.secondaryAccountBinding();

    String b = "arn:aws:iam::" + TestEnvironment.ACCOUNT_B + ":role/";
    VaultAwsRole role =
        iamRole(
            Aws.unique("seed-001"),
            CredentialType.SESSION_TOKEN,
            CONFIG,
            List.of(b + "vault-secondary*", b + "secondary*"));
    for (String admitted : List.of(role1, role2)) {
      Workload session = assumedBy(assumer, b + admitted);
      AwsCredentialRequest request = request(Aws.unique("seed"), role, proof(sign(session)));
      AwsCredentialRequest ready = s.awaitCondition(request, "Ready", "True");
      s.assertVerified(ready);
    }
    Workload refused = assumedBy(assumer, b + other);
    AwsCredentialRequest request = request(Aws.unique("seed-other"), role, proof(sign(refused)));
    s.assertDenied(request, "CallerNotBound", b + other);
    s.client.resource(binding).withTimeout(60, TimeUnit.SECONDS).delete();
  }

  @Test
  void theServerIdHeaderMustBeSignedWithTheConfiguredValue() {
    String config = Aws.unique("server-id");
    AwsAuthConfig withServerId = s.authConfig(config);
    withServerId.getSpec().iamServerIdHeaderValue = "vault.example.com";
    s.applyReady(withServerId);
    Workload user = user(Aws.unique("server-id"));
    VaultAwsRole role =
        iamRole(Aws.unique("server-id"), CredentialType.SESSION_TOKEN, config, List.of(user.arn()));
    String url = env.awsEndpoint();

    AwsCredentialRequest right =
        request(
            Aws.unique("right-id"),
            role,
            proof(user.sign(url, BODY, Map.of(IamProof.SERVER_ID_HEADER, "vault.example.com"))));
    s.awaitCondition(right, "Ready", "True");

    AwsCredentialRequest wrong =
        request(
            Aws.unique("wrong-id"),
            role,
            proof(user.sign(url, BODY, Map.of(IamProof.SERVER_ID_HEADER, "other.example.com"))));
    s.assertDenied(wrong, "ProofServerIdMismatch", IamProof.SERVER_ID_HEADER);

    AwsCredentialRequest none = request(Aws.unique("no-id"), role, proof(sign(user)));
    s.assertDenied(none, "ProofServerIdMissing", IamProof.SERVER_ID_HEADER);
    s.client.resource(withServerId).delete();
  }

  @Test
  void anUnsignedProofAndAProofOfAnotherActionAreRefusedBeforeSending() {
    Workload user = user(Aws.unique("unsigned"));
    VaultAwsRole role = iamRole(Aws.unique("unsigned"), CredentialType.SESSION_TOKEN, user.arn());
    Map<String, List<String>> headers = sign(user);
    headers.remove("Authorization");
    AwsCredentialRequest unsigned = request(Aws.unique("unsigned"), role, proof(headers));
    s.assertDenied(unsigned, "ProofUnsigned", "unsigned");

    String action = "Action=GetSessionToken&Version=2011-06-15";
    AwsCredentialRequest otherAction =
        request(
            Aws.unique("other-action"),
            role,
            proof(env.awsEndpoint(), action, user.sign(env.awsEndpoint(), action, Map.of())));
    s.assertDenied(otherAction, "ProofWrongAction", "GetCallerIdentity");
  }

  /**
   * STS refuses a signature 15 minutes after it was made (here: at once, its key being deleted),
   * yet what it said of the proof stays true: renewal re-matches the bindings without sending the
   * proof again, so the lease is renewed, not revoked.
   */
  @Test
  void renewalDoesNotSendAnAgedProofAgain() {
    Workload user = user(Aws.unique("renewed"));
    VaultAwsRole role = iamRole(Aws.unique("renewed"), CredentialType.IAM_USER, user.arn());
    String proof = proof(sign(user));
    AwsCredentialRequest request =
        s.request(
            Aws.unique("renewed"),
            role,
            spec -> {
              spec.ttl = "40s";
              spec.identity.iamProofSecretRef = ref(proof);
            });
    String firstKey = s.awaitCondition(request, "Ready", "True").getStatus().accessKeyId;
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.deleteAccessKey(r -> r.userName(user.name()).accessKeyId(user.keyId()));
    }
    AwsCredentialRequest renewed =
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> s.get(request),
                r ->
                    r.getStatus().accessKeyId != null
                        && !firstKey.equals(r.getStatus().accessKeyId)
                        && r.getStatus().isTrue("Ready"));
    assertThat(renewed.getStatus().isTrue("IdentityVerified")).isTrue();
    // (a 40 s lease left behind would keep rotating through the classes that run after this one)
    s.client.resource(renewed).withTimeout(60, TimeUnit.SECONDS).delete();
  }

  // --- helpers ------------------------------------------------------------------------------

  static String trusting(String principalArn) {
    return Workload.trusting(principalArn);
  }

  static Workload assumedBy(Workload assumer, String roleArn) {
    return Workload.assumedBy(env, assumer, roleArn);
  }

  static Workload user(String name) {
    return Workload.user(env, name);
  }

  /** {@code workload}'s proof for the emulator, signed now. */
  static Map<String, List<String>> sign(Workload workload) {
    return workload.sign(env.awsEndpoint(), BODY, Map.of());
  }

  /** A Secret in the Vault CLI's encoding of a proof for the emulator; returns its name. */
  static String proof(Map<String, List<String>> headers) {
    return proof(env.awsEndpoint(), headers);
  }

  static String proof(String url, Map<String, List<String>> headers) {
    return proof(url, BODY, headers);
  }

  static String proof(String url, String body, Map<String, List<String>> headers) {
    return Workload.proofSecret(s.client, NS, url, body, headers);
  }

  static VaultAwsRole iamRole(String name, CredentialType type, String principalArn) {
    return iamRole(name, type, CONFIG, List.of(principalArn));
  }

  static VaultAwsRole iamRole(
      String name, CredentialType type, String config, List<String> principalArns) {
    return s.role(name, type, AuthType.IAM, config, b -> b.iamPrincipalArns = principalArns);
  }

  static AwsCredentialRequestSpec.LocalSecretReference ref(String secretName) {
    AwsCredentialRequestSpec.LocalSecretReference ref =
        new AwsCredentialRequestSpec.LocalSecretReference();
    ref.name = secretName;
    return ref;
  }

  static AwsCredentialRequest request(String name, VaultAwsRole role, String proofSecret) {
    return s.request(name, role, spec -> spec.identity.iamProofSecretRef = ref(proofSecret));
  }
}
