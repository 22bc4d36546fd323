package io.awsauth.operator.status;

import io.awsauth.operator.api.v1alpha1.ConditionedStatus;
import io.awsauth.operator.api.v1alpha1.Reason;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The one place conditions are written. A condition keeps its lastTransitionTime while its status
 * stays the same, so that an unchanged condition never causes a status write.
 */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private final Clock clock;

  public Conditions(Clock clock) {
    this.clock = clock;
  }

  /** Sets a condition on the status; returns the status for chaining. */
  public <S extends ConditionedStatus> S set(
      S status, long generation, String type, boolean value, Reason reason, String message) {
    return set(status, generation, type, value ? TRUE : FALSE, reason, message);
  }

  public <S extends ConditionedStatus> S set(
      S status, long generation, String type, String value, Reason reason, String message) {
    requireCamelCase(reason.name());
    List<Condition> conditions =
        status.conditions == null ? new ArrayList<>() : new ArrayList<>(status.conditions);
    Condition previous =
        conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    String transition =
        previous != null
                && Objects.equals(previous.getStatus(), value)
                && previous.getLastTransitionTime() != null
            ? previous.getLastTransitionTime()
            : Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    Condition next =
        new ConditionBuilder()
            .withType(type)
            .withStatus(value)
            .withReason(reason.name())
            .withMessage(message == null ? "" : message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(transition)
            .build();
    conditions.removeIf(c -> type.equals(c.getType()));
    conditions.add(next);
    conditions.sort(Comparator.comparing(Condition::getType));
    status.conditions = conditions;
    return status;
  }

  static void requireCamelCase(String reason) {
    if (reason == null || !reason.matches("^[A-Z][A-Za-z0-9]*$")) {
      throw new IllegalArgumentException("condition reason must be CamelCase: " + reason);
    }
  }
}
