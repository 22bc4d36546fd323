package io.awsauth.operator.identity;

import io.awsauth.operator.api.v1alpha1.Reason;

/**
 * The outcome of verifying who is asking: allowed, or denied with a reason and a message naming the
 * binding that failed.
 */
public record IdentityVerdict(boolean allowed, Reason reason, String message) {
  public static IdentityVerdict allow(Reason reason, String message) {
    return new IdentityVerdict(true, reason, message);
  }

  public static IdentityVerdict deny(Reason reason, String message) {
    return new IdentityVerdict(false, reason, message);
  }
}
