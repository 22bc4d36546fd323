package io.awsauth.e2e.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged operator (operator/target/quarkus-app) as a process of its own: its pid (for VmRSS),
 * its /q/metrics on a known port, killed with SIGKILL as a crash would.
 */
final class BenchOperator {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})?\\s+(\\S+)");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");
  private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");

  final Process process;
  final long startedNanos;
  final long startedWallMs = System.currentTimeMillis();
  final int port;
  final Path log;

  private BenchOperator(Process process, long startedNanos, int port, Path log) {
    this.process = process;
    this.startedNanos = startedNanos;
    this.port = port;
    this.log = log;
  }

  static BenchOperator start(
      Path repo,
      Path kubeconfig,
      Path log,
      String xmx,
      List<String> chartOptions,
      Map<String, String> chartEnv,
      List<String> jvmOptions,
      Map<String, String> properties) {
    Path jar = repo.resolve("operator/target/quarkus-app/quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: e2e/benchmark builds it");
    }
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(chartOptions);
    command.add("-Xmx" + xmx); // (after the chart's MaxRAMPercentage: the pod's limit, not ours)
    command.addAll(jvmOptions);
    command.add("-Dquarkus.http.port=" + port);
    command.add("-Dquarkus.http.host=127.0.0.1");
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().putAll(chartEnv);
    try {
      long t0 = System.nanoTime();
      return new BenchOperator(builder.start(), t0, port, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long pid() {
    return process.pid();
  }

  /** VmRSS of the process in KiB. */
  long rssKib() {
    return status("VmRSS:");
  }

  /** VmHWM of the process in KiB: the peak of its resident memory since it started. */
  long peakRssKib() {
    return status("VmHWM:");
  }

  private long status(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no " + field + " for " + pid());
  }

  /**
   * Heap in use after a full GC, in KiB (-1 when unknown): the total of {@code jcmd
   * GC.class_histogram}, which collects first, whatever the collector. The histogram itself is kept
   * in {@link #lastHistogram}.
   */
  long heapUsedAfterGcKib() {
    lastHistogram = diagnostic("GC.class_histogram");
    Matcher m = HISTOGRAM_TOTAL.matcher(lastHistogram);
    return m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
  }

  private static final Pattern HISTOGRAM_TOTAL =
      Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

  /** The class histogram of the last {@link #heapUsedAfterGcKib}. */
  String lastHistogram = "";

  /** The output of a jcmd diagnostic command (or why there is none). */
  String diagnostic(String command) {
    try {
      return jcmd(command.split(" "));
    } catch (IOException e) {
      return "jcmd " + command + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "jcmd " + command + ": interrupted";
    }
  }

  private String jcmd(String... command) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>();
    args.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    args.add(String.valueOf(pid()));
    args.addAll(List.of(command));
    Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    p.waitFor(60, TimeUnit.SECONDS);
    return output;
  }

  /** Quarkus' own "started in X.XXXs", once logged. */
  Optional<Double> quarkusStartedIn() {
    try {
      Matcher m = STARTED.matcher(Files.readString(log));
      return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The samples of /q/metrics: name{labels} to value; empty while the endpoint is not up. */
  List<Sample> metrics() {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return List.of();
      }
      List<Sample> samples = new ArrayList<>();
      for (String line : r.body().split("\n")) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        Matcher m = SAMPLE.matcher(line);
        if (!m.find()) {
          continue;
        }
        Map<String, String> labels = new HashMap<>();
        if (m.group(3) != null) {
          Matcher l = LABEL.matcher(m.group(3));
          while (l.find()) {
            labels.put(l.group(1), l.group(2));
          }
        }
        samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
      }
      return samples;
    } catch (IOException e) {
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  /**
   * aao_aws_calls_total by "service:operation:outcome", and the seconds calls waited for the
   * per-account rate limiter (aao_aws_rate_limited_seconds_total) as "rate-limiter:service:waited
   * seconds".
   */
  Map<String, Double> awsCalls() {
    Map<String, Double> calls = new HashMap<>();
    for (Sample s : metrics()) {
      if (s.name().equals("aao_aws_calls_total")) {
        calls.merge(
            s.labels().get("service")
                + ":"
                + s.labels().get("operation")
                + ":"
                + s.labels().get("outcome"),
            s.value(),
            Double::sum);
      } else if (s.name().equals("aao_aws_rate_limited_seconds_total")) {
        calls.merge(
            "rate-limiter:" + s.labels().get("service") + ":waited seconds",
            s.value(),
            Double::sum);
      }
    }
    return calls;
  }

  /** aao_issuance_seconds {sum, count} of successful issuances of {@code type}. */
  double[] issuance(String type) {
    double[] sc = new double[2];
    for (Sample s : metrics()) {
      if (type.equals(s.labels().get("type")) && "success".equals(s.labels().get("outcome"))) {
        if (s.name().equals("aao_issuance_seconds_sum")) {
          sc[0] += s.value();
        } else if (s.name().equals("aao_issuance_seconds_count")) {
          sc[1] += s.value();
        }
      }
    }
    return sc;
  }

  /** aao_leases{state=...}, or -1 before the endpoint answers. */
  double leases(String state) {
    for (Sample s : metrics()) {
      if (s.name().equals("aao_leases") && state.equals(s.labels().get("state"))) {
        return s.value();
      }
    }
    return -1;
  }

  void kill() {
    process.destroyForcibly();
    waitFor();
  }

  void stop() {
    process.destroy();
    if (!waitFor()) {
      kill();
    }
  }

  private boolean waitFor() {
    try {
      return process.waitFor(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  record Sample(String name, Map<String, String> labels, double value) {}
}
