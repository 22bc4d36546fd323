package io.awsauth.operator.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.identity.iam.PrincipalKey;
import io.awsauth.operator.testenv.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExpiringCacheTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final PrincipalKey alice = new PrincipalKey("111111111111", "AIDAALICE");
  private final PrincipalKey bob = new PrincipalKey("111111111111", "AIDABOB");
  private final PrincipalKey carol = new PrincipalKey("111111111111", "AIDACAROL");

  @Test
  void entriesExpireAfterTheirLifetime() {
    ExpiringCache<PrincipalKey, String> cache =
        new ExpiringCache<>(clock, Duration.ofMinutes(5), 10);
    cache.put(alice, "arn:aws:iam::111111111111:user/alice");
    clock.advance(Duration.ofMinutes(5).minusSeconds(1));
    assertThat(cache.get(alice)).contains("arn:aws:iam::111111111111:user/alice");
    clock.advance(Duration.ofSeconds(1));
    assertThat(cache.get(alice)).isEmpty();
    assertThat(cache.size()).isZero();
  }

  @Test
  void theLeastRecentlyUsedEntryGoesFirstWhenFull() {
    ExpiringCache<PrincipalKey, String> cache = new ExpiringCache<>(clock, Duration.ofHours(1), 2);
    cache.put(alice, "a");
    cache.put(bob, "b");
    assertThat(cache.get(alice)).contains("a"); // alice is now the most recently used
    cache.put(carol, "c");
    assertThat(cache.get(bob)).isEmpty();
    assertThat(cache.get(alice)).contains("a");
    assertThat(cache.get(carol)).contains("c");
    assertThat(cache.size()).isEqualTo(2);
  }

  @Test
  void loaderRunsOnMissesAndOnlyFoundAnswersAreKept() {
    ExpiringCache<PrincipalKey, String> cache =
        new ExpiringCache<>(clock, Duration.ofMinutes(1), 10);
    AtomicInteger calls = new AtomicInteger();
    assertThat(
            cache.get(
                alice,
                k -> {
                  calls.incrementAndGet();
                  return Optional.empty();
                }))
        .isEmpty();
    assertThat(
            cache.get(
                alice,
                k -> {
                  calls.incrementAndGet();
                  return Optional.of("x");
                }))
        .contains("x");
    assertThat(
            cache.get(
                alice,
                k -> {
                  calls.incrementAndGet();
                  return Optional.of("y");
                }))
        .contains("x");
    assertThat(calls).hasValue(2);
    clock.advance(Duration.ofMinutes(1));
    assertThat(cache.get(alice, k -> Optional.of("y"))).contains("y");
  }

  @Test
  void invalidateAndClear() {
    ExpiringCache<PrincipalKey, String> cache =
        new ExpiringCache<>(clock, Duration.ofMinutes(1), 10);
    cache.put(alice, "a");
    cache.put(bob, "b");
    cache.invalidate(alice);
    assertThat(cache.get(alice)).isEmpty();
    assertThat(cache.get(bob)).contains("b");
    cache.clear();
    assertThat(cache.size()).isZero();
  }

  @Test
  void keysOfARecreatedPrincipalDiffer() {
    // Same account, same name, new unique ID: never the same key.
    assertThat(new PrincipalKey("111111111111", "AROAOLD"))
        .isNotEqualTo(new PrincipalKey("111111111111", "AROANEW"));
    assertThat(new PrincipalKey("111111111111", "AROAX"))
        .isNotEqualTo(new PrincipalKey("222222222222", "AROAX"));
  }

  @Test
  void callerKeyDropsTheSessionName() {
    assertThat(PrincipalKey.ofCaller("111111111111", "AROAEXAMPLE:i-0abc"))
        .isEqualTo(new PrincipalKey("111111111111", "AROAEXAMPLE"));
    assertThat(PrincipalKey.ofCaller("111111111111", "AIDAEXAMPLE"))
        .isEqualTo(new PrincipalKey("111111111111", "AIDAEXAMPLE"));
  }

  @Test
  void keysRefuseWhatIsNotAnAccountAndAUniqueId() {
    assertThatThrownBy(() -> new PrincipalKey("11111111111", "AIDA"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PrincipalKey("111111111111", ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PrincipalKey("111111111111", "user/alice"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PrincipalKey.ofCaller("111111111111", ":sess"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PrincipalKey.ofCaller("111111111111", null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesNonsenseLimits() {
    assertThatThrownBy(() -> new ExpiringCache<String, String>(clock, Duration.ZERO, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ExpiringCache<String, String>(clock, Duration.ofSeconds(1), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
