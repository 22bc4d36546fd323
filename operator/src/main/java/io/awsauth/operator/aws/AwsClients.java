package io.awsauth.operator.aws;

import java.util.Optional;
import java.util.function.Function;

/**
 * The AWS clients of one identity ({@link AwsClientSettings}): the one port above which no code
 * sees an AWS SDK type. Implemented by {@code aws.sdk.SdkClients}; unit tests use in-memory fakes.
 */
public interface AwsClients {
  StsGateway sts(AwsClientSettings settings);

  IamGateway iam(AwsClientSettings settings);

  /** EC2 in {@code region} (an instance's, which may differ from the settings' own region). */
  Ec2Gateway ec2(AwsClientSettings settings, String region);

  /**
   * Calls STS once with settings that will not be used again (for example a freshly issued key):
   * nothing is kept for them afterwards.
   */
  <T> T withSts(AwsClientSettings settings, Function<StsGateway, T> call);

  /**
   * AWS refused the credentials of {@code settings} as unknown or expired although they had not
   * reached their expiry (a session ended early, an emulator restarted): a web identity is
   * exchanged again at the next call, its token file read again. Other credentials are not kept
   * here and need nothing.
   */
  default void renewCredentials(AwsClientSettings settings) {}

  /**
   * A session of {@code roleArn}, assumed with {@code base}, refreshed before it expires. The
   * caller keeps one per role and shares it; it {@link AwsCredentials.RoleSession#close closes} it
   * when the role's binding changes.
   */
  AwsCredentials.RoleSession assumedRole(
      AwsClientSettings base, String roleArn, String sessionName, Optional<String> externalId);
}
