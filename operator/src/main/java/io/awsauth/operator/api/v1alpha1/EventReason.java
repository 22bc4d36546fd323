package io.awsauth.operator.api.v1alpha1;

/**
 * The reasons of the Events the operator writes besides those announcing a change of a condition's
 * reason (which carry that condition's {@link Reason}). Each says on which kind it appears, whether
 * it is Normal or Warning, and the action it reports; docs/troubleshooting.md lists them
 * (ReasonsDocTest checks it).
 */
public enum EventReason {
  Issued("AwsCredentialRequest", false, "Issue", "a credential was issued"),
  Rotated("AwsCredentialRequest", false, "Rotate", "a fresh credential replaced the previous one"),
  IssuanceResumed(
      "AwsCredentialRequest",
      false,
      "Issue",
      "an interrupted issuance was finished, or a lease was recorded from its Secret"),
  Revoked("AwsCredentialRequest", false, "Revoke", "a lease was revoked"),
  RevocationFailed(
      "AwsCredentialRequest",
      true,
      "Revoke",
      "the IAM user of a deleted request is not gone yet, or AWS refused the deny policy of an STS"
          + " credential"),
  RevocationCutoff(
      "AwsCredentialRequest",
      true,
      "Revoke",
      "the deny policy would exceed AWS's size limit: every session of the role issued before now"
          + " is denied and the operator's other leases of it are re-issued"),
  RolloutRestarted(
      "AwsCredentialRequest",
      false,
      "RestartRollout",
      "the workloads of spec.rolloutRestartTargets were restarted after a rotation"),
  RolloutTargetNotFound(
      "AwsCredentialRequest",
      true,
      "RestartRollout",
      "a workload of spec.rolloutRestartTargets does not exist, or its matchLabels select none"),
  RoleCreated("StsRoleBinding", false, "ManageTrust", "trust.manage created the Role-to-Assume"),
  TrustPolicyUpdated(
      "StsRoleBinding", false, "ManageTrust", "trust.manage added its statement to the trust"),
  TrustCleanupSkipped(
      "StsRoleBinding", true, "ManageTrust", "a deleted binding's statements were left in place"),
  RootKeyRotated("AwsAuthConfig", false, "RotateRootKey", "the operator's own key was rotated"),
  RootKeyRotationFailed(
      "AwsAuthConfig", true, "RotateRootKey", "a rotation of the operator's own key failed");

  private final String kind;
  private final boolean warning;
  private final String action;
  private final String description;

  EventReason(String kind, boolean warning, String action, String description) {
    this.kind = kind;
    this.warning = warning;
    this.action = action;
    this.description = description;
  }

  /** The kind of the object the Event is about. */
  public String kind() {
    return kind;
  }

  /** Warning (something needs attention) or Normal. */
  public boolean warning() {
    return warning;
  }

  /** The Event's action, e.g. {@code Issue}. */
  public String action() {
    return action;
  }

  public String description() {
    return description;
  }
}
