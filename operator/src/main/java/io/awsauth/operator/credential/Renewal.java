package io.awsauth.operator.credential;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a lease is renewed: {@code renewBefore} ahead of its expiry, by default a third of the
 * lease. Pure: every instant comes from the caller's (injected) clock.
 */
public final class Renewal {
  /** A renewal never starts later than this before expiry, whatever renewBefore says. */
  static final Duration MIN_MARGIN = Duration.ofSeconds(30);

  private Renewal() {}

  /**
   * The instant to issue the next credential. A {@code renewBefore} that is not shorter than the
   * lease falls back to the default (a third of the lease), so that a lease is never renewed the
   * moment it is issued.
   */
  public static Instant renewAt(
      Instant issuedAt, Instant expiresAt, Optional<Duration> renewBefore) {
    Duration lease = Duration.between(issuedAt, expiresAt);
    if (lease.isNegative() || lease.isZero()) {
      return expiresAt;
    }
    Duration before =
        renewBefore
            .filter(b -> b.compareTo(lease) < 0 && !b.isNegative())
            .orElse(lease.dividedBy(3));
    if (before.compareTo(MIN_MARGIN) < 0 && lease.compareTo(MIN_MARGIN.multipliedBy(2)) > 0) {
      before = MIN_MARGIN;
    }
    return expiresAt.minus(before);
  }

  /** Whether the lease must be renewed now. */
  public static boolean due(Instant now, Instant renewAt) {
    return !now.isBefore(renewAt);
  }

  /** Whether the lease is over: its credential must not stay in the Secret. */
  public static boolean expired(Instant now, Instant expiresAt) {
    return !now.isBefore(expiresAt);
  }

  /** How long to wait before the next look at a lease. */
  public static Duration untilNext(Instant now, Instant renewAt) {
    Duration wait = Duration.between(now, renewAt);
    return wait.isNegative() ? Duration.ZERO : wait;
  }
}
