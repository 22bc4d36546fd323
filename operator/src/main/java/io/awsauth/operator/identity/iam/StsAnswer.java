package io.awsauth.operator.identity.iam;

import io.awsauth.operator.aws.CallerIdentity;

/** What STS answered to a forwarded proof. */
public sealed interface StsAnswer {
  /** A GetCallerIdentityResponse: whose signature the proof carried. */
  record Identified(CallerIdentity identity) implements StsAnswer {}

  /**
   * An ErrorResponse, such as {@code SignatureDoesNotMatch} or {@code ExpiredToken}: STS refused
   * the proof. The message is cut to its first sentence-line and scrubbed of access key IDs, since
   * STS may quote the canonical request (with the session token) after it.
   */
  record Refused(String code, String message) implements StsAnswer {}
}
