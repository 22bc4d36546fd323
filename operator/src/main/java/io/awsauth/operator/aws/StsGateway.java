package io.awsauth.operator.aws;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The STS calls the operator makes. Implementations throw {@link AwsFailure}. */
public interface StsGateway {
  CallerIdentity getCallerIdentity();

  /** sts:AssumeRole; the credentials are returned, never logged. */
  default SessionCredentials assumeRole(
      String roleArn, String sessionName, Optional<String> externalId, int durationSeconds) {
    return assumeRole(
            new RoleSession(
                roleArn,
                sessionName,
                externalId,
                durationSeconds,
                Optional.empty(),
                List.of(),
                Map.of(),
                Optional.empty(),
                List.of()))
        .credentials();
  }

  /** sts:AssumeRole with session policies and tags. */
  IssuedSession assumeRole(RoleSession request);

  /** sts:GetFederationToken: a federated user named {@code name} (at most 32 characters). */
  IssuedSession getFederationToken(
      String name,
      Optional<String> policy,
      List<String> policyArns,
      Map<String, String> tags,
      int durationSeconds);

  /** sts:GetSessionToken: temporary credentials of the caller itself. */
  SessionCredentials getSessionToken(int durationSeconds);

  /** What sts:AssumeRole is asked for. */
  record RoleSession(
      String roleArn,
      String sessionName,
      Optional<String> externalId,
      int durationSeconds,
      Optional<String> policy,
      List<String> policyArns,
      Map<String, String> tags,
      Optional<String> sourceIdentity,
      List<String> transitiveTagKeys) {}

  /** Temporary credentials and the principal they act as. */
  record IssuedSession(SessionCredentials credentials, String principalArn) {}
}
