package io.awsauth.operator.api.v1alpha1;

import java.util.List;

/** The reasons only an AwsAuthConfig shows; {@link #all()} adds the shared ones it shows. */
public enum AwsAuthConfigReason implements Reason {
  CallerVerified(Recheck.WAIT_FOR_CHANGE, "sts:GetCallerIdentity succeeded"),
  IdentityDocumentCertificatesInvalid(
      Recheck.WAIT_FOR_CHANGE, "spec.identityDocumentCertificates does not parse as X.509"),
  PartitionMismatch(
      Recheck.WAIT_FOR_CHANGE,
      "endpoints.stsRegion, or the caller's ARN, is in another partition than spec.region"),
  WebIdentityTokenRefused(
      Recheck.AFTER_REFUSAL,
      "STS refused the web identity token (InvalidIdentityToken, ExpiredTokenException,"
          + " AccessDenied on sts:AssumeRoleWithWebIdentity), or it is not for"
          + " credentials.audience"),
  WebIdentityTokenUnreadable(
      Recheck.RETRY_SOON, "the web identity token file is missing, unreadable, empty or no JWT");

  private final Recheck recheck;
  private final String description;

  AwsAuthConfigReason(Recheck recheck, String description) {
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

  /** Every reason an AwsAuthConfig's conditions can carry. */
  public static List<Reason> all() {
    return Reason.all(
        values(),
        new Reason[] {DependencyReason.SecretNotFound, DependencyReason.SecretKeyMissing},
        AwsReason.values());
  }
}
