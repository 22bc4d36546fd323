package io.awsauth.operator.api.v1alpha1;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A condition reason: an enum constant of its kind (or of a shared enum when several kinds show
 * it), documented once, that says what the operator does next. The constant's name is the reason as
 * it appears in {@code status.conditions[].reason}, so the two cannot drift;
 * docs/troubleshooting.md lists every reason of every kind (ReasonsDocTest checks it).
 */
public interface Reason {
  /** The reason on the wire: one CamelCase word. */
  String name();

  /** What the operator does next while a condition carries this reason. */
  Recheck recheck();

  /** What the reason means, in one line. */
  String description();

  /** What the operator does next, whatever the kind: each reconciler maps it to its timing. */
  enum Recheck {
    /** Transient: the failed step is retried with the framework's backoff. */
    RETRY_SOON,
    /** Waits for another resource of this API (a config, a binding, a role) to become Ready. */
    WAIT_FOR_DEPENDENCY,
    /** Waits for something the operator does not watch (a pod, a node, a tenant Secret). */
    POLL,
    /** AWS refused; the fix is made outside the cluster (a policy, a quota, keys). */
    AFTER_REFUSAL,
    /** Only a change of the resource, or of what is watched for it, changes the outcome. */
    WAIT_FOR_CHANGE
  }

  /** The reasons of several enums, in order. */
  static List<Reason> all(Reason[]... groups) {
    List<Reason> all = new ArrayList<>();
    for (Reason[] group : groups) {
      all.addAll(Arrays.asList(group));
    }
    return List.copyOf(all);
  }
}
