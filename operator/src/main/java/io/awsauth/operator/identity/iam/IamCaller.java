package io.awsauth.operator.identity.iam;

import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.identity.IamArn;
import java.util.Optional;

/**
 * The principal a verified sts:GetCallerIdentity answer names, in the two forms bindings can match:
 * an IAM user (its ARN carries its path) or a role, usually as an assumed-role session (whose ARN
 * does not carry the role's path).
 */
public record IamCaller(IamArn arn, PrincipalKey key) {

  /**
   * The caller, or empty when the answer names something bindings cannot hold: the root user, a
   * federated user (sts:GetFederationToken), or an answer whose parts disagree. Vault refuses the
   * same principals.
   */
  public static Optional<IamCaller> of(CallerIdentity identity) {
    if (identity == null) {
      return Optional.empty();
    }
    Optional<IamArn> arn =
        IamArn.parse(identity.arn()).filter(a -> a.kind() != IamArn.Kind.INSTANCE_PROFILE);
    if (arn.isEmpty() || !arn.get().accountId().equals(identity.account())) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new IamCaller(arn.get(), PrincipalKey.ofCaller(identity.account(), identity.userId())));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Whether the caller's full ARN (with path) is known without asking IAM. */
  public boolean pathKnown() {
    return arn.kind() != IamArn.Kind.ASSUMED_ROLE;
  }
}
