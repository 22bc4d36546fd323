package io.awsauth.operator.api.v1alpha1;

/**
 * Reasons of a failed call, classified once (io.awsauth.operator.aws.sdk.AwsErrors): AWS's error
 * codes, an unreachable endpoint, the API server, an unexpected exception. Shown by every kind that
 * calls AWS.
 */
public enum AwsReason implements Reason {
  InvalidCredentials(
      Recheck.AFTER_REFUSAL, "AWS does not accept the keys: unknown key ID or wrong secret"),
  ExpiredCredentials(Recheck.AFTER_REFUSAL, "the temporary credentials have expired"),
  AccessDenied(Recheck.AFTER_REFUSAL, "AWS refused a call; the message names it"),
  MalformedPolicyDocument(Recheck.AFTER_REFUSAL, "AWS refused a policy document"),
  PolicyTooLarge(Recheck.AFTER_REFUSAL, "AWS refused a policy as too large"),
  InvalidInput(Recheck.AFTER_REFUSAL, "AWS refused a parameter"),
  NotFound(Recheck.AFTER_REFUSAL, "AWS answered NoSuchEntity"),
  LimitExceeded(Recheck.AFTER_REFUSAL, "an AWS quota was reached"),
  RegionDisabled(Recheck.AFTER_REFUSAL, "STS is not activated in the region for the account"),
  AwsError(Recheck.AFTER_REFUSAL, "AWS answered an error code the operator does not classify"),
  EndpointUnreachable(Recheck.RETRY_SOON, "an AWS endpoint could not be reached"),
  AwsUnavailable(Recheck.RETRY_SOON, "AWS throttled the call or answered 5xx, or the SDK failed"),
  ApiServerError(Recheck.RETRY_SOON, "the Kubernetes API server refused a read or write"),
  InternalError(Recheck.RETRY_SOON, "an unexpected exception in the operator");

  private final Recheck recheck;
  private final String description;

  AwsReason(Recheck recheck, String description) {
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
