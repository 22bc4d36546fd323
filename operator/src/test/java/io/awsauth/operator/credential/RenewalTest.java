package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.testenv.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RenewalTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));

  @Test
  void renewsAThirdOfTheLeaseBeforeExpiryByDefault() {
    Instant issued = clock.instant();
    Instant expires = issued.plus(Duration.ofHours(3));
    Instant renewAt = Renewal.renewAt(issued, expires, Optional.empty());
    assertThat(renewAt).isEqualTo(issued.plus(Duration.ofHours(2)));

    clock.advance(Duration.ofHours(2).minusSeconds(1));
    assertThat(Renewal.due(clock.instant(), renewAt)).isFalse();
    assertThat(Renewal.untilNext(clock.instant(), renewAt)).isEqualTo(Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(1));
    assertThat(Renewal.due(clock.instant(), renewAt)).isTrue();
    assertThat(Renewal.expired(clock.instant(), expires)).isFalse();
    clock.advance(Duration.ofHours(1));
    assertThat(Renewal.expired(clock.instant(), expires)).isTrue();
    assertThat(Renewal.untilNext(clock.instant(), renewAt)).isZero();
  }

  @Test
  void renewBeforeIsHonouredWhenShorterThanTheLease() {
    Instant issued = clock.instant();
    Instant expires = issued.plus(Duration.ofHours(1));
    assertThat(Renewal.renewAt(issued, expires, Optional.of(Duration.ofMinutes(5))))
        .isEqualTo(expires.minus(Duration.ofMinutes(5)));
  }

  @Test
  void renewBeforeAsLongAsTheLeaseFallsBackToAThird() {
    Instant issued = clock.instant();
    Instant expires = issued.plus(Duration.ofMinutes(15));
    // e.g. the role's maxTtl shortened the lease below the request's renewBefore
    assertThat(Renewal.renewAt(issued, expires, Optional.of(Duration.ofMinutes(20))))
        .isEqualTo(issued.plus(Duration.ofMinutes(10)));
  }

  @Test
  void aRenewalStartsAtLeastThirtySecondsBeforeExpiry() {
    Instant issued = clock.instant();
    Instant expires = issued.plus(Duration.ofMinutes(15));
    assertThat(Renewal.renewAt(issued, expires, Optional.of(Duration.ofSeconds(5))))
        .isEqualTo(expires.minusSeconds(30));
  }

  @Test
  void neverRenewsAfterExpiry() {
    Instant issued = clock.instant();
    assertThat(Renewal.renewAt(issued, issued, Optional.empty())).isEqualTo(issued);
    for (long minutes = 1; minutes < 60 * 48; minutes += 7) {
      Instant expires = issued.plus(Duration.ofMinutes(minutes));
      Instant renewAt = Renewal.renewAt(issued, expires, Optional.of(Duration.ofMinutes(3)));
      assertThat(renewAt).isBefore(expires).isAfter(issued);
    }
  }
}
