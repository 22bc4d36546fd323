package io.awsauth.operator.testenv;

import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
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
    return IamClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(env.awsEndpoint()))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
        .httpClient(HTTP)
        .build();
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
    return StsClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(env.awsEndpoint()))
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .httpClient(HTTP)
        .build();
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
    try (IamClient iam = iam(env, account)) {
      String policy = Files.readString(TestEnvironment.repoRoot().resolve(Path.of(policyFile)));
      iam.createUser(r -> r.userName(userName));
      iam.putUserPolicy(r -> r.userName(userName).policyName("policy").policyDocument(policy));
      AccessKey key = iam.createAccessKey(r -> r.userName(userName)).accessKey();
      return new AwsAccount(account.id(), key.accessKeyId(), key.secretAccessKey());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
