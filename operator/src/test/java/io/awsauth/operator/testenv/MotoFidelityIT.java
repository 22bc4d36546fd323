package io.awsauth.operator.testenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
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
@ExtendWith(TestEnvironmentExtension.class)
class MotoFidelityIT {
  /**
   * The tests' own clients retry throttling only (the build's emulator time throttles each API of
   * each account, and the operator and other tests share account A's buckets), never the errors the
   * tests assert on.
   */
  private static final RetryStrategy ONLY_THROTTLING =
      StandardRetryStrategy.builder()
          .maxAttempts(10)
          .retryOnException(t -> t instanceof AwsServiceException e && e.isThrottlingException())
          .treatAsThrottling(t -> t instanceof AwsServiceException e && e.isThrottlingException())
          .backoffStrategy(
              BackoffStrategy.exponentialDelay(Duration.ofMillis(200), Duration.ofSeconds(2)))
          .throttlingBackoffStrategy(
              BackoffStrategy.exponentialDelay(Duration.ofMillis(200), Duration.ofSeconds(2)))
          .circuitBreakerEnabled(false)
          .build();

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
      java.util.Map<String, String> trusted = new java.util.LinkedHashMap<>();
      for (String principal :
          new String[] {
            "\"" + a.id() + "\"",
            "\"arn:aws:iam::" + a.id() + ":root\"",
            "\"" + callerArn + "\"",
            "\"*\"",
            "[\"arn:aws:iam::" + b.id() + ":root\", \"" + callerArn + "\"]"
          }) {
        trusted.put(principal, createRole(iamB, "trusted", trustPolicy(principal, null)));
      }
      String somebodyElse = "somebody-else-" + SUFFIX;
      String someRoleArn;
      try (IamClient iamA = iam(env, a)) {
        iamA.createUser(r -> r.userName(somebodyElse));
        someRoleArn = createRole(iamA, "some-role", trustPolicy("\"" + a.id() + "\"", null));
      }
      java.util.List<String> untrusted = new java.util.ArrayList<>();
      for (String principal :
          new String[] {
            "\"" + b.id() + "\"",
            "\"arn:aws:iam::" + a.id() + ":user/" + somebodyElse + "\"",
            "\"" + someRoleArn + "\""
          }) {
        untrusted.add(createRole(iamB, "untrusted", trustPolicy(principal, null)));
      }
      Emulator.settle(env);

      for (var t : trusted.entrySet()) {
        String principal = t.getKey();
        String roleArn = t.getValue();
        AssumeRoleResponse assumed = assumeRole(stsA, roleArn, null);
        assertThat(assumed.assumedRoleUser().arn())
            .as("trust principal %s", principal)
            .isEqualTo(
                "arn:aws:sts::" + b.id() + ":assumed-role/" + roleName(roleArn) + "/fidelity");
      }

      for (String roleArn : untrusted) {
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
      String sameAccount =
          createRole(iamA, "extid-same", trustPolicy("\"" + a.id() + "\"", condition));
      Emulator.settle(env);
      assertThat(assumeRole(stsA, crossAccount, "ext-" + SUFFIX).credentials().accessKeyId())
          .startsWith("ASIA");
      assertThat(errorCode(() -> assumeRole(stsA, crossAccount, "wrong")))
          .isEqualTo("AccessDenied");
      assertThat(errorCode(() -> assumeRole(stsA, crossAccount, null))).isEqualTo("AccessDenied");

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
      Emulator.settle(env);
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

  /**
   * Revoking one session (issue 18): a Deny on {@code aws:userid} and {@code aws:TokenIssueTime} in
   * the IAM user's inline policy refuses that federated user's credential, not a sibling's, nor a
   * later token of the same name, nor the user's own key.
   */
  @Test
  void aDenyOnOneFederatedUsersIssueTimeRefusesOnlyThatToken(TestEnvironment env) throws Exception {
    AwsAccount a = env.accountA();
    String allowEc2 =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"ec2:DescribeInstances\",\"Resource\":\"*\"}]}";
    try (IamClient iamA = iam(env, a)) {
      String userName = "fed-deny-" + SUFFIX;
      AwsCredentials user =
          userNamed(
              iamA,
              userName,
              allowEc2.replace(
                  "\"ec2:DescribeInstances\"",
                  "[\"ec2:DescribeInstances\",\"sts:GetFederationToken\"]"),
              null);
      Emulator.settle(env);
      try (StsClient sts = sts(env, user)) {
        String revoked = "rev-" + SUFFIX;
        String sibling = "sib-" + SUFFIX;
        Credentials first =
            sts.getFederationToken(r -> r.name(revoked).policy(allowEc2)).credentials();
        Credentials other =
            sts.getFederationToken(r -> r.name(sibling).policy(allowEc2)).credentials();
        Instant issuedBy =
            Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(1);
        iamA.putUserPolicy(
            r ->
                r.userName(userName)
                    .policyName("aws-auth-operator-revocations")
                    .policyDocument(
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
                            + "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{"
                            + "\"StringEquals\":{\"aws:userid\":\""
                            + a.id()
                            + ":"
                            + revoked
                            + "\"},\"DateLessThanEquals\":{\"aws:TokenIssueTime\":\""
                            + issuedBy
                            + "\"}}}]}"));
        Emulator.settle(env);
        await(issuedBy.plusSeconds(1));
        Credentials later =
            sts.getFederationToken(r -> r.name(revoked).policy(allowEc2)).credentials();
        try (Ec2Client ec2First = ec2(env, session(first));
            Ec2Client ec2Other = ec2(env, session(other));
            Ec2Client ec2Later = ec2(env, session(later));
            Ec2Client ec2User = ec2(env, user)) {
          assertThat(outcome(ec2First::describeInstances)).isEqualTo("denied");
          assertThat(outcome(ec2Other::describeInstances)).isEqualTo("allowed");
          assertThat(outcome(ec2Later::describeInstances))
              .as("a later token of the same name")
              .isEqualTo("allowed");
          assertThat(outcome(ec2User::describeInstances))
              .as("the user's own key has no aws:TokenIssueTime")
              .isEqualTo("allowed");
        }
      }
    }
  }

  /**
   * AWS's quotas on inline policies: a role's together at most 10,240 characters, a user's 2,048,
   * whitespace not counted; a write past them is LimitExceeded.
   */
  @Test
  void inlinePoliciesPastAwssQuotaAreRefused(TestEnvironment env) {
    AwsAccount a = env.accountA();
    String role = "quota-" + SUFFIX;
    String user = "quota-" + SUFFIX;
    java.util.function.IntFunction<String> policyOf =
        n ->
            "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \""
                + "S".repeat(n)
                + "\", \"Effect\": \"Deny\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}";
    int overhead = policyOf.apply(0).replaceAll("\\s", "").length();
    try (IamClient iamA = iam(env, a)) {
      iamA.createRole(
          r -> r.roleName(role).assumeRolePolicyDocument(trustPolicy("\"" + a.id() + "\"", null)));
      iamA.createUser(r -> r.userName(user));
      // whitespace is not counted: 6,000 + 4,240 characters fit exactly
      iamA.putRolePolicy(
          r ->
              r.roleName(role)
                  .policyName("one")
                  .policyDocument(policyOf.apply(6000 - overhead) + "\n\n   "));
      iamA.putRolePolicy(
          r -> r.roleName(role).policyName("two").policyDocument(policyOf.apply(4240 - overhead)));
      AwsServiceException refused =
          awsError(
              () ->
                  iamA.putRolePolicy(
                      r -> r.roleName(role).policyName("three").policyDocument(policyOf.apply(1))));
      assertThat(refused.awsErrorDetails().errorCode()).isEqualTo("LimitExceeded");
      assertThat(refused.awsErrorDetails().errorMessage()).contains("10240").contains(role);
      // replacing a policy counts its new size only
      iamA.putRolePolicy(
          r -> r.roleName(role).policyName("two").policyDocument(policyOf.apply(4000 - overhead)));

      iamA.putUserPolicy(
          r -> r.userName(user).policyName("one").policyDocument(policyOf.apply(2048 - overhead)));
      assertThat(
              errorCode(
                  () ->
                      iamA.putUserPolicy(
                          r ->
                              r.userName(user)
                                  .policyName("two")
                                  .policyDocument(policyOf.apply(1)))))
          .isEqualTo("LimitExceeded");
      iamA.deleteUserPolicy(r -> r.userName(user).policyName("one"));
      iamA.deleteUser(r -> r.userName(user));
      for (String p : List.of("one", "two")) {
        iamA.deleteRolePolicy(r -> r.roleName(role).policyName(p));
      }
      iamA.deleteRole(r -> r.roleName(role));
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
      // AWS: the Policy parameter holds at most 2,048 characters (STS API Reference, Length
      // Constraints); longer is a ValidationError, whatever its packed size.
      assertThat(tooLarge.length()).isGreaterThan(2048);
      AwsServiceException refused =
          awsError(() -> stsA.getFederationToken(r -> r.name(name).policy(tooLarge)));
      assertThat(refused.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
      assertThat(refused.awsErrorDetails().errorMessage())
          .contains("Member must have length less than or equal to 2048");
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

  /** Rule 17: temporary credentials stop at their Expiration, with ExpiredToken. */
  @Test
  void temporaryCredentialsStopAtTheirExpiration(TestEnvironment env) {
    AwsAccount a = env.accountA();
    try (StsClient stsA = sts(env, a)) {
      Credentials creds = stsA.getSessionToken(r -> r.durationSeconds(900)).credentials();
      try (StsClient sessionSts = sts(env, session(creds))) {
        assertThat(sessionSts.getCallerIdentity().arn()).isEqualTo(stsA.getCallerIdentity().arn());
        Emulator.expireSession(env, creds.accessKeyId());
        AwsServiceException expired = awsError(() -> sessionSts.getCallerIdentity());
        assertThat(expired.awsErrorDetails().errorCode()).isEqualTo("ExpiredToken");
        assertThat(expired.awsErrorDetails().errorMessage())
            .isEqualTo("The security token included in the request is expired");
        // (the user's own key is not affected)
        assertThat(stsA.getCallerIdentity().account()).isEqualTo(a.id());
      }
    }
  }

  private static final String ALLOW_ALL =
      """
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
      """;

  /**
   * Condition keys and operators the next features rely on (per-session revocation: a Deny on a
   * role matching aws:userid / aws:SourceIdentity with aws:TokenIssueTime), evaluated as AWS does:
   * a Deny whose condition holds refuses the call, one whose condition does not hold leaves it
   * allowed.
   */
  @Test
  void conditionKeysOfRoleSessionsAreEvaluated(TestEnvironment env) {
    AwsAccount a = env.accountA();
    String sourceIdentity = "alice-" + SUFFIX;
    Instant before = Instant.now().minus(Duration.ofHours(1));
    Instant after = Instant.now().plus(Duration.ofHours(1));
    try (IamClient iamA = iam(env, a);
        StsClient stsA = sts(env, a)) {
      String[][] cases = {
        {"{\"StringEquals\": {\"aws:SourceIdentity\": \"" + sourceIdentity + "\"}}", "denied"},
        {"{\"StringEquals\": {\"aws:SourceIdentity\": \"bob\"}}", "allowed"},
        {"{\"StringLike\": {\"aws:userid\": \"" + "ROLEID:*\"}}", "denied"},
        {"{\"StringEquals\": {\"aws:userid\": \"" + "ROLEID:s1\"}}", "denied"},
        {"{\"StringEquals\": {\"aws:userid\": \"" + "ROLEID:other\"}}", "allowed"},
        {"{\"DateLessThan\": {\"aws:TokenIssueTime\": \"" + after + "\"}}", "denied"},
        {"{\"DateLessThan\": {\"aws:TokenIssueTime\": \"" + before + "\"}}", "allowed"},
        {
          "{\"StringEquals\": {\"aws:SourceIdentity\": \""
              + sourceIdentity
              + "\"}, \"DateLessThanEquals\": {\"aws:TokenIssueTime\": \""
              + after
              + "\"}}",
          "denied"
        },
        {
          "{\"StringEquals\": {\"aws:SourceIdentity\": \""
              + sourceIdentity
              + "\"}, \"DateLessThan\": {\"aws:TokenIssueTime\": \""
              + before
              + "\"}}",
          "allowed"
        },
        {"{\"StringEquals\": {\"aws:PrincipalTag/team\": \"payments\"}}", "denied"},
        {"{\"StringEquals\": {\"aws:PrincipalTag/team\": \"ledger\"}}", "allowed"},
        {"{\"StringEquals\": {\"aws:PrincipalTag/level\": \"high\"}}", "denied"},
        {"{\"DateGreaterThan\": {\"aws:CurrentTime\": \"2020-01-01T00:00:00Z\"}}", "denied"},
        {"{\"DateGreaterThan\": {\"aws:CurrentTime\": \"2999-01-01T00:00:00Z\"}}", "allowed"},
        {"{\"NumericGreaterThan\": {\"aws:EpochTime\": \"0\"}}", "denied"},
        {"{\"Null\": {\"aws:TokenIssueTime\": \"false\"}}", "denied"},
        {"{\"Null\": {\"aws:SourceIdentity\": \"true\"}}", "allowed"},
        {
          "{\"StringNotEqualsIfExists\": {\"aws:SourceIdentity\": \"" + sourceIdentity + "\"}}",
          "allowed"
        },
        {"{\"StringNotEquals\": {\"aws:PrincipalTag/absent\": \"x\"}}", "denied"},
        {"{\"StringEqualsIfExists\": {\"aws:PrincipalTag/absent\": \"x\"}}", "denied"},
        {"{\"StringEquals\": {\"aws:PrincipalTag/absent\": \"x\"}}", "allowed"},
        {"{\"ForAnyValue:StringEquals\": {\"aws:PrincipalTag/absent\": \"x\"}}", "allowed"},
        {"{\"ForAllValues:StringEquals\": {\"aws:PrincipalTag/absent\": \"x\"}}", "denied"},
        {"{\"ArnLike\": {\"aws:PrincipalArn\": \"arn:aws:iam::*:role/conditions-*\"}}", "denied"},
      };
      // One role per case (its trust allows tagging and a source identity), then one wait for
      // the emulator's propagation delay, then one session per role.
      String trust =
          "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\":"
              + " {\"AWS\": \""
              + a.id()
              + "\"}, \"Action\": [\"sts:AssumeRole\", \"sts:TagSession\","
              + " \"sts:SetSourceIdentity\"]}]}";
      java.util.List<software.amazon.awssdk.services.iam.model.Role> roles =
          new java.util.ArrayList<>();
      for (int i = 0; i < cases.length; i++) {
        String roleName = "conditions-" + i + "-" + SUFFIX;
        var role =
            iamA.createRole(
                    r ->
                        r.roleName(roleName)
                            .tags(t -> t.key("level").value("high"))
                            .assumeRolePolicyDocument(trust))
                .role();
        String condition = cases[i][0].replace("ROLEID", role.roleId());
        iamA.putRolePolicy(
            r -> r.roleName(roleName).policyName("probe").policyDocument(denyGetRole(condition)));
        roles.add(role);
      }
      Emulator.settle(env);
      for (int i = 0; i < cases.length; i++) {
        var role = roles.get(i);
        Credentials creds =
            stsA.assumeRole(
                    r ->
                        r.roleArn(role.arn())
                            .roleSessionName("s1")
                            .sourceIdentity(sourceIdentity)
                            .tags(t -> t.key("team").value("payments")))
                .credentials();
        try (IamClient session = iam(env, session(creds))) {
          String outcome = outcome(() -> session.getRole(r -> r.roleName(role.roleName())));
          assertThat(outcome).as("Deny with Condition %s", cases[i][0]).isEqualTo(cases[i][1]);
        }
      }
    }
  }

  /**
   * Fail closed: a Deny statement with an operator or key the emulator cannot evaluate (on AWS it
   * might apply) refuses the call and says why; an Allow statement with one does not apply.
   */
  @Test
  void aDenyTheEmulatorCannotEvaluateRefusesTheCall(TestEnvironment env) {
    AwsAccount a = env.accountA();
    try (IamClient iamA = iam(env, a)) {
      java.util.Map<String, AwsCredentials> users = new java.util.LinkedHashMap<>();
      for (String condition :
          new String[] {
            "{\"IpAddress\": {\"aws:SourceIp\": \"203.0.113.0/24\"}}",
            "{\"Bool\": {\"aws:MultiFactorAuthPresent\": \"false\"}}",
            "{\"StringEquals\": {\"iam:PermissionsBoundary\": \"arn:aws:iam::aws:policy/x\"}}",
            "{\"BinaryEquals\": {\"aws:userid\": \"QmluYXJ5\"}}"
          }) {
        users.put(condition, userWithPolicies(iamA, "unevaluable", denyGetRole(condition), null));
      }
      // moto does not know the resource of EC2 operations: a Deny naming some fails closed.
      AwsCredentials ec2User =
          userWithPolicies(
              iamA,
              "ec2-deny",
              "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
                  + " \"Action\": \"*\", \"Resource\": \"*\"}, {\"Effect\": \"Deny\", \"Action\":"
                  + " \"ec2:DescribeInstances\", \"Resource\": \"arn:aws:ec2:*:*:instance/i-1\"}]}",
              null);
      // An Allow with an unevaluable condition does not apply: nothing else allows the call.
      AwsCredentials allowOnly =
          userWithPolicies(
              iamA,
              "unevaluable-allow",
              "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
                  + " \"Action\": \"iam:*\", \"Resource\": \"*\", \"Condition\": {\"IpAddress\":"
                  + " {\"aws:SourceIp\": \"0.0.0.0/0\"}}}]}",
              null);
      Emulator.settle(env);
      for (var u : users.entrySet()) {
        String condition = u.getKey();
        try (IamClient asUser = iam(env, u.getValue())) {
          AwsServiceException denied =
              awsError(() -> asUser.getRole(r -> r.roleName("any-" + SUFFIX)));
          assertThat(denied.awsErrorDetails().errorCode()).as(condition).isEqualTo("AccessDenied");
          assertThat(denied.awsErrorDetails().errorMessage())
              .as(condition)
              .contains("is not authorized to perform: iam:GetRole")
              .contains("the AWS emulator cannot evaluate");
          // The Deny does not cover other actions: the Allow still applies to them.
          assertThat(outcome(() -> asUser.listRoles(r -> r.maxItems(1)))).isEqualTo("allowed");
        }
      }
      try (Ec2Client ec2 = ec2(env, ec2User)) {
        AwsServiceException denied = awsError(() -> ec2.describeInstances());
        assertThat(denied.awsErrorDetails().errorMessage())
            .contains("the AWS emulator cannot evaluate");
      }
      try (IamClient asUser = iam(env, allowOnly)) {
        assertThat(errorCode(() -> asUser.listRoles())).isEqualTo("AccessDenied");
      }
    }
  }

  /**
   * AWS doc "Permissions boundaries for IAM entities": a user's boundary is kept (GetUser), caps
   * what the user's policies allow (also through GetSessionToken), and can be removed.
   */
  @Test
  void aUsersPermissionsBoundaryIsKeptAndEnforced(TestEnvironment env) {
    AwsAccount a = env.accountA();
    try (IamClient iamA = iam(env, a)) {
      String boundary =
          iamA.createPolicy(
                  r ->
                      r.policyName("boundary-" + SUFFIX)
                          .policyDocument(
                              "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\":"
                                  + " \"Allow\", \"Action\": [\"ec2:Describe*\", \"sts:*\"],"
                                  + " \"Resource\": \"*\"}]}"))
              .policy()
              .arn();
      String userName = "bounded-" + SUFFIX;
      AwsCredentials user = userNamed(iamA, userName, ALLOW_ALL, boundary);
      Emulator.settle(env);
      assertThat(iamA.getUser(r -> r.userName(userName)).user().permissionsBoundary())
          .satisfies(
              b -> {
                assertThat(b.permissionsBoundaryArn()).isEqualTo(boundary);
                assertThat(b.permissionsBoundaryTypeAsString())
                    .isEqualTo("PermissionsBoundaryPolicy");
              });
      try (IamClient asUser = iam(env, user);
          Ec2Client ec2 = ec2(env, user);
          StsClient sts = sts(env, user)) {
        assertThat(outcome(() -> ec2.describeInstances())).isEqualTo("allowed");
        assertThat(errorCode(() -> asUser.listRoles())).isEqualTo("AccessDenied");
        Credentials sessionCreds = sts.getSessionToken(r -> r.durationSeconds(900)).credentials();
        try (Ec2Client sessionEc2 = ec2(env, session(sessionCreds))) {
          assertThat(outcome(() -> sessionEc2.describeInstances())).isEqualTo("allowed");
        }
        iamA.deleteUserPermissionsBoundary(r -> r.userName(userName));
        assertThat(iamA.getUser(r -> r.userName(userName)).user().permissionsBoundary()).isNull();
        assertThat(outcome(() -> asUser.listRoles(r -> r.maxItems(1)))).isEqualTo("allowed");
        iamA.putUserPermissionsBoundary(r -> r.userName(userName).permissionsBoundary(boundary));
        assertThat(errorCode(() -> asUser.listRoles())).isEqualTo("AccessDenied");
      }
      AwsServiceException missing =
          awsError(
              () ->
                  iamA.createUser(
                      r ->
                          r.userName("unbounded-" + SUFFIX)
                              .permissionsBoundary(
                                  "arn:aws:iam::" + a.id() + ":policy/absent-" + SUFFIX)));
      assertThat(missing.awsErrorDetails().errorCode()).isEqualTo("NoSuchEntity");
    }
  }

  /**
   * AWS doc "AWS JSON policy elements: Principal": a trust policy naming a user or role that does
   * not exist, or a wildcard inside an ARN, is refused when written; a principal deleted and
   * re-created under the same name is another principal and is no longer trusted.
   */
  @Test
  void trustPoliciesNamingUnknownPrincipalsAreRefused(TestEnvironment env) {
    AwsAccount a = env.accountA();
    try (IamClient iamA = iam(env, a)) {
      for (String principal :
          new String[] {
            "arn:aws:iam::" + a.id() + ":user/nobody-" + SUFFIX,
            "arn:aws:iam::" + a.id() + ":role/no-role-" + SUFFIX,
            "arn:aws:iam::" + a.id() + ":user/*",
            "arn:aws::iam::" + a.id() + ":root"
          }) {
        AwsServiceException refused =
            awsError(() -> createRole(iamA, "invalid", trustPolicy("\"" + principal + "\"", null)));
        assertThat(refused.awsErrorDetails().errorCode()).isEqualTo("MalformedPolicyDocument");
        assertThat(refused.awsErrorDetails().errorMessage())
            .isEqualTo("Invalid principal in policy: \"AWS\":\"" + principal + "\"");
        assertThat(refused.statusCode()).isEqualTo(400);
      }
      String valid = createRole(iamA, "valid", trustPolicy("\"" + a.id() + "\"", null));
      String unknown = "arn:aws:iam::" + a.id() + ":user/nobody-" + SUFFIX;
      assertThat(
              errorCode(
                  () ->
                      iamA.updateAssumeRolePolicy(
                          r ->
                              r.roleName(roleName(valid))
                                  .policyDocument(trustPolicy("\"" + unknown + "\"", null)))))
          .isEqualTo("MalformedPolicyDocument");
      // Role-session ARNs are accepted as principals (AWS does not check that sessions exist).
      createRole(
          iamA,
          "session-principal",
          trustPolicy("\"arn:aws:sts::" + a.id() + ":assumed-role/some-role/some-session\"", null));

      String userName = "recreated-" + SUFFIX;
      AwsCredentials first = userNamed(iamA, userName, ALLOW_ALL, null);
      String userArn = "arn:aws:iam::" + a.id() + ":user/" + userName;
      String trusting = createRole(iamA, "trusting", trustPolicy("\"" + userArn + "\"", null));
      Emulator.settle(env);
      try (StsClient sts = sts(env, first)) {
        assertThat(assumeRole(sts, trusting, null).assumedRoleUser().arn()).contains("trusting");
      }
      iamA.listAccessKeys(r -> r.userName(userName))
          .accessKeyMetadata()
          .forEach(
              k -> iamA.deleteAccessKey(r -> r.userName(userName).accessKeyId(k.accessKeyId())));
      iamA.deleteUserPolicy(r -> r.userName(userName).policyName("policy"));
      iamA.deleteUser(r -> r.userName(userName));
      AwsCredentials second = userNamed(iamA, userName, ALLOW_ALL, null);
      Emulator.settle(env);
      try (StsClient sts = sts(env, second)) {
        assertThat(errorCode(() -> assumeRole(sts, trusting, null))).isEqualTo("AccessDenied");
      }
    }
  }

  /** Passing SourceIdentity needs sts:SetSourceIdentity in the role's trust policy. */
  @Test
  void sourceIdentityNeedsSetSourceIdentityInTheTrustPolicy(TestEnvironment env) {
    AwsAccount a = env.accountA();
    try (IamClient iamA = iam(env, a);
        StsClient stsA = sts(env, a)) {
      String roleArn =
          createRole(iamA, "no-source-identity", trustPolicy("\"" + a.id() + "\"", null));
      Emulator.settle(env);
      AwsServiceException denied =
          awsError(
              () ->
                  stsA.assumeRole(
                      r -> r.roleArn(roleArn).roleSessionName("s1").sourceIdentity("alice")));
      assertThat(denied.awsErrorDetails().errorMessage())
          .isEqualTo(
              "User: arn:aws:iam::"
                  + a.id()
                  + ":user/aao-admin is not authorized to perform: sts:SetSourceIdentity on"
                  + " resource: "
                  + roleArn);
      assertThat(assumeRole(stsA, roleArn, null).sourceIdentity()).isNull();
    }
  }

  /**
   * AWS doc STS API Reference "AssumeRole": at most 50 session tags, keys 1..128 and values up to
   * 256 characters, keys unique without case; SourceIdentity 2..64 characters of [\\w+=,.@-];
   * session tags are packed with the session policies, so tags that do not fit beside a policy near
   * the limit give PackedPolicyTooLarge while the same policy alone is accepted.
   */
  @Test
  void sessionTagsAndSourceIdentityKeepAwssLimits(TestEnvironment env) {
    AwsAccount a = env.accountA();
    try (IamClient iamA = iam(env, a);
        StsClient stsA = sts(env, a)) {
      String roleArn =
          createRole(
              iamA,
              "tag-limits",
              "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
                  + " \"Principal\": {\"AWS\": \""
                  + a.id()
                  + "\"}, \"Action\": [\"sts:AssumeRole\", \"sts:TagSession\","
                  + " \"sts:SetSourceIdentity\"]}]}");
      Emulator.settle(env);
      List<software.amazon.awssdk.services.sts.model.Tag> fiftyOne = new ArrayList<>();
      for (int i = 0; i < 51; i++) {
        fiftyOne.add(
            software.amazon.awssdk.services.sts.model.Tag.builder()
                .key("k" + i)
                .value("v")
                .build());
      }
      assertThat(
              errorCode(
                  () ->
                      stsA.assumeRole(
                          r -> r.roleArn(roleArn).roleSessionName("limits").tags(fiftyOne))))
          .isEqualTo("ValidationError");
      assertThat(
              errorCode(
                  () ->
                      stsA.assumeRole(
                          r -> r.roleArn(roleArn).roleSessionName("limits").sourceIdentity("x"))))
          .isEqualTo("ValidationError");
      assertThat(
              errorCode(
                  () ->
                      stsA.assumeRole(
                          r ->
                              r.roleArn(roleArn)
                                  .roleSessionName("limits")
                                  .tags(
                                      t -> t.key("Team").value("a"),
                                      t -> t.key("team").value("b")))))
          .isEqualTo("InvalidParameterValue");
      String policy =
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\""
              + "S".repeat(1940)
              + "\",\"Effect\":\"Allow\",\"Action\":\"ec2:*\",\"Resource\":\"*\"}]}";
      assertThat(policy.length()).isBetween(1990, 2048);
      assertThat(
              errorCode(
                  () ->
                      stsA.assumeRole(
                          r ->
                              r.roleArn(roleArn)
                                  .roleSessionName("limits")
                                  .policy(policy)
                                  .tags(t -> t.key("kubernetes-namespace").value("n".repeat(90))))))
          .isEqualTo("PackedPolicyTooLarge");
      assertThat(
              stsA.assumeRole(
                      r ->
                          r.roleArn(roleArn)
                              .roleSessionName("limits")
                              .policy(policy)
                              .sourceIdentity("sa@ns")
                              .tags(t -> t.key("team").value("a")))
                  .sourceIdentity())
          .isEqualTo("sa@ns");
    }
  }

  /**
   * AWS doc "Troubleshoot signature errors": a request signed more than 15 minutes before or after
   * the server's clock is refused (SignatureDoesNotMatch, "Signature expired" / "Signature not yet
   * current"); within 15 minutes it is accepted.
   */
  @Test
  void signaturesOutsideFifteenMinutesAreRefused(TestEnvironment env) throws Exception {
    AwsAccount a = env.accountA();
    String stamp = "\\d{8}T\\d{6}Z";
    assertThat(signedGetCallerIdentity(env, a, Duration.ofMinutes(-14)))
        .contains("<GetCallerIdentityResult>");
    assertThat(signedGetCallerIdentity(env, a, Duration.ofMinutes(-16)))
        .containsPattern("<Code>SignatureDoesNotMatch</Code>")
        .containsPattern(
            "<Message>Signature expired: "
                + stamp
                + " is now earlier than "
                + stamp
                + " \\("
                + stamp
                + " - 15 min\\.\\)</Message>");
    assertThat(signedGetCallerIdentity(env, a, Duration.ofMinutes(16)))
        .containsPattern("<Code>SignatureDoesNotMatch</Code>")
        .containsPattern(
            "<Message>Signature not yet current: "
                + stamp
                + " is still later than "
                + stamp
                + " \\("
                + stamp
                + " \\+ 15 min\\.\\)</Message>");
  }

  /**
   * Rule 22: the signature covers the Host header as the request carries it, not the address it was
   * received on: a request signed for {@code https://sts.amazonaws.com/} (or a regional host) and
   * sent to the emulator's loopback port with that Host is accepted, as AWS behind a VPC endpoint
   * accepts it; the same request with another Host is refused.
   */
  @Test
  void theSignatureCoversTheHostAsSent(TestEnvironment env) throws Exception {
    AwsAccount a = env.accountA();
    assertThat(signedFor(env, a, "sts.amazonaws.com", "us-east-1", "sts.amazonaws.com"))
        .contains("<GetCallerIdentityResult>");
    assertThat(
            signedFor(
                env, a, "sts.us-west-2.amazonaws.com", "us-west-2", "sts.us-west-2.amazonaws.com"))
        .contains("<GetCallerIdentityResult>");
    assertThat(signedFor(env, a, "sts.amazonaws.com", "us-east-1", "sts.us-west-2.amazonaws.com"))
        .contains("<Code>SignatureDoesNotMatch</Code>");
  }

  /**
   * GetCallerIdentity signed for {@code https://<signedHost>/}, sent with {@code Host: sentHost}.
   */
  private static String signedFor(
      TestEnvironment env, AwsAccount a, String signedHost, String region, String sentHost)
      throws Exception {
    String body = "Action=GetCallerIdentity&Version=2011-06-15";
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(AwsCredentialsIdentity.create(a.accessKeyId(), a.secretAccessKey()))
                        .request(
                            SdkHttpRequest.builder()
                                .method(SdkHttpMethod.POST)
                                .uri(URI.create("https://" + signedHost + "/"))
                                .putHeader(
                                    "Content-Type",
                                    "application/x-www-form-urlencoded; charset=utf-8")
                                .build())
                        .payload(ContentStreamProvider.fromUtf8String(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sts")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region));
    // Apache HttpClient sends the Host it is given (the JDK's client needs a JVM flag for it).
    org.apache.http.client.methods.HttpPost post =
        new org.apache.http.client.methods.HttpPost(env.awsEndpoint() + "/");
    post.setEntity(
        new org.apache.http.entity.StringEntity(body, java.nio.charset.StandardCharsets.UTF_8));
    signed
        .request()
        .headers()
        .forEach(
            (k, vs) -> {
              if (!k.equalsIgnoreCase("Host") && !k.equalsIgnoreCase("Content-Type")) {
                vs.forEach(v -> post.addHeader(k, v));
              }
            });
    post.setHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    post.setHeader("Host", sentHost);
    try (org.apache.http.impl.client.CloseableHttpClient http =
            org.apache.http.impl.client.HttpClients.createMinimal();
        org.apache.http.client.methods.CloseableHttpResponse response = http.execute(post)) {
      return org.apache.http.util.EntityUtils.toString(response.getEntity());
    }
  }

  /** An Inactive or deleted key, or session credentials without their token, do not sign. */
  @Test
  void inactiveOrDeletedKeysAndSessionsWithoutTokenAreRefused(TestEnvironment env) {
    AwsAccount a = env.accountA();
    try (IamClient iamA = iam(env, a);
        StsClient stsA = sts(env, a)) {
      String userName = "keys-" + SUFFIX;
      AwsCredentials key = userNamed(iamA, userName, ALLOW_ALL, null);
      Emulator.settle(env);
      try (StsClient asUser = sts(env, key)) {
        assertThat(asUser.getCallerIdentity().arn()).endsWith(":user/" + userName);
        iamA.updateAccessKey(
            r -> r.userName(userName).accessKeyId(key.accessKeyId()).status("Inactive"));
        assertThat(errorCode(() -> asUser.getCallerIdentity())).isEqualTo("InvalidClientTokenId");
        iamA.updateAccessKey(
            r -> r.userName(userName).accessKeyId(key.accessKeyId()).status("Active"));
        assertThat(asUser.getCallerIdentity().arn()).endsWith(":user/" + userName);
        iamA.deleteAccessKey(r -> r.userName(userName).accessKeyId(key.accessKeyId()));
        assertThat(errorCode(() -> asUser.getCallerIdentity())).isEqualTo("InvalidClientTokenId");
      }
      Credentials creds = stsA.getSessionToken(r -> r.durationSeconds(900)).credentials();
      try (StsClient noToken = sts(env, basic(creds.accessKeyId(), creds.secretAccessKey()))) {
        assertThat(errorCode(() -> noToken.getCallerIdentity())).isEqualTo("InvalidClientTokenId");
      }
    }
  }

  /**
   * Session policies: invalid JSON is MalformedPolicyDocument, more than 2,048 characters is a
   * ValidationError; policy variables in a Resource resolve to the caller's values.
   */
  @Test
  void sessionPoliciesAreValidatedAndPolicyVariablesResolve(TestEnvironment env) {
    AwsAccount a = env.accountA();
    try (IamClient iamA = iam(env, a);
        StsClient stsA = sts(env, a)) {
      assertThat(errorCode(() -> stsA.getFederationToken(r -> r.name("bad").policy("{not json"))))
          .isEqualTo("MalformedPolicyDocument");
      String padded =
          "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\":"
              + " \"sts:GetCallerIdentity\", \"Resource\": \"*\"}]}"
              + " ".repeat(2100);
      assertThat(errorCode(() -> stsA.getFederationToken(r -> r.name("long").policy(padded))))
          .isEqualTo("ValidationError");

      String userName = "self-" + SUFFIX;
      AwsCredentials key =
          userNamed(
              iamA,
              userName,
              "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\":"
                  + " \"iam:GetUser\", \"Resource\": \"arn:aws:iam::*:user/${aws:username}\"}]}",
              null);
      Emulator.settle(env);
      try (IamClient asUser = iam(env, key)) {
        assertThat(asUser.getUser(r -> r.userName(userName)).user().userName()).isEqualTo(userName);
        assertThat(errorCode(() -> asUser.getUser(r -> r.userName("aao-admin"))))
            .isEqualTo("AccessDenied");
      }
    }
  }

  /**
   * Patch 11: in an account with a propagation delay, a new user, a new access key, a policy
   * change, a new role and a trust-policy change take that long to be seen, each refused meanwhile
   * with the error AWS gives. Account B, 3 s, restored afterwards.
   */
  @Test
  void changesPropagateAfterTheAccountsDelay(TestEnvironment env) throws Exception {
    AwsAccount b = env.accountB();
    Duration delay = Duration.ofSeconds(3);
    Emulator.configure(
        env, "{\"accounts\": {\"" + b.id() + "\": {\"propagation\": " + delay.toSeconds() + "}}}");
    try (IamClient iamB = iam(env, b);
        StsClient stsB = sts(env, b)) {
      String userName = "propagating-" + SUFFIX;
      Instant created = Instant.now();
      iamB.createUser(r -> r.userName(userName));
      assertVisibleAfter(
          created, delay, "NoSuchEntity", () -> iamB.getUser(r -> r.userName(userName)));

      var key = iamB.createAccessKey(r -> r.userName(userName)).accessKey();
      Instant keyCreated = Instant.now();
      try (StsClient asUser = sts(env, basic(key.accessKeyId(), key.secretAccessKey()));
          IamClient iamAsUser = iam(env, basic(key.accessKeyId(), key.secretAccessKey()))) {
        assertVisibleAfter(
            keyCreated, delay, "InvalidClientTokenId", () -> asUser.getCallerIdentity());

        Instant granted = Instant.now();
        iamB.putUserPolicy(
            r ->
                r.userName(userName)
                    .policyName("list-roles")
                    .policyDocument(
                        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
                            + " \"Action\": \"iam:ListRoles\", \"Resource\": \"*\"}]}"));
        assertVisibleAfter(
            granted, delay, "AccessDenied", () -> iamAsUser.listRoles(r -> r.maxItems(1)));
      }

      Instant roleCreated = Instant.now();
      String roleArn = createRole(iamB, "propagating", trustPolicy("\"" + b.id() + "\"", null));
      assertVisibleAfter(roleCreated, delay, "AccessDenied", () -> assumeRole(stsB, roleArn, null));

      Instant trustChanged = Instant.now();
      iamB.updateAssumeRolePolicy(
          r ->
              r.roleName(roleName(roleArn))
                  .policyDocument(trustPolicy("\"" + env.accountA().id() + "\"", null)));
      // The previous trust policy is still the one in effect, until the change has propagated.
      assertThat(assumeRole(stsB, roleArn, null).credentials().accessKeyId()).startsWith("ASIA");
      await(trustChanged.plus(delay).plusMillis(200));
      assertThat(errorCode(() -> assumeRole(stsB, roleArn, null))).isEqualTo("AccessDenied");
    } finally {
      Emulator.configure(env, "{\"accounts\": {\"" + b.id() + "\": null}}");
    }
  }

  /** Patch 11: a token bucket per account and API; AWS answers Throttling "Rate exceeded", 400. */
  @Test
  void anApiIsThrottledPastItsRate(TestEnvironment env) throws Exception {
    AwsAccount a = env.accountA();
    String api = "iam:GetAccountSummary";
    Emulator.configure(
        env,
        "{\"accounts\": {\""
            + a.id()
            + "\": {\"throttle\": {\""
            + api
            + "\": {\"rate\": 1, \"burst\": 3}}}}}");
    try (IamClient iamA = iam(env, a, AwsRetryStrategy.doNotRetry())) {
      for (int i = 0; i < 3; i++) {
        assertThat(iamA.getAccountSummary().summaryMap()).isNotEmpty();
      }
      long refusedBefore = refused(env, a.id(), api);
      AwsServiceException throttled = awsError(() -> iamA.getAccountSummary());
      assertThat(refused(env, a.id(), api)).as("counted as refused").isEqualTo(refusedBefore + 1);
      assertThat(throttled.statusCode()).isEqualTo(400);
      assertThat(throttled.awsErrorDetails().errorCode()).isEqualTo("Throttling");
      assertThat(throttled.awsErrorDetails().errorMessage()).isEqualTo("Rate exceeded");
      assertThat(throttled.isThrottlingException()).isTrue();
      // Other APIs have their own buckets.
      assertThat(iamA.listRoles(r -> r.maxItems(1)).roles()).isNotNull();
      Thread.sleep(1100);
      assertThat(iamA.getAccountSummary().summaryMap()).isNotEmpty();
    } finally {
      Emulator.configure(
          env, "{\"accounts\": {\"" + a.id() + "\": {\"throttle\": {\"" + api + "\": null}}}}");
    }
  }

  /** Calls to {@code api} in {@code account} a token bucket refused (GET fidelity/throttled). */
  private static long refused(TestEnvironment env, String account, String api) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(Emulator.throttled(env))
        .path(account)
        .path(api)
        .asLong(0);
  }

  /**
   * Polls {@code call} until it succeeds: it must fail with {@code code} before {@code since +
   * delay} and succeed from then on (within 5 s more).
   */
  private static void assertVisibleAfter(Instant since, Duration delay, String code, Runnable call)
      throws InterruptedException {
    Instant visible = since.plus(delay);
    while (true) {
      Instant attempt = Instant.now();
      try {
        call.run();
        assertThat(attempt)
            .as("visible only after the delay")
            .isAfterOrEqualTo(visible.minusMillis(300));
        return;
      } catch (AwsServiceException e) {
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
        assertThat(attempt)
            .as("visible once the delay has passed")
            .isBefore(visible.plusSeconds(5));
      }
      Thread.sleep(250);
    }
  }

  private static void await(Instant instant) throws InterruptedException {
    long millis = Duration.between(Instant.now(), instant).toMillis();
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }

  /** A GetCallerIdentity signed {@code skew} away from now, sent as is; returns the body. */
  private static String signedGetCallerIdentity(TestEnvironment env, AwsAccount a, Duration skew)
      throws Exception {
    String body = "Action=GetCallerIdentity&Version=2011-06-15";
    SdkHttpRequest request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(URI.create(env.awsEndpoint() + "/"))
            .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            .build();
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(AwsCredentialsIdentity.create(a.accessKeyId(), a.secretAccessKey()))
                        .request(request)
                        .payload(ContentStreamProvider.fromUtf8String(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sts")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(
                            HttpSigner.SIGNING_CLOCK, Clock.offset(Clock.systemUTC(), skew)));
    HttpRequest.Builder http =
        HttpRequest.newBuilder(URI.create(env.awsEndpoint() + "/"))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    signed
        .request()
        .headers()
        .forEach(
            (k, vs) -> {
              if (!k.equalsIgnoreCase("Host")) {
                vs.forEach(v -> http.header(k, v));
              }
            });
    return HttpClient.newHttpClient()
        .send(http.build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static String denyGetRole(String conditionJson) {
    return "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\","
        + " \"Resource\": \"*\"}, {\"Effect\": \"Deny\", \"Action\": \"iam:GetRole\", \"Resource\":"
        + " \"*\", \"Condition\": "
        + conditionJson
        + "}]}";
  }

  /** "allowed", or "denied" when AWS answers AccessDenied / UnauthorizedOperation (EC2). */
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

  private static AwsCredentials userWithPolicies(
      IamClient iam, String prefix, String inlinePolicy, String boundaryArn) {
    return userNamed(
        iam,
        prefix + "-" + UUID.randomUUID().toString().substring(0, 8),
        inlinePolicy,
        boundaryArn);
  }

  /** Creates user {@code name} with one inline policy (and a boundary); returns its key. */
  private static AwsCredentials userNamed(
      IamClient iam, String name, String inlinePolicy, String boundaryArn) {
    iam.createUser(r -> r.userName(name).permissionsBoundary(boundaryArn));
    iam.putUserPolicy(r -> r.userName(name).policyName("policy").policyDocument(inlinePolicy));
    var key = iam.createAccessKey(r -> r.userName(name)).accessKey();
    return basic(key.accessKeyId(), key.secretAccessKey());
  }

  private static Ec2Client ec2(TestEnvironment env, AwsCredentials credentials) {
    return Ec2Client.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(env.awsEndpoint()))
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .httpClient(ApacheHttpClient.create())
        .overrideConfiguration(c -> c.retryStrategy(ONLY_THROTTLING))
        .build();
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

  /**
   * Patch 13: AssumeRoleWithWebIdentity verifies the token against the OIDC provider registered for
   * its issuer (the local API server: its discovery document and JWKS, fetched over verified TLS)
   * and the role's trust policy, as AWS does. Tokens from TokenRequest; the expired one and the one
   * signed by another key are forged with the API server's own signing key (no TokenRequest issues
   * them).
   */
  @Test
  void webIdentityTokensAreVerifiedAgainstTheIssuersOidcProvider(TestEnvironment env) {
    AwsAccount a = env.accountA();
    String sa = "fidelity-web-" + SUFFIX;
    String role =
        WebIdentity.role(env, a, "fidelity-web-" + SUFFIX, "default", sa, ALLOW_CALLER_IDENTITY);
    Emulator.settle(env);
    String good = WebIdentity.token(env, "default", sa, WebIdentity.AUDIENCE);
    try (StsClient anonymous = anonymousSts(env)) {
      Credentials creds =
          anonymous
              .assumeRoleWithWebIdentity(
                  r -> r.roleArn(role).roleSessionName("fidelity").webIdentityToken(good))
              .credentials();
      try (StsClient session = sts(env, session(creds))) {
        assertThat(session.getCallerIdentity().arn())
            .isEqualTo(
                "arn:aws:sts::" + a.id() + ":assumed-role/fidelity-web-" + SUFFIX + "/fidelity");
      }

      String otherAudience = WebIdentity.token(env, "default", sa, "other-audience");
      AwsServiceException wrongAudience = awsError(() -> assume(anonymous, role, otherAudience));
      assertThat(wrongAudience.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
      assertThat(wrongAudience.awsErrorDetails().errorMessage())
          .isEqualTo("Incorrect token audience");

      String expired = WebIdentity.forged(env, good, Instant.now().minusSeconds(60), false);
      assertThat(errorCode(() -> assume(anonymous, role, expired)))
          .isEqualTo("ExpiredTokenException");
      String stillValid = WebIdentity.forged(env, good, Instant.now().plusSeconds(300), false);
      assume(anonymous, role, stillValid); // the forging itself is sound

      String otherKey = WebIdentity.forged(env, good, Instant.now().plusSeconds(300), true);
      assertThat(errorCode(() -> assume(anonymous, role, otherKey)))
          .as("signed by a key not in the issuer's JWKS")
          .isEqualTo("InvalidIdentityToken");
      assertThat(errorCode(() -> assume(anonymous, role, good.substring(0, good.length() - 2))))
          .as("a damaged signature")
          .isEqualTo("InvalidIdentityToken");

      String otherSa = WebIdentity.token(env, "default", sa + "-x", WebIdentity.AUDIENCE);
      assertThat(errorCode(() -> assume(anonymous, role, otherSa)))
          .as("the trust policy's :sub condition")
          .isEqualTo("AccessDenied");

      // Account B has no provider for the issuer: the same token is refused there.
      String roleInB = "arn:aws:iam::" + env.accountB().id() + ":role/fidelity-web-" + SUFFIX;
      AwsServiceException unknown = awsError(() -> assume(anonymous, roleInB, good));
      assertThat(unknown.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
      assertThat(unknown.awsErrorDetails().errorMessage())
          .isEqualTo(
              "No OpenIDConnect provider found in your account for " + WebIdentity.issuer(env));
    }
  }

  private static void assume(StsClient sts, String role, String token) {
    sts.assumeRoleWithWebIdentity(
        r -> r.roleArn(role).roleSessionName("fidelity").webIdentityToken(token));
  }

  private static StsClient anonymousSts(TestEnvironment env) {
    return StsClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(env.awsEndpoint()))
        .credentialsProvider(AnonymousCredentialsProvider.create())
        .httpClient(ApacheHttpClient.create())
        .overrideConfiguration(c -> c.retryStrategy(ONLY_THROTTLING))
        .build();
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
        .overrideConfiguration(c -> c.retryStrategy(ONLY_THROTTLING))
        .build();
  }

  private static IamClient iam(TestEnvironment env, AwsAccount account) {
    return iam(env, basic(account.accessKeyId(), account.secretAccessKey()));
  }

  private static IamClient iam(TestEnvironment env, AwsCredentials credentials) {
    return iam(env, credentials, ONLY_THROTTLING);
  }

  private static IamClient iam(TestEnvironment env, AwsAccount account, RetryStrategy retry) {
    return iam(env, basic(account.accessKeyId(), account.secretAccessKey()), retry);
  }

  private static IamClient iam(
      TestEnvironment env, AwsCredentials credentials, RetryStrategy retry) {
    return IamClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(env.awsEndpoint()))
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .httpClient(ApacheHttpClient.create())
        .overrideConfiguration(c -> c.retryStrategy(retry))
        .build();
  }
}
