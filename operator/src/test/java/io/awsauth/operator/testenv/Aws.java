package io.awsauth.operator.testenv;

import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.Secret;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.sts.StsClient;

/** AWS SDK clients on the emulator, for arranging and checking what tests need. */
public final class Aws {
  private static final SdkHttpClient HTTP = ApacheHttpClient.create();

  private Aws() {}

  public static IamClient iam(TestEnvironment env, AwsAccount account) {
    return iam(env, account.accessKeyId(), account.secretAccessKey());
  }

  public static IamClient iam(TestEnvironment env, String keyId, String secret) {
    return iam(env, AwsBasicCredentials.create(keyId, secret), Region.US_EAST_1);
  }

  /**
   * IAM of {@code account} signed for {@code region}: the emulator, like AWS, answers in the
   * region's partition (cn-north-1: aws-cn).
   */
  public static IamClient iam(TestEnvironment env, AwsAccount account, Region region) {
    return iam(
        env, AwsBasicCredentials.create(account.accessKeyId(), account.secretAccessKey()), region);
  }

  public static StsClient sts(TestEnvironment env, String keyId, String secret) {
    return StsClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(env.awsEndpoint()))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
        .httpClient(HTTP)
        .build();
  }

  /** STS as whoever holds {@code credentials} (keys or a session), e.g. a Secret's. */
  public static StsClient sts(
      TestEnvironment env, software.amazon.awssdk.auth.credentials.AwsCredentials credentials) {
    return sts(env, credentials, Region.US_EAST_1);
  }

  /** STS as whoever holds {@code credentials}, signed for {@code region}. */
  public static StsClient sts(
      TestEnvironment env,
      software.amazon.awssdk.auth.credentials.AwsCredentials credentials,
      Region region) {
    return StsClient.builder()
        .region(region)
        .endpointOverride(URI.create(env.awsEndpoint()))
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .httpClient(HTTP)
        .build();
  }

  /** IAM as whoever holds {@code credentials}, e.g. a Secret's. */
  public static IamClient iam(
      TestEnvironment env, software.amazon.awssdk.auth.credentials.AwsCredentials credentials) {
    return iam(env, credentials, Region.US_EAST_1);
  }

  /** IAM as whoever holds {@code credentials}, signed for {@code region}. */
  public static IamClient iam(
      TestEnvironment env,
      software.amazon.awssdk.auth.credentials.AwsCredentials credentials,
      Region region) {
    return IamClient.builder()
        .region(region)
        .endpointOverride(URI.create(env.awsEndpoint()))
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .httpClient(HTTP)
        .build();
  }

  /** EC2 as whoever holds {@code credentials}. */
  public static Ec2Client ec2(
      TestEnvironment env, software.amazon.awssdk.auth.credentials.AwsCredentials credentials) {
    return ec2(env, credentials, Region.US_EAST_1);
  }

  /** EC2 in {@code region} as whoever holds {@code credentials}. */
  public static Ec2Client ec2(
      TestEnvironment env,
      software.amazon.awssdk.auth.credentials.AwsCredentials credentials,
      Region region) {
    return Ec2Client.builder()
        .region(region)
        .endpointOverride(URI.create(env.awsEndpoint()))
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .httpClient(HTTP)
        .build();
  }

  /** The credential a Secret the operator wrote holds (AWS_ACCESS_KEY_ID, ..., token if any). */
  public static software.amazon.awssdk.auth.credentials.AwsCredentials credentialsIn(
      Secret secret) {
    String keyId = decoded(secret, "AWS_ACCESS_KEY_ID");
    String secretKey = decoded(secret, "AWS_SECRET_ACCESS_KEY");
    return secret.getData().containsKey("AWS_SESSION_TOKEN")
        ? AwsSessionCredentials.create(keyId, secretKey, decoded(secret, "AWS_SESSION_TOKEN"))
        : AwsBasicCredentials.create(keyId, secretKey);
  }

  private static String decoded(Secret secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  /** A short random suffix, so that reruns against the same emulator do not collide. */
  public static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * The operator's identity as the tests run it: a new user in account A holding exactly
   * config/iam/operator-policy.json, with an access key.
   */
  public static AwsAccount operatorUser(TestEnvironment env, String userName) {
    return userWithPolicy(env, env.accountA(), userName, "config/iam/operator-policy.json");
  }

  /**
   * Creates an IAM user in {@code account} whose only permissions are the policy document at {@code
   * policyFile} (relative to the repository root), and returns it with an access key.
   */
  public static AwsAccount userWithPolicy(
      TestEnvironment env, AwsAccount account, String userName, String policyFile) {
    return userWithPolicy(env, account, userName, policyFile, Region.US_EAST_1);
  }

  /**
   * {@link #userWithPolicy} in the partition of {@code region}, with the document's {@code
   * arn:aws:} ARNs written for that partition, as config/iam/README.md tells administrators to.
   */
  public static AwsAccount userWithPolicy(
      TestEnvironment env, AwsAccount account, String userName, String policyFile, Region region) {
    String partition = region.metadata().partition().id();
    try (IamClient iam = iam(env, account, region)) {
      String policy =
          Files.readString(TestEnvironment.repoRoot().resolve(Path.of(policyFile)))
              .replace("\"arn:aws:", "\"arn:" + partition + ":");
      iam.createUser(r -> r.userName(userName));
      iam.putUserPolicy(r -> r.userName(userName).policyName("policy").policyDocument(policy));
      AccessKey key = iam.createAccessKey(r -> r.userName(userName)).accessKey();
      return new AwsAccount(account.id(), key.accessKeyId(), key.secretAccessKey());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
