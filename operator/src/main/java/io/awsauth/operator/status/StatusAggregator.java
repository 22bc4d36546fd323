package io.awsauth.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.awsauth.operator.api.v1alpha1.ConditionedStatus;
import io.awsauth.operator.api.v1alpha1.Reason;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The outcome of one reconcile, gathered and written once (in the manner of the Keycloak operator's
 * {@code KeycloakStatusAggregator}): the reconcile records each condition as it learns it (the last
 * record of a type wins), {@link #build} writes them to the status through {@link Conditions}
 * (which keeps lastTransitionTime while a condition's status stays the same), and the update
 * control patches the status only when it differs from the snapshot taken at the start.
 */
public class StatusAggregator<P extends CustomResource<?, S>, S extends ConditionedStatus> {
  private final P resource;
  private final JsonNode before;
  private final Conditions conditions;
  private final Map<String, Outcome> outcomes = new LinkedHashMap<>();
  private boolean built;

  /** A condition to write, or (when {@code remove}) one to take away. */
  private record Outcome(boolean value, Reason reason, String message, boolean remove) {}

  /**
   * What {@link #of} does; for a kind's own name of its aggregator (such as {@code
   * credential.RequestOutcome}).
   */
  protected StatusAggregator(P resource, Supplier<S> empty, Conditions conditions) {
    this.resource = resource;
    this.before = StatusUpdates.snapshot(resource.getStatus());
    this.conditions = conditions;
    if (resource.getStatus() == null) {
      resource.setStatus(empty.get());
    }
  }

  /**
   * Starts a reconcile of {@code resource}: snapshots its status, creating an empty one if none.
   */
  public static <P extends CustomResource<?, S>, S extends ConditionedStatus>
      StatusAggregator<P, S> of(P resource, Supplier<S> empty, Conditions conditions) {
    return new StatusAggregator<>(resource, empty, conditions);
  }

  /** The status being built: the reconcile sets its other fields here. */
  public S status() {
    return resource.getStatus();
  }

  /** The status as it was when the reconcile started (null when there was none). */
  public JsonNode before() {
    return before;
  }

  /** Records a condition; a later record of the same type replaces it. */
  public StatusAggregator<P, S> condition(
      String type, boolean value, Reason reason, String message) {
    if (built) {
      throw new IllegalStateException("the status of this reconcile is already built");
    }
    outcomes.put(type, new Outcome(value, reason, message, false));
    return this;
  }

  /**
   * Records that a condition no longer applies (a RevocationFailed once the revocation went
   * through): it is taken out of the status when built; a later record of the type replaces this.
   */
  public StatusAggregator<P, S> remove(String type) {
    if (built) {
      throw new IllegalStateException("the status of this reconcile is already built");
    }
    outcomes.put(type, new Outcome(false, null, null, true));
    return this;
  }

  /** The resource whose status this is. */
  public P resource() {
    return resource;
  }

  /**
   * Writes the recorded conditions to the status, once; {@code observed}: the reconcile acted on
   * the resource's current generation (a failed reconcile, reported by the framework, did not).
   */
  public S build(boolean observed) {
    if (built) {
      throw new IllegalStateException("the status of this reconcile is already built");
    }
    built = true;
    S status = status();
    long generation = generation();
    outcomes.forEach(
        (type, o) -> {
          if (o.remove()) {
            if (status.conditions != null) {
              status.conditions.removeIf(c -> type.equals(c.getType()));
            }
          } else {
            conditions.set(status, generation, type, o.value(), o.reason(), o.message());
          }
        });
    if (observed) {
      status.observedGeneration = generation;
    }
    return status;
  }

  /** Whether the built status differs from the one the reconcile started from. */
  public boolean changed() {
    return StatusUpdates.changed(before, status());
  }

  /** Patch the status when it changed, else no update. */
  public UpdateControl<P> updateControl() {
    requireBuilt();
    return changed() ? UpdateControl.patchStatus(resource) : UpdateControl.noUpdate();
  }

  /** The same, after a failed reconcile. */
  public ErrorStatusUpdateControl<P> errorStatusUpdateControl() {
    requireBuilt();
    return changed()
        ? ErrorStatusUpdateControl.patchStatus(resource)
        : ErrorStatusUpdateControl.noStatusUpdate();
  }

  private long generation() {
    Long generation = resource.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }

  private void requireBuilt() {
    if (!built) {
      throw new IllegalStateException("build the status first");
    }
  }
}
