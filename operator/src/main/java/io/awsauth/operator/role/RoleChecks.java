package io.awsauth.operator.role;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.Durations;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleReason;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.aws.Arns;
import io.awsauth.operator.aws.Partition;
import io.awsauth.operator.status.UserError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What AWS would refuse for a role, decided before anything is issued: pure functions of the role
 * and of what is known about the operator's own credentials.
 */
final class RoleChecks {
  /** IAM's limit for an inline user policy, and STS's for a session policy (no whitespace). */
  static final int MAX_POLICY_CHARS = 2048;

  /** sts:AssumeRole from credentials that are themselves an assumed role lasts at most 1h. */
  static final Duration MAX_CHAINED_ROLE_SESSION = Duration.ofHours(1);

  private static final ObjectMapper JSON = new ObjectMapper();

  private RoleChecks() {}

  /**
   * Throws a {@link UserError} naming the first problem; returns quietly when the role can issue.
   */
  static void check(
      VaultAwsRoleSpec spec, boolean operatorUsesSessionCredentials, String operatorAccountId) {
    if (spec.credentialType == CredentialType.FEDERATION_TOKEN && operatorUsesSessionCredentials) {
      throw new UserError(
          VaultAwsRoleReason.SessionCredentialsCannotFederate,
          "Cannot call GetFederationToken with session credentials: the AwsAuthConfig's"
              + " credentials are temporary (an assumed role or session token); federation_token"
              + " roles need the long-term keys of an IAM user");
    }
    Optional<String> remote =
        spec.roleArns == null
            ? Optional.empty()
            : spec.roleArns.stream()
                .filter(arn -> !Arns.accountId(arn).equals(operatorAccountId))
                .findFirst();
    if (spec.credentialType == CredentialType.ASSUMED_ROLE
        && (operatorUsesSessionCredentials || remote.isPresent())) {
      String why =
          operatorUsesSessionCredentials
              ? "the AwsAuthConfig's credentials are an assumed role"
              : remote.get()
                  + " is in another account, assumed from that account's StsRoleBinding session";
      for (String ttl : new String[] {spec.defaultTtl, spec.maxTtl}) {
        if (ttl != null && Durations.parse(ttl).compareTo(MAX_CHAINED_ROLE_SESSION) > 0) {
          throw new UserError(
              VaultAwsRoleReason.ChainedRoleTtlTooLong,
              why
                  + ", and AWS limits a role assumed from another role to 1h: defaultTtl and"
                  + " maxTtl must be 1h or less (got "
                  + ttl
                  + ")");
        }
      }
    }
    packedPolicySize(spec)
        .filter(size -> size > MAX_POLICY_CHARS)
        .ifPresent(
            size -> {
              throw new UserError(
                  VaultAwsRoleReason.PolicyTooLarge,
                  "policyDocument is "
                      + size
                      + " characters without whitespace; AWS accepts at most "
                      + MAX_POLICY_CHARS);
            });
  }

  /**
   * Every ARN the role names for AWS to use (roleArns, policyArns, permissionsBoundaryArn) is in
   * {@code partition}, the operator's caller's: STS and IAM refuse another partition's ARNs.
   */
  static void checkPartition(VaultAwsRoleSpec spec, Partition partition) {
    List<String> arns = new ArrayList<>();
    Optional.ofNullable(spec.roleArns).ifPresent(arns::addAll);
    Optional.ofNullable(spec.policyArns).ifPresent(arns::addAll);
    Optional.ofNullable(spec.permissionsBoundaryArn).ifPresent(arns::add);
    for (String arn : arns) {
      if (!Partition.idOf(arn).equals(partition.id())) {
        throw new UserError(
            VaultAwsRoleReason.PartitionMismatch,
            arn
                + " is in partition "
                + Partition.idOf(arn)
                + ", the AwsAuthConfig's caller in "
                + partition.id()
                + ": write the ARN of partition "
                + partition.id()
                + " (arn:"
                + partition.id()
                + ":...)");
      }
    }
  }

  /** The policy document's size as AWS counts it: compact JSON, no whitespace. */
  static Optional<Integer> packedPolicySize(VaultAwsRoleSpec spec) {
    if (spec.policyDocument == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.writeValueAsString(spec.policyDocument).length());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
