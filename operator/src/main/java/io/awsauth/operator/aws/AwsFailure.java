package io.awsauth.operator.aws;

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
  private final String reason;

  public AwsFailure(Kind kind, String code, String reason, String message, Throwable cause) {
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

  /** The CamelCase reason for a condition, e.g. InvalidCredentials. */
  public String reason() {
    return reason;
  }
}
