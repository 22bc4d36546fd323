package io.awsauth.operator.status;

/**
 * A problem in what a user wrote (a missing reference, a Secret without a key, a combination AWS
 * would refuse) that only the user can fix: it becomes a condition with a reason and an Event, and
 * is not retried until something changes. The message never carries secret material.
 */
public class UserError extends RuntimeException {
  private final String reason;

  public UserError(String reason, String message) {
    super(message, null, false, false);
    Conditions.requireCamelCase(reason);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
