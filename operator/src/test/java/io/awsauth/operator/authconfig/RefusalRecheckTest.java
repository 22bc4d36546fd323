package io.awsauth.operator.authconfig;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.testenv.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RefusalRecheckTest {
  private static final Instant REFUSED = Instant.parse("2026-12-02T12:00:00Z");

  @ParameterizedTest(name = "refused for {0} s -> look again in {1} s")
  @CsvSource({
    // just refused: soon, as a new key propagates within seconds
    "0, 5",
    "1, 5",
    "4, 5",
    // then as long again as it has lasted (backoff)
    "5, 5",
    "12, 12",
    "60, 60",
    "299, 299",
    // never less often than every 5 minutes
    "300, 300",
    "3600, 300",
    "864000, 300",
    // a clock behind the condition's time: the shortest delay, never a negative one
    "-30, 5"
  })
  void backsOffFromFiveSecondsToFiveMinutes(long refusedSeconds, long expectedSeconds) {
    assertThat(RefusalRecheck.after(REFUSED, REFUSED.plusSeconds(refusedSeconds)))
        .isEqualTo(Duration.ofSeconds(expectedSeconds));
  }

  @Test
  void aRefusalThatLastsIsLookedAtLessAndLessOften() {
    MutableClock clock = new MutableClock(REFUSED);
    int looks = 0;
    while (clock.instant().isBefore(REFUSED.plus(Duration.ofHours(1)))) {
      clock.advance(RefusalRecheck.after(REFUSED, clock.instant()));
      looks++;
    }
    // 5, 5, 10, 20, 40, 80, 160 s, then every 300 s: 7 + 11 looks in the first hour
    assertThat(looks).isEqualTo(18);
  }

  @Test
  void theSameSettingsBackOffNewSettingsStartOverAndAVerifiedConfigIsForgotten() {
    RefusalRecheck recheck = new RefusalRecheck();
    MutableClock clock = new MutableClock(REFUSED);
    assertThat(recheck.refused("uid", "secret-v1", clock.instant())).hasSeconds(5);
    clock.advance(Duration.ofSeconds(5));
    assertThat(recheck.refused("uid", "secret-v1", clock.instant())).hasSeconds(5);
    clock.advance(Duration.ofSeconds(5));
    assertThat(recheck.refused("uid", "secret-v1", clock.instant())).hasSeconds(10);
    clock.advance(Duration.ofMinutes(30));
    assertThat(recheck.refused("uid", "secret-v1", clock.instant())).hasMinutes(5);
    // another config's refusal is its own
    assertThat(recheck.refused("other", "secret-v1", clock.instant())).hasSeconds(5);
    // the Secret changed (a new key, refused while it propagates): soon again
    assertThat(recheck.refused("uid", "secret-v2", clock.instant())).hasSeconds(5);
    clock.advance(Duration.ofSeconds(20));
    assertThat(recheck.refused("uid", "secret-v2", clock.instant())).hasSeconds(20);
    recheck.forget("uid");
    assertThat(recheck.refused("uid", "secret-v2", clock.instant())).hasSeconds(5);
  }
}
