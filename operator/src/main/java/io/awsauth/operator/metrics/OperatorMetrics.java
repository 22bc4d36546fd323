package io.awsauth.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's own Prometheus metrics (on /q/metrics, beside the AWS call counter {@code
 * aao_aws_calls_total}): issuance and revocation latency, leases by state, seconds until the
 * nearest expiry, reconcile errors by reason, STS credentials denied at AWS by type and outcome,
 * and rollout restarts by kind and outcome.
 */
@ApplicationScoped
public class OperatorMetrics {
  /** What a request's lease is, as the last reconcile left it. */
  public enum State {
    READY,
    ISSUING,
    NOT_ISSUED,
    REVOKED
  }

  /** What became of a workload to restart after a rotation ({@code aao_rollout_restarts_total}). */
  public enum RestartOutcome {
    /** Patched with its new restartedAt. */
    RESTARTED,
    /** The target (or any workload its matchLabels select) does not exist. */
    NOT_FOUND,
    /** A target whose restart waits for its namespace's spread (aao.rollout-restart.interval). */
    DEFERRED
  }

  private record Lease(State state, Instant expiresAt) {}

  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<String, Lease> leases = new ConcurrentHashMap<>();

  public OperatorMetrics(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    for (State state : State.values()) {
      Gauge.builder("aao.leases", leases, l -> count(l, state))
          .description("AwsCredentialRequests by the state of their lease")
          .tag("state", state.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    Gauge.builder("aao.lease.nearest.expiry", leases, this::secondsToNearestExpiry)
        .description("Seconds until the earliest expiry among Ready leases (NaN when none)")
        .baseUnit("seconds")
        .register(registry);
  }

  /** Records the lease of request {@code key} (namespace/name) after a reconcile. */
  public void lease(String key, State state, Instant expiresAt) {
    leases.put(key, new Lease(state, expiresAt));
  }

  public void forget(String key) {
    leases.remove(key);
  }

  public void issued(String type, Duration took, boolean ok) {
    Timer.builder("aao.issuance")
        .description(
            "Time to issue a credential of the type and write it to its Secret: the AWS calls"
                + " (iam_user: with its write-ahead record and key check) and the Secret write")
        .tag("type", type)
        .tag("outcome", ok ? "success" : "failure")
        .publishPercentileHistogram()
        .register(registry)
        .record(took);
  }

  public void revoked(String type, Duration took) {
    Timer.builder("aao.revocation")
        .description("Time to revoke a lease (IAM user and keys deleted, Secret emptied)")
        .tag("type", type)
        .publishPercentileHistogram()
        .register(registry)
        .record(took);
  }

  /**
   * An STS credential denied at AWS before its expiry ({@code aao_session_revocations_total}):
   * {@code type} assumed_role or federation_token; {@code outcome} denied (a statement for the
   * session), cutoff (the policy was full: every session of the role issued before now), not_needed
   * (already denied, or the role is gone), failed (AWS refused the policy write for good).
   */
  public void sessionRevoked(String type, String outcome, Duration took) {
    Counter.builder("aao.session.revocations")
        .description("STS credentials denied at AWS before their expiry, by type and outcome")
        .tag("type", type)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
    if (took != null) {
      revoked(type, took);
    }
  }

  public void rolloutRestart(String kind, RestartOutcome outcome) {
    Counter.builder("aao.rollout.restarts")
        .description("Workloads of rolloutRestartTargets restarted, not found or deferred")
        .tag("kind", kind)
        .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
  }

  public void reconcileError(String kind, String reason) {
    registry.counter("aao.reconcile.errors", "kind", kind, "reason", reason).increment();
  }

  private static double count(Map<String, Lease> leases, State state) {
    return leases.values().stream().filter(l -> l.state() == state).count();
  }

  private double secondsToNearestExpiry(Map<String, Lease> leases) {
    Instant now = clock.instant();
    return leases.values().stream()
        .filter(l -> l.state() == State.READY && l.expiresAt() != null)
        .mapToDouble(l -> Duration.between(now, l.expiresAt()).toMillis() / 1000.0)
        .min()
        .orElse(Double.NaN);
  }
}
