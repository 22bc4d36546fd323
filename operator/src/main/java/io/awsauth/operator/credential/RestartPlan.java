package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec.RestartPolicy;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.RestartPending;
import java.time.Duration;
import java.time.Instant;

/**
 * What a reconcile does about restarting a request's rolloutRestartTargets: a pure decision over
 * the status facts (the lease held, the restart a rotation made due, the lease last restarted for),
 * the spec's policy and targets, and the time.
 *
 * <p>A rotation records {@code status.restartPending} with its new lease (never the first issuance,
 * never a resync or an operator restart: those produce no lease). The restart then takes two
 * reconciles, so that a crash at any point neither loses nor repeats it: the first gives it a time
 * from {@link RestartSpread} and records it ({@link Schedule}); once that time is in status and has
 * come, the workloads are patched with it as their {@code awsauth.io/restartedAt} ({@link
 * Restart}), and {@code status.restartedFor} names the lease. Patching again after a crash before
 * that record writes the same annotation, which restarts nothing. A time missed while the operator
 * was away is given anew ({@link #late}), so that missed restarts do not all happen at once.
 */
public final class RestartPlan {
  private RestartPlan() {}

  /** What the decision reads. */
  public record Facts(
      RestartPolicy policy,
      boolean hasTargets,
      String leaseId,
      RestartPending pending,
      String restartedFor,
      Instant now) {
    public static Facts of(
        AwsCredentialRequestSpec spec, AwsCredentialRequestStatus status, Instant now) {
      return new Facts(
          spec.restartPolicyOrDefault(),
          spec.rolloutRestartTargets != null && !spec.rolloutRestartTargets.isEmpty(),
          status.leaseId,
          status.restartPending,
          status.restartedFor,
          now);
    }
  }

  /** The step for the restart. */
  public sealed interface Step {}

  /** Nothing is owed. */
  public record None() implements Step {}

  /**
   * A pending restart is no longer owed: the policy is Never, there are no targets, the lease it
   * was for is gone or replaced, or it was done.
   */
  public record Drop() implements Step {}

  /** Owed, without a time yet: take the namespace's next free time and record it. */
  public record Schedule(String leaseId) implements Step {}

  /** Owed at {@code at}, not yet: look again then. */
  public record Wait(Instant at) implements Step {}

  /**
   * Owed now: patch the workloads with {@code at}, then record {@code restartedFor}. {@code late}:
   * the time passed more than {@link #LATE} ago (the operator was not running, or not leading): see
   * {@link #late}.
   */
  public record Restart(String leaseId, Instant at, boolean late) implements Step {}

  /**
   * A restart this long past its time was missed: the operator was down or had no leader. Restarts
   * missed together would all happen at once when it is back, so each takes a new time, unless it
   * had begun (a crash between the patch and its record), which is finished with its own time.
   */
  static final Duration LATE = Duration.ofSeconds(30);

  public static Step decide(Facts f) {
    RestartPending pending = f.pending();
    if (pending == null) {
      return new None();
    }
    if (f.policy() == RestartPolicy.NEVER
        || !f.hasTargets()
        || pending.leaseId == null
        || !pending.leaseId.equals(f.leaseId())
        || pending.leaseId.equals(f.restartedFor())) {
      return new Drop();
    }
    if (pending.restartAt == null) {
      return new Schedule(pending.leaseId);
    }
    Instant at = Instant.parse(pending.restartAt);
    if (f.now().isBefore(at)) {
      return new Wait(at);
    }
    return new Restart(pending.leaseId, at, f.now().isAfter(at.plus(LATE)));
  }

  /**
   * A late restart, once the workloads were read: {@code begun}, some target already carries its
   * time (patched before a crash), so it is finished with that time and nothing restarts twice;
   * else it takes a new time from the spread, as a fresh one.
   */
  public static Step late(Restart restart, boolean begun) {
    return begun
        ? new Restart(restart.leaseId(), restart.at(), false)
        : new Schedule(restart.leaseId());
  }
}
