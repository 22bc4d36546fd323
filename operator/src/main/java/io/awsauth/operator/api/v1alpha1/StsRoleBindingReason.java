package io.awsauth.operator.api.v1alpha1;

import java.util.Arrays;
import java.util.List;

/** The reasons only an StsRoleBinding shows; {@link #all()} adds the shared ones it shows. */
public enum StsRoleBindingReason implements Reason {
  AssumeRoleSucceeded(Recheck.WAIT_FOR_CHANGE, "sts:AssumeRole landed in spec.accountId"),
  TrustReady(Recheck.WAIT_FOR_CHANGE, "the binding's trust is verified"),
  AssumeRoleDenied(
      Recheck.AFTER_REFUSAL, "sts:AssumeRole was denied: trust policy or caller policy missing"),
  TrustNotManageable(
      Recheck.AFTER_REFUSAL, "trust.manage is on and the administrator was denied an IAM action"),
  AccountMismatch(Recheck.WAIT_FOR_CHANGE, "assuming the role landed in another account"),
  PartitionMismatch(
      Recheck.WAIT_FOR_CHANGE,
      "spec.roleArn is in another partition than the AwsAuthConfig's caller (never assumable)");

  private final Recheck recheck;
  private final String description;

  StsRoleBindingReason(Recheck recheck, String description) {
    this.recheck = recheck;
    this.description = description;
  }

  @Override
  public Recheck recheck() {
    return recheck;
  }

  @Override
  public String description() {
    return description;
  }

  /**
   * Every reason an StsRoleBinding's conditions can carry (AWS's AccessDenied becomes
   * AssumeRoleDenied or TrustNotManageable).
   */
  public static List<Reason> all() {
    return Reason.all(
        values(),
        new Reason[] {
          DependencyReason.AuthConfigNotFound,
          DependencyReason.AuthConfigNotReady,
          DependencyReason.SecretNotFound,
          DependencyReason.SecretKeyMissing
        },
        new Reason[] {
          SessionIdentityReason.SessionIdentityAllowed,
          SessionIdentityReason.TrustLacksSessionIdentity
        },
        Arrays.stream(AwsReason.values())
            .filter(r -> r != AwsReason.AccessDenied)
            .toArray(Reason[]::new));
  }
}
