package io.awsauth.operator.credential;

import io.awsauth.operator.runtime.OperatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

/**
 * When the next rollout restart of a namespace may happen: at most one per {@code interval}
 * (aao.rollout-restart.interval), so that many requests of one namespace rotating together do not
 * restart all its workloads at once. Each restart a rotation makes due takes the namespace's next
 * free time ({@link #reserve}), which the request records in status.restartPending.restartAt before
 * it restarts anything; times recorded earlier (by this process before a restart, or a previous
 * leader) are taken into account when a reconcile sees them ({@link #observe}).
 *
 * <p>Times are whole seconds, as every time in status. The state is per process and small: one
 * instant per namespace with a restart in the last interval.
 */
@ApplicationScoped
public class RestartSpread {
  private final Clock clock;
  private final Duration interval;

  /** Per namespace: the earliest time the next restart may take. */
  private final Map<String, Instant> nextFree = new HashMap<>();

  @Inject
  public RestartSpread(Clock clock, OperatorConfig config) {
    this(clock, config.rolloutRestart().interval());
  }

  RestartSpread(Clock clock, Duration interval) {
    this.clock = clock;
    this.interval = interval;
  }

  /**
   * Takes the namespace's next free time (now, or later when another restart of the namespace was
   * given a time less than an interval ago) for a restart; the one after waits an interval more.
   */
  public synchronized Instant reserve(String namespace) {
    Instant now = clock.instant();
    nextFree.values().removeIf(free -> !free.isAfter(now));
    Instant at = ceilSeconds(latest(now, nextFree.get(namespace)));
    nextFree.put(namespace, at.plus(interval));
    return at;
  }

  /** A restart of the namespace was given time {@code at} (a status read): none comes near it. */
  public synchronized void observe(String namespace, Instant at) {
    Instant after = at.plus(interval);
    if (after.isAfter(clock.instant())) {
      nextFree.merge(namespace, after, RestartSpread::latest);
    }
  }

  private static Instant latest(Instant a, Instant b) {
    return b == null || a.isAfter(b) ? a : b;
  }

  private static Instant ceilSeconds(Instant t) {
    Instant down = t.truncatedTo(ChronoUnit.SECONDS);
    return down.equals(t) ? t : down.plusSeconds(1);
  }
}
