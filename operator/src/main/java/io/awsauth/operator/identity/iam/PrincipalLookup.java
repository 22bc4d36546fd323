package io.awsauth.operator.identity.iam;

import java.util.Optional;

/**
 * How the matcher learns the path of the role behind an assumed-role session, which the session's
 * ARN leaves out. Implementations call iam:GetRole with the role's name in the caller's account
 * (through that account's StsRoleBinding when it is not the operator's), and may cache the answer
 * under {@link IamCaller#key()}. They return empty when no such role exists and throw when IAM
 * cannot answer, so that the reconcile is retried rather than denied.
 *
 * <p>The matcher does not trust the answer blindly: it is used only when its unique ID is the
 * caller's and its ARN names the same partition, account and role name.
 */
@FunctionalInterface
public interface PrincipalLookup {
  Optional<ResolvedPrincipal> roleOf(IamCaller caller);

  /** For bindings that never need a lookup (kubernetes and ec2 roles, or no iamPrincipalArns). */
  PrincipalLookup NONE = caller -> Optional.empty();
}
