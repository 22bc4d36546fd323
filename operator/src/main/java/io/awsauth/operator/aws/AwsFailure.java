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

  private final String operation;
  private final Kind kind;
  private final String code;
  private final Reason reason;

  /** A failure of no one AWS call (a local check, a proof that could not be sent). */
  public AwsFailure(Kind kind, String code, Reason reason, String message, Throwable cause) {
    this(null, kind, code, reason, message, cause);
  }

  /** The failure of the AWS call named by its IAM action, e.g. {@code sts:AssumeRole}. */
  public AwsFailure(
      String operation, Kind kind, String code, Reason reason, String message, Throwable cause) {
    super(message, cause, false, false);
    this.operation = operation;
    this.kind = kind;
    this.code = code;
    this.reason = reason;
  }

  /** The IAM action of the call that failed ({@code sts:AssumeRole}), or null for no one call. */
  public String operation() {
    return operation;
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
