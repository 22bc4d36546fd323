package io.awsauth.operator.identity;

/**
 * The outcome of verifying who is asking: allowed, or denied with a CamelCase reason and a message
 * naming the binding that failed.
 */
public record IdentityVerdict(boolean allowed, String reason, String message) {
  public static IdentityVerdict allow(String reason, String message) {
    return new IdentityVerdict(true, reason, message);
  }

  public static IdentityVerdict deny(String reason, String message) {
    return new IdentityVerdict(false, reason, message);
  }
}
