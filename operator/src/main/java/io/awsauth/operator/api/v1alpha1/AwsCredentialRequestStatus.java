package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * Conditions: IdentityVerified, Issued, Ready, RotationInTime. Never holds secret material: the
 * keys are only in the Secret.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AwsCredentialRequestStatus extends ConditionedStatus {
  @JsonPropertyDescription("Identifier of the current lease.")
  public String leaseId;

  @JsonPropertyDescription("The credential type issued (copied from the role when issued).")
  public String credentialType;

  @JsonPropertyDescription("The Secret holding the credential.")
  public String secretName;

  @JsonPropertyDescription("Access key ID of the current credential (not secret).")
  public String accessKeyId;

  @JsonPropertyDescription("The AWS principal the credential acts as.")
  public String principalArn;

  @JsonPropertyDescription(
      "The SourceIdentity of the current assumed_role session (who holds it, as CloudTrail"
          + " shows it), when it carries one.")
  public String sourceIdentity;

  @JsonPropertyDescription(
      "What the current credential lacks that the role asked for, when anything: session tags"
          + " left out for AWS's size limit, or a session identity the role's trust refused.")
  public String issueNote;

  @JsonPropertyDescription("The lease length granted, after the role's maxTtl was applied.")
  public String ttl;

  @JsonPropertyDescription("When the current credential was issued (RFC 3339).")
  public String issuedAt;

  @JsonPropertyDescription("When the current credential expires (RFC 3339).")
  public String expiresAt;

  @JsonPropertyDescription("When the operator issues the next credential (RFC 3339).")
  public String renewAt;

  @JsonPropertyDescription(
      "iam_user: name of the IAM user of the lease. Written before the user is created, so that"
          + " a crash between the two can be cleaned up.")
  public String iamUserName;

  @JsonPropertyDescription(
      "The AwsAuthConfig whose identity issued the lease; it revokes the lease even when the"
          + " role is gone.")
  public String authConfigRef;

  @JsonPropertyDescription(
      "How long the fresh credential took to work (iam_user: IAM keys are eventually"
          + " consistent, so the operator proves a new key with sts:GetCallerIdentity before"
          + " Ready).")
  public String usableAfter;

  @JsonPropertyDescription(
      "When the last lease was revoked (expiry, denial, role deleted). An assumed_role or"
          + " federation_token credential that had not expired yet is also denied at AWS (see"
          + " revocation); a session_token credential only leaves the Secret and stays valid at"
          + " AWS until it expires.")
  public String revokedAt;

  @JsonPropertyDescription(
      "The denial at AWS of the last STS credential revoked before it expired (assumed_role,"
          + " federation_token): recorded as RevocationPending before the operator writes its"
          + " deny policy, Revoked once written.")
  public Revocation revocation;

  @JsonPropertyDescription(
      "assumed_role and federation_token: the previous credentials that a change of spec replaced"
          + " while they were still valid. Each is denied at AWS (state Revoked) once the"
          + " rolloutRestartTargets were restarted on its successor and the operator's grace for"
          + " the rollout has passed (denyAt); without rolloutRestartTargets it stays valid until"
          + " it expires (the SDKs reading the Secret switch only then). Deleting the request, or"
          + " a denial of it, denies them at once. Removed once expired.")
  public List<RetiredSession> retiredSessions;

  @JsonPropertyDescription(
      "When the current lease replaced one that a role-wide cutoff denied (RFC 3339): the deny"
          + " policy of its role (or of the operator's user) was full, so every session issued"
          + " before this time is refused at AWS, and the operator re-issued this lease.")
  public String reissuedAfterCutoff;

  @JsonPropertyDescription(
      "Fingerprint of the spec fields the current lease was issued for (roleRef, roleArn,"
          + " roleSessionName, ttl): a change issues a fresh credential.")
  public String issuedFor;

  @JsonPropertyDescription(
      "iam_user: fingerprint of the VaultAwsRole's policyDocument, policyArns and iamGroups the"
          + " IAM user was last given. A rotation while the role's are the same creates only the"
          + " new access key; a change (or an interrupted issuance) gives the user the role's"
          + " permissions again first.")
  public String permissionsFor;

  @JsonPropertyDescription(
      "An issuance in progress, recorded before its first AWS call, so that a crash in the"
          + " middle is finished or cleaned up after restart.")
  public PendingLease pendingLease;

  @JsonPropertyDescription(
      "iam_user, after a rotation: the previous lease's key, which stays valid until deleteAt"
          + " (the Expiration the workloads were given plus 30s), so that an SDK reading the"
          + " mounted Secret through credential_process switches before it goes. Recorded with"
          + " the lease that replaced it; the user is never left with more than two keys.")
  public RetiringKey retiringKey;

  @JsonPropertyDescription(
      "The lease the rolloutRestartTargets were last restarted for: a rotation restarts them"
          + " once, and neither a resync nor an operator restart restarts them again.")
  public String restartedFor;

  @JsonPropertyDescription(
      "A restart of the rolloutRestartTargets that a rotation made due and that has not happened"
          + " yet: recorded with the lease that made it due, then given its time (restarts of one"
          + " namespace are spread out), so that neither a crash nor an operator restart loses or"
          + " repeats it.")
  public RestartPending restartPending;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Revocation {
    /** Recorded before the deny policy is written. */
    public static final String PENDING = "RevocationPending";

    /** The deny policy holds the statement (or a cutoff that covers the session). */
    public static final String REVOKED = "Revoked";

    /** AWS refused the write for good (for example AccessDenied): the credential still works. */
    public static final String FAILED = "RevocationFailed";

    @JsonPropertyDescription(
        "RevocationPending (recorded, the deny policy not written yet), Revoked (AWS refuses the"
            + " credential, within the minutes IAM takes to propagate a policy change) or"
            + " RevocationFailed (AWS refused the policy write; the credential works until it"
            + " expires).")
    public String state;

    @JsonPropertyDescription("The lease whose credential is denied.")
    public String leaseId;

    @JsonPropertyDescription("Its credential type: assumed_role or federation_token.")
    public String credentialType;

    @JsonPropertyDescription("Why it was revoked: request deleted, or the reason of the denial.")
    public String reason;

    @JsonPropertyDescription(
        "The aws:userid the deny statement matches: the role ID and session name, or the account"
            + " and federated-user name.")
    public String userId;

    @JsonPropertyDescription(
        "The role (assumed_role) or the operator's own IAM user (federation_token) whose inline"
            + " policy aws-auth-operator-revocations holds the deny statement.")
    public String policyHolder;

    @JsonPropertyDescription("The AwsAuthConfig whose identity writes the deny policy.")
    public String authConfigRef;

    @JsonPropertyDescription(
        "The deny matches sessions issued at or before this time (RFC 3339, whole seconds), so a"
            + " later session of the same name is not affected.")
    public String issuedBy;

    @JsonPropertyDescription(
        "When the credential expires anyway; the statement is removed after it (RFC 3339).")
    public String expiresAt;

    @JsonPropertyDescription("When the revocation was recorded (RFC 3339).")
    public String requestedAt;

    @JsonPropertyDescription("When the deny policy was written (RFC 3339).")
    public String revokedAt;

    @JsonPropertyDescription(
        "Set when the deny policy would have exceeded AWS's size limit: every session of the"
            + " role (or every federated user of the operator's user) issued before this time is"
            + " denied, and the operator re-issued the other leases it covers (RFC 3339).")
    public String cutoffAt;

    @JsonPropertyDescription("Why the revocation failed, when it did.")
    public String message;
  }

  /** A previous STS credential that a change of spec replaced while it was still valid. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RetiredSession extends Revocation {
    @JsonPropertyDescription("The lease that replaced it.")
    public String supersededBy;

    @JsonPropertyDescription(
        "When it is denied at AWS (RFC 3339): after the restart of the rolloutRestartTargets on"
            + " its successor, plus the operator's grace for the rollout. Absent until that"
            + " restart is done; absent for good when the request lists no rolloutRestartTargets.")
    public String denyAt;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RestartPending {
    @JsonPropertyDescription("The lease whose rotation made the restart due.")
    public String leaseId;

    @JsonPropertyDescription(
        "When the restart happens (RFC 3339); the value of the workloads' awsauth.io/restartedAt"
            + " annotation. Absent until the namespace's spread gives it a time.")
    public String restartAt;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RetiringKey {
    @JsonPropertyDescription("Access key ID of the previous key (not secret).")
    public String accessKeyId;

    @JsonPropertyDescription("When the previous key is deleted (RFC 3339).")
    public String deleteAt;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class PendingLease {
    @JsonPropertyDescription("The lease being issued.")
    public String leaseId;

    @JsonPropertyDescription("When the issuance started (RFC 3339).")
    public String startedAt;

    @JsonPropertyDescription("The lease length being issued.")
    public String ttl;
  }
}
