package io.awsauth.operator.faults;

import io.awsauth.operator.runtime.OperatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Deterministic crash injection for the crash-safety tests: with {@code aao.faults.halt-after} set
 * to {@code <point>#<n>} (a point is an AWS operation such as {@code CreateUser}, or an API-server
 * write such as {@code WriteSecret}), the process halts, as a SIGKILL would stop it, right after
 * the n-th time it passes that point. Unset (the default) it does nothing but log the point at
 * DEBUG.
 */
@ApplicationScoped
public class CrashPoints {
  private static final Logger LOG = Logger.getLogger(CrashPoints.class);

  /** The exit status of a halt at a crash point, so that a test can tell it from a failure. */
  public static final int HALT_STATUS = 86;

  private final Optional<String> point;
  private final int times;
  private final Map<String, AtomicInteger> passed = new ConcurrentHashMap<>();

  public CrashPoints(OperatorConfig config) {
    Optional<String> haltAfter = config.faults().haltAfter();
    this.point = haltAfter.map(h -> h.contains("#") ? h.substring(0, h.indexOf('#')) : h);
    this.times =
        haltAfter
            .filter(h -> h.contains("#"))
            .map(h -> Integer.parseInt(h.substring(h.indexOf('#') + 1)))
            .orElse(1);
  }

  /**
   * Whether points passed matter: a crash point is configured, or they are logged (both only in the
   * crash-safety tests; in production neither, and the AWS clients carry no crash hook).
   */
  public boolean enabled() {
    return point.isPresent() || LOG.isDebugEnabled();
  }

  /** Records that the process passed {@code name}; halts there if so configured. */
  public void passed(String name) {
    // At DEBUG, every point passed is logged: the crash suite reads from a killed process's log
    // which step it had passed last.
    LOG.debugf("passed crash point %s", name);
    if (point.isPresent() && point.get().equals(name)) {
      int n = passed.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
      if (n == times) {
        LOG.warnf("halting at crash point %s#%d (aao.faults.halt-after)", name, n);
        Runtime.getRuntime().halt(HALT_STATUS);
      }
    }
  }
}
