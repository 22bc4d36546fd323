package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec.RestartPolicy;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec.RolloutTarget;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.RestartPending;
import io.awsauth.operator.credential.RestartPlan.Drop;
import io.awsauth.operator.credential.RestartPlan.Facts;
import io.awsauth.operator.credential.RestartPlan.None;
import io.awsauth.operator.credential.RestartPlan.Restart;
import io.awsauth.operator.credential.RestartPlan.Schedule;
import io.awsauth.operator.credential.RestartPlan.Step;
import io.awsauth.operator.credential.RestartPlan.Wait;
import io.awsauth.operator.testenv.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The restart decision as a table over a clock the test moves: each row is what the status and the
 * spec say (the lease held, the restart a rotation recorded, the lease last restarted for, the
 * policy, the targets), how much time passed, and the step the reconcile must take.
 */
class RestartPlanTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Instant SLOT = T0.plusSeconds(20);

  private record Row(
      String name,
      RestartPolicy policy,
      boolean targets,
      String leaseId,
      String pendingFor,
      Instant restartAt,
      String restartedFor,
      Duration elapsed) {
    Facts facts() {
      AwsCredentialRequestSpec spec = new AwsCredentialRequestSpec();
      spec.restartPolicy = policy;
      if (targets) {
        RolloutTarget byLabels = new RolloutTarget();
        byLabels.kind = RolloutTarget.Kind.DEPLOYMENT;
        byLabels.matchLabels = Map.of("app", "web");
        spec.rolloutRestartTargets = List.of(byLabels);
      }
      AwsCredentialRequestStatus status = new AwsCredentialRequestStatus();
      status.leaseId = leaseId;
      status.restartedFor = restartedFor;
      if (pendingFor != null) {
        status.restartPending = new RestartPending();
        status.restartPending.leaseId = pendingFor;
        status.restartPending.restartAt = restartAt == null ? null : restartAt.toString();
      }
      MutableClock clock = new MutableClock(T0);
      clock.advance(elapsed);
      return Facts.of(spec, status, clock.instant());
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final RestartPolicy DEFAULT = null;
  private static final Duration NOW = Duration.ZERO;

  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of(
            new Row("first issuance: nothing owed", DEFAULT, true, "L1", null, null, null, NOW),
            new None()),
        Arguments.of(
            new Row(
                "resync after a restart: nothing owed", DEFAULT, true, "L2", null, null, "L2", NOW),
            new None()),
        Arguments.of(
            new Row("rotation recorded: take a time", DEFAULT, true, "L2", "L2", null, "L1", NOW),
            new Schedule("L2")),
        Arguments.of(
            new Row(
                "rotation recorded, OnRotation set: take a time",
                RestartPolicy.ON_ROTATION,
                true,
                "L2",
                "L2",
                null,
                null,
                NOW),
            new Schedule("L2")),
        Arguments.of(
            new Row("time given, not come: wait", DEFAULT, true, "L2", "L2", SLOT, "L1", NOW),
            new Wait(SLOT)),
        Arguments.of(
            new Row(
                "time given, one second short: wait",
                DEFAULT,
                true,
                "L2",
                "L2",
                SLOT,
                "L1",
                Duration.ofSeconds(19)),
            new Wait(SLOT)),
        Arguments.of(
            new Row(
                "time come: restart with it",
                DEFAULT,
                true,
                "L2",
                "L2",
                SLOT,
                "L1",
                Duration.ofSeconds(20)),
            new Restart("L2", SLOT, false)),
        Arguments.of(
            new Row(
                "time passed by the late limit: still on time",
                DEFAULT,
                true,
                "L2",
                "L2",
                SLOT,
                "L1",
                Duration.ofSeconds(20).plus(RestartPlan.LATE)),
            new Restart("L2", SLOT, false)),
        Arguments.of(
            new Row(
                "time long past (operator was down): late",
                DEFAULT,
                true,
                "L2",
                "L2",
                SLOT,
                "L1",
                Duration.ofHours(1)),
            new Restart("L2", SLOT, true)),
        Arguments.of(
            new Row(
                "policy Never: nothing restarted, the pending one dropped",
                RestartPolicy.NEVER,
                true,
                "L2",
                "L2",
                SLOT,
                "L1",
                Duration.ofSeconds(30)),
            new Drop()),
        Arguments.of(
            new Row(
                "policy Never, nothing pending",
                RestartPolicy.NEVER,
                true,
                "L2",
                null,
                null,
                null,
                NOW),
            new None()),
        Arguments.of(
            new Row("targets removed: dropped", DEFAULT, false, "L2", "L2", null, "L1", NOW),
            new Drop()),
        Arguments.of(
            new Row("lease revoked since: dropped", DEFAULT, true, null, "L2", SLOT, "L1", NOW),
            new Drop()),
        Arguments.of(
            new Row(
                "for a lease already replaced: dropped",
                DEFAULT,
                true,
                "L3",
                "L2",
                SLOT,
                "L1",
                NOW),
            new Drop()),
        Arguments.of(
            new Row(
                "already restarted for it (record lost): dropped",
                DEFAULT,
                true,
                "L2",
                "L2",
                SLOT,
                "L2",
                Duration.ofSeconds(30)),
            new Drop()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void decides(Row row, Step expected) {
    assertThat(RestartPlan.decide(row.facts())).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void aLateRestartIsFinishedWithItsTimeWhenBegunAndGivenANewOneWhenNot() {
    Restart late = new Restart("L2", SLOT, true);
    assertThat(RestartPlan.late(late, true))
        .as("patched before a crash: the same time again changes nothing")
        .isEqualTo(new Restart("L2", SLOT, false));
    assertThat(RestartPlan.late(late, false))
        .as("missed: a new time from the spread")
        .isEqualTo(new Schedule("L2"));
  }
}
