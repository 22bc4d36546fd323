package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.testenv.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The spread of restarts over a namespace, as a table over a clock the test moves: each row is a
 * sequence of steps (advance the clock, reserve a time in a namespace, observe a recorded one) and
 * the times the reservations must get.
 */
class RestartSpreadTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Duration INTERVAL = Duration.ofSeconds(10);

  /** {@code +5s} advances the clock, {@code ns} reserves in ns, {@code ns@12s} observes T0+12s. */
  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of("the first restart of a namespace is now", new String[] {"a"}, "0s"),
        Arguments.of(
            "three rotations at once: an interval apart",
            new String[] {"a", "a", "a"},
            "0s,10s,20s"),
        Arguments.of(
            "namespaces do not wait for each other",
            new String[] {"a", "b", "a", "b"},
            "0s,0s,10s,10s"),
        Arguments.of(
            "a restart an interval after the last is now",
            new String[] {"a", "+10s", "a"},
            "0s,10s"),
        Arguments.of(
            "a restart within the interval waits for its end",
            new String[] {"a", "+4s", "a"},
            "0s,10s"),
        Arguments.of(
            "a time between seconds is rounded up to the next second",
            new String[] {"+1500ms", "a", "a"},
            "2s,12s"),
        Arguments.of(
            "a time recorded before an operator restart is kept clear of",
            new String[] {"a@30s", "a"},
            "40s"),
        Arguments.of(
            "an observed time long past holds nothing up",
            new String[] {"a@0s", "+60s", "a"},
            "60s"),
        Arguments.of(
            "an observed time before the last reservation does not pull the next one earlier",
            new String[] {"a", "a", "a@0s", "a"},
            "0s,10s,20s"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void reservations(String name, String[] steps, String expected) {
    MutableClock clock = new MutableClock(T0);
    RestartSpread spread = new RestartSpread(clock, INTERVAL);
    StringBuilder got = new StringBuilder();
    for (String step : steps) {
      if (step.startsWith("+")) {
        clock.advance(duration(step.substring(1)));
      } else if (step.contains("@")) {
        String[] parts = step.split("@");
        spread.observe(parts[0], T0.plus(duration(parts[1])));
      } else {
        Instant at = spread.reserve(step);
        got.append(got.isEmpty() ? "" : ",")
            .append(Duration.between(T0, at).toSeconds())
            .append("s");
      }
    }
    assertThat(got.toString()).isEqualTo(expected);
  }

  @Test
  void noIntervalMeansNoWaiting() {
    MutableClock clock = new MutableClock(T0);
    RestartSpread spread = new RestartSpread(clock, Duration.ZERO);
    assertThat(spread.reserve("a")).isEqualTo(T0);
    assertThat(spread.reserve("a")).isEqualTo(T0);
  }

  private static Duration duration(String s) {
    return s.endsWith("ms")
        ? Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)))
        : Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
  }
}
