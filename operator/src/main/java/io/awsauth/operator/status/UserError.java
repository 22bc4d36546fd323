package io.awsauth.operator.status;

import io.awsauth.operator.api.v1alpha1.Reason;

/**
 * A problem in what a user wrote (a missing reference, a Secret without a key, a combination AWS
 * would refuse) that only the user can fix: it becomes a condition with a reason and an Event, and
 * is not retried until something changes. The message never carries secret material.
 */
public class UserError extends RuntimeException {
  private final Reason reason;

  public UserError(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
