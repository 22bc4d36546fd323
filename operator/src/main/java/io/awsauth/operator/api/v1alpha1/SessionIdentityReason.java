package io.awsauth.operator.api.v1alpha1;

/**
 * Reasons of the SessionIdentity condition, which VaultAwsRoles (their roleArns) and
 * StsRoleBindings (the target roles in their account) show: whether the target roles' trust lets
 * the operator say who holds the sessions it opens. Never blocks issuance.
 */
public enum SessionIdentityReason implements Reason {
  SessionIdentityAllowed(
      Recheck.WAIT_FOR_CHANGE,
      "every target role's trust allows sts:SetSourceIdentity and sts:TagSession"),
  TrustLacksSessionIdentity(
      Recheck.AFTER_REFUSAL,
      "a target role's trust does not allow sts:SetSourceIdentity or sts:TagSession: its sessions"
          + " carry no workload identity"),
  TrustUnreadable(
      Recheck.AFTER_REFUSAL, "iam:GetRole on a target role failed: its trust could not be checked");

  private final Recheck recheck;
  private final String description;

  SessionIdentityReason(Recheck recheck, String description) {
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
}
