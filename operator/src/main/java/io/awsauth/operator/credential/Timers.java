package io.awsauth.operator.credential;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The single daemon thread each of this package's periodic jobs runs on. */
final class Timers {
  private Timers() {}

  static ScheduledExecutorService daemon(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }
}
