package io.awsauth.operator.aws;

import io.awsauth.operator.api.v1alpha1.Reason;

/**
 * An AWS call that failed, classified once. Terminal failures become a condition and are not
 * retried until something changes; transient ones are rethrown so the framework retries with
 * backoff. The message never carries secret material.
 */
public class AwsFailure extends RuntimeException {
  public enum Kind {
    TERMINAL,
    TRANSIENT
  }

  private final Kind kind;
  private final String code;
  private final Reason reason;

  public AwsFailure(Kind kind, String code, Reason reason, String message, Throwable cause) {
    super(message, cause, false, false);
    this.kind = kind;
    this.code = code;
    this.reason = reason;
  }

  public Kind kind() {
    return kind;
  }

  public boolean isTerminal() {
    return kind == Kind.TERMINAL;
  }

  /** The AWS error code, e.g. AccessDenied, or a local one such as EndpointUnreachable. */
  public String code() {
    return code;
  }

  /** The reason for a condition, e.g. InvalidCredentials. */
  public Reason reason() {
    return reason;
  }
}
