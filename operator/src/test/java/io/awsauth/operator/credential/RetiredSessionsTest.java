package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.RetiredSession;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.Revocation;
import io.awsauth.operator.testenv.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 18: when a previous STS credential a rotation replaced is denied, with a mutable clock. */
class RetiredSessionsTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));

  @Test
  void onlyASessionAChangeOfSpecRetiredGetsATimeFromTheRestart() {
    RetiredSession changed = session("L1", RetiredSessions.SPEC_CHANGED, "2026-12-03T11:00:00Z");
    RetiredSession rotated = session("L2", RetiredSessions.ROTATED, "2026-12-03T10:20:00Z");
    List<RetiredSession> sessions = List.of(changed, rotated);

    RetiredSessions.restarted(sessions, clock.instant(), Duration.ofMinutes(5));

    assertThat(changed.denyAt).isEqualTo("2026-12-03T10:05:00Z");
    assertThat(rotated.denyAt).as("it expires within the rotation's lead anyway").isNull();
    assertThat(RetiredSessions.due(sessions, clock.instant(), false)).isEmpty();
    assertThat(RetiredSessions.untilNext(sessions, clock.instant()))
        .contains(Duration.ofMinutes(5));

    clock.advance(Duration.ofMinutes(5));
    assertThat(RetiredSessions.due(sessions, clock.instant(), false)).containsExactly(changed);
    assertThat(RetiredSessions.due(sessions, clock.instant(), true))
        .as("the request goes: every pending one")
        .containsExactly(changed, rotated);
  }

  @Test
  void aLaterRestartKeepsTheTimeAlreadyGivenAndADeniedSessionIsNotDueAgain() {
    RetiredSession changed = session("L1", RetiredSessions.SPEC_CHANGED, "2026-12-03T11:00:00Z");
    RetiredSessions.restarted(List.of(changed), clock.instant(), Duration.ofMinutes(5));
    clock.advance(Duration.ofMinutes(2));
    RetiredSessions.restarted(List.of(changed), clock.instant(), Duration.ofMinutes(5));
    assertThat(changed.denyAt).isEqualTo("2026-12-03T10:05:00Z");

    changed.state = Revocation.REVOKED;
    clock.advance(Duration.ofMinutes(10));
    assertThat(RetiredSessions.due(List.of(changed), clock.instant(), true)).isEmpty();
    assertThat(RetiredSessions.untilNext(List.of(changed), clock.instant())).isEmpty();
  }

  @Test
  void theListDropsWhatExpiredAndReplacesARecordOfTheSameLease() {
    RetiredSession old = session("L1", RetiredSessions.ROTATED, "2026-12-03T10:10:00Z");
    RetiredSession again = session("L1", RetiredSessions.SPEC_CHANGED, "2026-12-03T10:10:00Z");
    assertThat(RetiredSessions.with(List.of(old), Optional.of(again), clock.instant()))
        .containsExactly(again);

    clock.advance(Duration.ofMinutes(10));
    assertThat(RetiredSessions.with(List.of(old), Optional.empty(), clock.instant())).isNull();
    RetiredSession expiredPending =
        session("L3", RetiredSessions.SPEC_CHANGED, "2026-12-03T10:10:00Z");
    expiredPending.denyAt = "2026-12-03T10:01:00Z";
    assertThat(RetiredSessions.due(List.of(expiredPending), clock.instant(), true))
        .as("an expired credential needs no denial")
        .isEmpty();
  }

  @Test
  void aSuccessorIsIssuedAfterTheSecondTheRetiredSessionsDenialCovers() {
    AwsCredentialRequestStatus status = new AwsCredentialRequestStatus();
    status.leaseId = "L1";
    status.credentialType = "federation_token";
    status.principalArn = "arn:aws:sts::111111111111:federated-user/aao-web";
    status.issuedAt = "2026-12-03T10:00:00.200Z";
    status.ttl = "1h";
    // STS's clock a second ahead of the operator's: its issue time is the later one
    status.expiresAt = "2026-12-03T11:00:01Z";

    assertThat(RetiredSessions.successorNotBefore(status, clock.instant().plusMillis(300)))
        .contains(Instant.parse("2026-12-03T10:00:02Z"));
    clock.advance(Duration.ofSeconds(2));
    assertThat(RetiredSessions.successorNotBefore(status, clock.instant())).isEmpty();
    status.credentialType = "session_token";
    assertThat(RetiredSessions.successorNotBefore(status, Instant.parse("2026-12-03T10:00:01Z")))
        .as("no deny statement for a session token")
        .isEmpty();
  }

  private static RetiredSession session(String leaseId, String reason, String expiresAt) {
    RetiredSession r = new RetiredSession();
    r.state = Revocation.PENDING;
    r.leaseId = leaseId;
    r.reason = reason;
    r.expiresAt = expiresAt;
    return r;
  }
}
