package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.faults.CrashPoints;
import io.awsauth.operator.runtime.OperatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The restart step of a request's reconcile: asks {@link RestartPlan} about the workloads a
 * rotation made due for a restart, gives the restart its time ({@link RestartSpread}) or has {@link
 * RolloutRestarts} do it, and records the outcome through {@link RequestStatusWriter}.
 */
@ApplicationScoped
public class RestartStep {
  private final RolloutRestarts restarts;
  private final RestartSpread spread;
  private final RequestStatusWriter statusWriter;
  private final CrashPoints crashPoints;
  private final Clock clock;
  private final Duration retiredSessionGrace;

  public RestartStep(
      RolloutRestarts restarts,
      RestartSpread spread,
      RequestStatusWriter statusWriter,
      CrashPoints crashPoints,
      Clock clock,
      OperatorConfig config) {
    this.restarts = restarts;
    this.spread = spread;
    this.statusWriter = statusWriter;
    this.crashPoints = crashPoints;
    this.clock = clock;
    this.retiredSessionGrace = config.rolloutRestart().retiredSessionGrace();
  }

  /**
   * The restart of the rolloutRestartTargets a rotation made due ({@link RestartPlan}): give it its
   * time, or do it once that time is recorded and has come. Returns when to look again for it
   * (null: nothing waits).
   */
  Duration run(RequestOutcome outcome) {
    AwsCredentialRequest request = outcome.resource();
    String namespace = request.getMetadata().getNamespace();
    Instant now = clock.instant();
    RestartPlan.Step step =
        RestartPlan.decide(RestartPlan.Facts.of(request.getSpec(), outcome.status(), now));
    if (step instanceof RestartPlan.Restart late && late.late()) {
      step = RestartPlan.late(late, restarts.begun(request, late.at()));
    }
    if (step instanceof RestartPlan.Drop) {
      statusWriter.restartDropped(outcome);
    } else if (step instanceof RestartPlan.Schedule) {
      Instant at = spread.reserve(namespace);
      statusWriter.restartScheduled(outcome, at);
      if (at.isAfter(now)) {
        restarts.deferred(request);
      }
      // (the restart itself waits for the next reconcile, once this time is in status)
      return Renewal.untilNext(now, at);
    } else if (step instanceof RestartPlan.Wait wait) {
      spread.observe(namespace, wait.at());
      return Renewal.untilNext(now, wait.at());
    } else if (step instanceof RestartPlan.Restart restart) {
      spread.observe(namespace, restart.at());
      restarts.restart(request, restart.leaseId(), restart.at());
      // (the crash-safety test halts here: workloads patched, restartedFor not yet recorded)
      crashPoints.passed("RolloutRestart");
      statusWriter.restarted(outcome, restart.leaseId());
      // (the pods that held a credential a change of spec retired are being replaced)
      RetiredSessions.restarted(outcome.status().retiredSessions, now, retiredSessionGrace);
    }
    return null;
  }
}
