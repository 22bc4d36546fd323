package io.awsauth.operator.testenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.GetFederationTokenResponse;
import software.amazon.awssdk.services.sts.model.GetSessionTokenResponse;

/**
 * Proves that the AWS emulator of {@code e2e/local-env} (moto behind {@code
 * e2e/env/moto_server.py}) behaves like AWS where the operator relies on it: authentication is on,
 * role trust policies (with ExternalId conditions) are enforced across accounts, and
 * GetFederationToken / GetSessionToken return real, usable temporary credentials.
 */
@ExtendWith(LocalCluster.class)
class MotoFidelityIT {
  private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);

  private static final String ALLOW_CALLER_IDENTITY =
      """
      {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]}
      """;

  /** Patch 7: an instance names its profile by the profile's ID, as GetInstanceProfile does. */
  @Test
  void anInstanceNamesItsInstanceProfileByTheProfilesId(TestEnvironment env) {
    AwsAccount a = env.accountA();
    String profile = "fidelity-profile-" + SUFFIX;
    try (IamClient iam = Aws.iam(env, a);
        Ec2Client ec2 =
            Ec2Client.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create(env.awsEndpoint()))
                .credentialsProvider(
                    StaticCredentialsProvider.create(basic(a.accessKeyId(), a.secretAccessKey())))
                .build()) {
      var created =
          iam.createInstanceProfile(r -> r.instanceProfileName(profile)).instanceProfile();
      String image = ec2.describeImages(r -> r.owners("amazon")).images().get(0).imageId();
      var instance =
          ec2.runInstances(
                  r ->
                      r.imageId(image)
                          .minCount(1)
                          .maxCount(1)
                          .iamInstanceProfile(p -> p.arn(created.arn())))
              .instances()
              .get(0);
      var described =
          ec2.describeInstances(r -> r.instanceIds(instance.instanceId()))
              .reservations()
              .get(0)
              .instances()
              .get(0)
              .iamInstanceProfile();
      assertThat(described.arn()).isEqualTo(created.arn());
      assertThat(described.id()).isEqualTo(created.instanceProfileId());
      ec2.terminateInstances(r -> r.instanceIds(instance.instanceId()));
    }
  }

  @Test
  void wrongSecretAndUnknownKeyAreRejected(TestEnvironment env) {
    AwsAccount a = env.accountA();
    try (StsClient good = sts(env, basic(a.accessKeyId(), a.secretAccessKey()));
        StsClient wrongSecret = sts(env, basic(a.accessKeyId(), a.secretAccessKey() + "x"));
        StsClient unknownKey = sts(env, basic("AKIA" + "Z".repeat(16), a.secretAccessKey()))) {
      assertThat(good.getCallerIdentity().account()).isEqualTo(a.id());
      assertThat(errorCode(() -> wrongSecret.getCallerIdentity()))
          .isEqualTo("SignatureDoesNotMatch");
      assertThat(errorCode(() -> unknownKey.getCallerIdentity())).isEqualTo("InvalidClientTokenId");
    }
  }

  @Test
  void crossAccountAssumeRoleHonoursTheTrustPolicy(TestEnvironment env) {
    AwsAccount a = env.accountA();
    AwsAccount b = env.accountB();
    String callerArn = "arn:aws:iam::" + a.id() + ":user/aao-admin";
    try (IamClient iamB = iam(env, b);
        StsClient stsA = sts(env, a)) {
      for (String principal :
          new String[] {
            "\"" + a.id() + "\"",
            "\"arn:aws:iam::" + a.id() + ":root\"",
            "\"" + callerArn + "\"",
            "\"*\"",
            "[\"arn:aws:iam::" + b.id() + ":root\", \"" + callerArn + "\"]"
          }) {
        String roleArn = createRole(iamB, "trusted", trustPolicy(principal, null));
        AssumeRoleResponse assumed = assumeRole(stsA, roleArn, null);
        assertThat(assumed.assumedRoleUser().arn())
            .as("trust principal %s", principal)
            .isEqualTo(
                "arn:aws:sts::" + b.id() + ":assumed-role/" + roleName(roleArn) + "/fidelity");
      }

      for (String principal :
          new String[] {
            "\"" + b.id() + "\"",
            "\"arn:aws:iam::" + a.id() + ":user/somebody-else\"",
            "\"arn:aws:iam::" + a.id() + ":role/some-role\""
          }) {
        String roleArn = createRole(iamB, "untrusted", trustPolicy(principal, null));
        AwsServiceException denied = awsError(() -> assumeRole(stsA, roleArn, null));
        assertThat(denied.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
        assertThat(denied.awsErrorDetails().errorMessage())
            .isEqualTo(
                "User: "
                    + callerArn
                    + " is not authorized to perform: sts:AssumeRole on resource: "
                    + roleArn);
      }

      String missing = "arn:aws:iam::" + b.id() + ":role/does-not-exist-" + SUFFIX;
      assertThat(errorCode(() -> assumeRole(stsA, missing, null))).isEqualTo("AccessDenied");
    }
  }

  @Test
  void externalIdConditionMustMatch(TestEnvironment env) {
    AwsAccount a = env.accountA();
    AwsAccount b = env.accountB();
    String condition = "{\"StringEquals\": {\"sts:ExternalId\": \"ext-" + SUFFIX + "\"}}";
    try (IamClient iamA = iam(env, a);
        IamClient iamB = iam(env, b);
        StsClient stsA = sts(env, a)) {
      String crossAccount = createRole(iamB, "extid", trustPolicy("\"" + a.id() + "\"", condition));
      assertThat(assumeRole(stsA, crossAccount, "ext-" + SUFFIX).credentials().accessKeyId())
          .startsWith("ASIA");
      assertThat(errorCode(() -> assumeRole(stsA, crossAccount, "wrong")))
          .isEqualTo("AccessDenied");
      assertThat(errorCode(() -> assumeRole(stsA, crossAccount, null))).isEqualTo("AccessDenied");

      String sameAccount =
          createRole(iamA, "extid-same", trustPolicy("\"" + a.id() + "\"", condition));
      assertThat(assumeRole(stsA, sameAccount, "ext-" + SUFFIX).credentials().accessKeyId())
          .startsWith("ASIA");
      assertThat(errorCode(() -> assumeRole(stsA, sameAccount, null))).isEqualTo("AccessDenied");
    }
  }

  @Test
  void assumedRoleCredentialsCarryTheRolesPermissions(TestEnvironment env) {
    AwsAccount a = env.accountA();
    AwsAccount b = env.accountB();
    try (IamClient iamB = iam(env, b);
        StsClient stsA = sts(env, a)) {
      String roleArn = createRole(iamB, "limited", trustPolicy("\"" + a.id() + "\"", null));
      iamB.putRolePolicy(
          r ->
              r.roleName(roleName(roleArn))
                  .policyName("caller-identity-only")
                  .policyDocument(ALLOW_CALLER_IDENTITY));
      Credentials creds =
          stsA.assumeRole(r -> r.roleArn(roleArn).roleSessionName("limited").durationSeconds(900))
              .credentials();
      assertThat(creds.accessKeyId()).startsWith("ASIA");
      assertExpiresIn(creds, Duration.ofSeconds(900));

      try (StsClient roleSts = sts(env, session(creds));
          IamClient roleIam = iam(env, session(creds))) {
        GetCallerIdentityResponse id = roleSts.getCallerIdentity();
        assertThat(id.account()).isEqualTo(b.id());
        assertThat(id.arn())
            .isEqualTo(
                "arn:aws:sts::" + b.id() + ":assumed-role/" + roleName(roleArn) + "/limited");
        assertThat(errorCode(() -> roleIam.createUser(r -> r.userName("nope-" + SUFFIX))))
            .isEqualTo("AccessDenied");
      }
    }
  }

  @Test
  void federationTokenIsRefusedWithSessionCredentials(TestEnvironment env) {
    AwsAccount a = env.accountA();
    try (StsClient stsA = sts(env, a)) {
      Credentials sessionCreds = stsA.getSessionToken(r -> r.durationSeconds(900)).credentials();
      try (StsClient sessionSts = sts(env, session(sessionCreds))) {
        AwsServiceException denied =
            awsError(() -> sessionSts.getFederationToken(r -> r.name("refused")));
        assertThat(denied.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
        assertThat(denied.awsErrorDetails().errorMessage())
            .isEqualTo("Cannot call GetFederationToken with session credentials");
        assertThat(awsError(() -> sessionSts.getSessionToken()).awsErrorDetails().errorMessage())
            .isEqualTo("Cannot call GetSessionToken with session credentials");
      }
    }
  }

  @Test
  void federationTokenIsUsable(TestEnvironment env) {
    AwsAccount a = env.accountA();
    String name = "fed-" + SUFFIX;
    try (StsClient stsA = sts(env, a)) {
      GetFederationTokenResponse first =
          stsA.getFederationToken(
              r -> r.name(name).durationSeconds(1800).policy(ALLOW_CALLER_IDENTITY));
      GetFederationTokenResponse second =
          stsA.getFederationToken(r -> r.name(name).policy(ALLOW_CALLER_IDENTITY));
      Credentials creds = first.credentials();
      assertThat(creds.accessKeyId()).startsWith("ASIA");
      assertThat(creds.sessionToken()).isNotBlank();
      assertThat(second.credentials().accessKeyId()).isNotEqualTo(creds.accessKeyId());
      assertThat(second.credentials().secretAccessKey()).isNotEqualTo(creds.secretAccessKey());
      assertExpiresIn(creds, Duration.ofSeconds(1800));
      assertExpiresIn(second.credentials(), Duration.ofHours(12));
      String federatedArn = "arn:aws:sts::" + a.id() + ":federated-user/" + name;
      assertThat(first.federatedUser().arn()).isEqualTo(federatedArn);

      try (StsClient fedSts = sts(env, session(creds));
          IamClient fedIam = iam(env, session(creds))) {
        GetCallerIdentityResponse id = fedSts.getCallerIdentity();
        assertThat(id.arn()).isEqualTo(federatedArn);
        assertThat(id.account()).isEqualTo(a.id());
        // AWS: GetFederationToken credentials can't call IAM.
        assertThat(errorCode(() -> fedIam.listUsers())).isEqualTo("InvalidClientTokenId");
      }

      String tooLarge =
          IntStream.range(0, 150)
              .mapToObj(i -> "\"ec2:DescribeSomething" + i + "\"")
              .collect(
                  Collectors.joining(
                      ",",
                      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                          + "\"Resource\":\"*\",\"Action\":[",
                      "]}]}"));
      assertThat(errorCode(() -> stsA.getFederationToken(r -> r.name(name).policy(tooLarge))))
          .isEqualTo("PackedPolicyTooLarge");
    }
  }

  @Test
  void sessionTokenActsAsTheUser(TestEnvironment env) {
    AwsAccount a = env.accountA();
    try (StsClient stsA = sts(env, a)) {
      String userArn = stsA.getCallerIdentity().arn();
      GetSessionTokenResponse first = stsA.getSessionToken(r -> r.durationSeconds(3600));
      GetSessionTokenResponse second = stsA.getSessionToken();
      Credentials creds = first.credentials();
      assertThat(creds.accessKeyId()).startsWith("ASIA");
      assertThat(second.credentials().accessKeyId()).isNotEqualTo(creds.accessKeyId());
      assertExpiresIn(creds, Duration.ofHours(1));
      assertExpiresIn(second.credentials(), Duration.ofHours(12));
      try (StsClient sessionSts = sts(env, session(creds))) {
        GetCallerIdentityResponse id = sessionSts.getCallerIdentity();
        assertThat(id.arn()).isEqualTo(userArn);
        assertThat(id.account()).isEqualTo(a.id());
      }
    }
  }

  private static String trustPolicy(String principalJson, String conditionJson) {
    return "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
        + " \"Principal\": {\"AWS\": "
        + principalJson
        + "}, \"Action\": \"sts:AssumeRole\""
        + (conditionJson == null ? "" : ", \"Condition\": " + conditionJson)
        + "}]}";
  }

  private static String createRole(IamClient iam, String prefix, String trustPolicy) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    return iam.createRole(r -> r.roleName(name).assumeRolePolicyDocument(trustPolicy)).role().arn();
  }

  private static String roleName(String roleArn) {
    return roleArn.substring(roleArn.lastIndexOf('/') + 1);
  }

  private static AssumeRoleResponse assumeRole(StsClient sts, String roleArn, String externalId) {
    return sts.assumeRole(
        r -> r.roleArn(roleArn).roleSessionName("fidelity").externalId(externalId));
  }

  private static void assertExpiresIn(Credentials creds, Duration expected) {
    Duration left = Duration.between(Instant.now(), creds.expiration());
    assertThat(left).isBetween(expected.minusMinutes(2), expected.plusMinutes(2));
  }

  private static String errorCode(Runnable call) {
    return awsError(call).awsErrorDetails().errorCode();
  }

  private static AwsServiceException awsError(Runnable call) {
    try {
      call.run();
    } catch (AwsServiceException e) {
      return e;
    }
    return fail("expected the call to fail with an AWS error");
  }

  private static AwsCredentials basic(String accessKeyId, String secretAccessKey) {
    return AwsBasicCredentials.create(accessKeyId, secretAccessKey);
  }

  private static AwsCredentials session(Credentials creds) {
    return AwsSessionCredentials.create(
        creds.accessKeyId(), creds.secretAccessKey(), creds.sessionToken());
  }

  private static StsClient sts(TestEnvironment env, AwsAccount account) {
    return sts(env, basic(account.accessKeyId(), account.secretAccessKey()));
  }

  private static StsClient sts(TestEnvironment env, AwsCredentials credentials) {
    return StsClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(env.awsEndpoint()))
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .httpClient(ApacheHttpClient.create())
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  private static IamClient iam(TestEnvironment env, AwsAccount account) {
    return iam(env, basic(account.accessKeyId(), account.secretAccessKey()));
  }

  private static IamClient iam(TestEnvironment env, AwsCredentials credentials) {
    return IamClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(env.awsEndpoint()))
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .httpClient(ApacheHttpClient.create())
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }
}
