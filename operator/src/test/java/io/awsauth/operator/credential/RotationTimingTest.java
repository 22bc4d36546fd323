package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.RetiringKey;
import io.awsauth.operator.testenv.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RotationTimingTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));

  @Test
  void theArithmeticIsKubeletSyncPlusTheWidestSdkWindowPlusAMargin() {
    assertThat(RotationTiming.NEEDED).isEqualTo(Duration.ofMinutes(17).plusSeconds(30));
    assertThat(RotationTiming.FLOOR).isEqualTo(Duration.ofMinutes(2).plusSeconds(30));
  }

  @Test
  void theDefaultRenewalOfAnHourLeaseIsInTime() {
    RotationTiming.Verdict v = verdict(Duration.ofHours(1), Optional.empty(), false);
    assertThat(v.inTime()).isTrue();
    assertThat(v.message()).contains("20m before this one expires", "17m30s");
  }

  @Test
  void justEnoughIsInTimeAndASecondLessIsNot() {
    Duration lease = Duration.ofHours(1);
    assertThat(verdict(lease, Optional.of(RotationTiming.NEEDED), true).inTime()).isTrue();
    RotationTiming.Verdict shorter =
        verdict(lease, Optional.of(RotationTiming.NEEDED.minusSeconds(1)), true);
    assertThat(shorter.inTime()).isFalse();
    assertThat(shorter.message())
        .contains("17m29s", "kubelet sync 1m30s", "SDK refresh window 15m", "margin 1m")
        .contains("no call fails")
        .contains("botocore");
  }

  @Test
  void aShortStsLeaseIsAllowedAndToldWhy() {
    // The shortest STS lease (15m) with the default renewBefore (5m).
    RotationTiming.Verdict v = verdict(Duration.ofMinutes(15), Optional.empty(), false);
    assertThat(v.inTime()).isFalse();
    assertThat(v.message()).contains("5m before this one expires").contains("no call fails");
  }

  @Test
  void underTheFloorAWorkloadMayStillUseAnExpiredCredential() {
    RotationTiming.Verdict v =
        verdict(Duration.ofHours(1), Optional.of(Duration.ofMinutes(2)), false);
    assertThat(v.inTime()).isFalse();
    assertThat(v.message())
        .contains("2m before this one expires", "under the 2m30s")
        .contains("may still use the old credential when it expires")
        .contains("at least 17m30s");
  }

  @Test
  void iamUserWithRenewBeforeOverHalfTheLeaseLosesItsOverlap() {
    RotationTiming.Verdict v =
        verdict(Duration.ofHours(1), Optional.of(Duration.ofMinutes(40)), true);
    assertThat(v.inTime()).isFalse();
    assertThat(v.message()).contains("two keys per user", "before the Expiration");
    assertThat(verdict(Duration.ofHours(1), Optional.of(Duration.ofMinutes(40)), false).inTime())
        .as("STS sessions simply live to their expiry")
        .isTrue();
  }

  @Test
  void thePreviousKeyStaysUntilItsExpirationPlusTheGrace() {
    Instant previousExpiry = clock.instant().plus(Duration.ofMinutes(20));
    RetiringKey key =
        RotationTiming.retiring(
                Optional.of("AKIAOLD"), Optional.of(previousExpiry), "AKIANEW", clock.instant())
            .orElseThrow();
    assertThat(key.accessKeyId).isEqualTo("AKIAOLD");
    assertThat(Instant.parse(key.deleteAt)).isEqualTo(previousExpiry.plusSeconds(30));

    clock.advance(Duration.ofMinutes(20));
    assertThat(RotationTiming.retireDue(key, clock.instant()))
        .as("at the Expiration the workloads were given")
        .isFalse();
    assertThat(RotationTiming.untilRetire(key, clock.instant())).isEqualTo(Duration.ofSeconds(30));
    clock.advance(Duration.ofSeconds(29));
    assertThat(RotationTiming.retireDue(key, clock.instant())).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(RotationTiming.retireDue(key, clock.instant())).isTrue();
    assertThat(RotationTiming.untilRetire(key, clock.instant())).isZero();
  }

  @Test
  void noPreviousKeyOrTheSameKeyRetiresNothing() {
    assertThat(
            RotationTiming.retiring(Optional.empty(), Optional.empty(), "AKIANEW", clock.instant()))
        .isEmpty();
    assertThat(
            RotationTiming.retiring(
                Optional.of("AKIANEW"), Optional.empty(), "AKIANEW", clock.instant()))
        .isEmpty();
    assertThat(RotationTiming.retireDue(null, clock.instant())).isFalse();
  }

  @Test
  void aPreviousKeyOfUnknownOrPastExpiryGetsTheGraceFromNow() {
    RetiringKey unknown =
        RotationTiming.retiring(
                Optional.of("AKIAOLD"), Optional.empty(), "AKIANEW", clock.instant())
            .orElseThrow();
    assertThat(Instant.parse(unknown.deleteAt)).isEqualTo(clock.instant().plusSeconds(30));
    RetiringKey past =
        RotationTiming.retiring(
                Optional.of("AKIAOLD"),
                Optional.of(clock.instant().minusSeconds(5)),
                "AKIANEW",
                clock.instant())
            .orElseThrow();
    assertThat(Instant.parse(past.deleteAt)).isEqualTo(clock.instant().plusSeconds(30));
  }

  @Test
  void theOperatorLooksAgainWhenTheOverlapEnds() {
    AwsCredentialRequestStatus status = new AwsCredentialRequestStatus();
    status.expiresAt = clock.instant().plus(Duration.ofHours(1)).toString();
    status.retiringKey =
        RotationTiming.retiring(
                Optional.of("AKIAOLD"),
                Optional.of(clock.instant().plus(Duration.ofMinutes(20))),
                "AKIANEW",
                clock.instant())
            .orElseThrow();
    assertThat(LeasePlan.lookAgain(status, Duration.ofMinutes(40), false, clock.instant()))
        .isEqualTo(Duration.ofMinutes(20).plusSeconds(30));
    assertThat(LeasePlan.lookAgain(status, Duration.ofMinutes(5), false, clock.instant()))
        .isEqualTo(Duration.ofMinutes(5));
  }

  private RotationTiming.Verdict verdict(
      Duration lease, Optional<Duration> renewBefore, boolean iamUser) {
    Instant issued = clock.instant();
    Instant expires = issued.plus(lease);
    return RotationTiming.check(
        issued, expires, Renewal.renewAt(issued, expires, renewBefore), iamUser);
  }
}
