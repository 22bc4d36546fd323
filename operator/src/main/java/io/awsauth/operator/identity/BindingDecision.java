package io.awsauth.operator.identity;

import java.util.function.Supplier;

/**
 * Whether a role's bindings admit a request. A denial names the binding that refused (for example
 * {@code bindings.serviceAccounts}) so that the request's condition tells the user which list to
 * look at.
 */
public sealed interface BindingDecision {
  Allowed ALLOWED = new Allowed();

  /** Every binding that is set matched. */
  record Allowed() implements BindingDecision {}

  /**
   * A binding refused. {@code binding} is the field path of the list that did not match (or of the
   * fact that failed, such as {@code instance.state}); {@code message} says what was compared and
   * never carries secret material.
   */
  record Denied(String binding, String message) implements BindingDecision {}

  default boolean allowed() {
    return this instanceof Allowed;
  }

  /** This decision if it denies, otherwise the next one; later checks run only when needed. */
  default BindingDecision and(Supplier<BindingDecision> next) {
    return allowed() ? next.get() : this;
  }
}
