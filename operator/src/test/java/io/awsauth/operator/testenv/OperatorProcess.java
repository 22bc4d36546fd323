package io.awsauth.operator.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The packaged operator (operator/target/quarkus-app) run as its own process against the {@link
 * TestEnvironment}, so that a test can kill it as a crash would and start it again. Every process
 * started is known to {@link TestEnvironmentExtension}, which stops those a test class left running
 * when the class ends.
 */
public final class OperatorProcess implements AutoCloseable {
  /** Started and not yet seen to exit, in start order. */
  private static final Set<OperatorProcess> started = new LinkedHashSet<>();

  private final Process process;
  private final Path log;

  private OperatorProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts the operator with {@code properties} as system properties; its output goes to a log. */
  public static OperatorProcess start(
      TestEnvironment env, String name, Map<String, String> properties) {
    return start(env.kubeconfig(), name, properties, List.of());
  }

  /** The same with JVM options (e.g. a class-data archive, for suites that start it often). */
  public static OperatorProcess start(
      TestEnvironment env, String name, Map<String, String> properties, List<String> jvmOptions) {
    return start(env.kubeconfig(), name, properties, jvmOptions);
  }

  /** The same, as whoever {@code kubeconfigContent} names (for example a ServiceAccount). */
  public static OperatorProcess start(
      String kubeconfigContent, String name, Map<String, String> properties) {
    return start(kubeconfigContent, name, properties, List.of());
  }

  /** The same with environment variables (e.g. HTTP_PROXY) added to the process's. */
  public static OperatorProcess start(
      TestEnvironment env,
      String name,
      Map<String, String> properties,
      Map<String, String> environment) {
    return start(env.kubeconfig(), name, properties, List.of(), environment);
  }

  private static OperatorProcess start(
      String kubeconfigContent,
      String name,
      Map<String, String> properties,
      List<String> jvmOptions) {
    return start(kubeconfigContent, name, properties, jvmOptions, Map.of());
  }

  private static OperatorProcess start(
      String kubeconfigContent,
      String name,
      Map<String, String> properties,
      List<String> jvmOptions,
      Map<String, String> environment) {
    Path jar = TestEnvironment.repoRoot().resolve("operator/target/quarkus-app/quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: the package phase builds it before the ITs");
    }
    try {
      Path dir = TestEnvironment.repoRoot().resolve("operator/target/operator-processes");
      Files.createDirectories(dir);
      Path kubeconfig = dir.resolve(name + ".kubeconfig");
      Files.writeString(kubeconfig, kubeconfigContent);
      Path log = dir.resolve(name + ".log");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx256m");
      command.addAll(jvmOptions);
      command.add("-Dquarkus.http.port=0");
      // (servers the tests start listen on loopback only)
      command.add("-Dquarkus.http.host=127.0.0.1");
      properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
      command.add("-jar");
      command.add(jar.toString());
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(environment);
      builder.environment().put("KUBECONFIG", kubeconfig.toString());
      synchronized (started) {
        started.removeIf(p -> !p.isAlive());
        OperatorProcess process = new OperatorProcess(builder.start(), log);
        started.add(process);
        return process;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the process to end by itself; returns its exit status. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the operator did not exit within " + timeout + "; see " + log);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The operating-system process id. */
  public long pid() {
    return process.pid();
  }

  /** Stops the operator at once, as a crash would: SIGKILL, no shutdown hooks. */
  public void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the operator survived SIGKILL for 10 s; see " + log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Asks the operator to stop, as Kubernetes does at a rolling update or a node drain: SIGTERM,
   * which runs its shutdown (reconciles in flight finish, the Lease is handed over). Does not wait;
   * see {@link #awaitExit} and {@link #stop}.
   */
  public void terminate() {
    process.destroy();
  }

  /**
   * SIGTERM, then waits up to {@code grace} for the process to exit by itself, as the kubelet waits
   * terminationGracePeriodSeconds; returns its exit status. If it is still running after that, it
   * is SIGKILLed (as the kubelet would) and an AssertionError says so.
   */
  public int stop(Duration grace) {
    terminate();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
        throw new AssertionError(
            "the operator did not exit within " + grace + " of SIGTERM; killed; see " + log);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The exit status (137 after a SIGKILL), or empty while it runs. */
  public java.util.OptionalInt exitStatus() {
    return process.isAlive()
        ? java.util.OptionalInt.empty()
        : java.util.OptionalInt.of(process.exitValue());
  }

  public Path log() {
    return log;
  }

  /** The processes started in this JVM that are still running, in start order. */
  static Set<OperatorProcess> running() {
    synchronized (started) {
      started.removeIf(p -> !p.isAlive());
      return new LinkedHashSet<>(started);
    }
  }

  /** {@link #close() Closes} every one of {@code processes}, even when closing one fails. */
  static void stopAll(Set<OperatorProcess> processes) {
    RuntimeException failure = null;
    for (OperatorProcess p : processes) {
      try {
        if (p.isAlive()) {
          System.out.println(
              "[test environment] stopping operator process "
                  + p.pid()
                  + " left running; log "
                  + p.log);
        }
        p.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Stops the operator (SIGTERM, then SIGKILL after 10 s). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
