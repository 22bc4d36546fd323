package io.awsauth.operator.aws;

import java.util.Optional;

/** The STS calls the operator makes. Implementations throw {@link AwsFailure}. */
public interface StsGateway {
  CallerIdentity getCallerIdentity();

  /** sts:AssumeRole; the credentials are returned, never logged. */
  SessionCredentials assumeRole(
      String roleArn, String sessionName, Optional<String> externalId, int durationSeconds);
}
