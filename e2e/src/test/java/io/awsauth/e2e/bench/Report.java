package io.awsauth.e2e.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** What the benchmark measured, printed as a Markdown table: each figure against its baseline. */
final class Report {
  record Startup(
      double firstSecretSeconds, double readySeconds, Optional<Double> quarkus, String breakdown) {}

  record LatencyRow(
      String type,
      List<Double> operator,
      List<Double> baseline,
      int failed,
      int baselineFailed,
      Map<String, Double> calls,
      int n,
      int working,
      double internalMs) {}

  record Burst(
      int count,
      int failed,
      double createSeconds,
      double secretsSeconds,
      double readySeconds,
      Map<String, Double> calls) {
    double perSecond() {
      return (count - failed) / secretsSeconds;
    }
  }

  record BurstPair(String type, int count, Burst operator, Burst baseline) {}

  record Scale(
      Burst cold,
      Burst baseline,
      long rssKib,
      long liveHeapKib,
      long readyInCluster,
      double gaugeBefore,
      double resyncSeconds,
      double firstReconcileSeconds,
      Optional<Double> quarkusStartedIn,
      Map<String, Double> callsAtResync,
      Map<String, Double> callsAfter10s) {}

  record Memory(
      int secrets, int mib, long beforeKib, long afterKib, long peakKib, double createSeconds) {}

  record RotationResult(int requests, int seconds, List<Benchmark.Rotation> rotations) {}

  final Map<String, Object> options = new LinkedHashMap<>();
  final Map<String, String> loads = new LinkedHashMap<>();
  final Map<String, List<List<Double>>> latencies = new LinkedHashMap<>();
  final List<LatencyRow> latencyRows = new ArrayList<>();
  Startup startup;
  BurstPair throughput;
  Scale scale;
  Memory memory;
  RotationResult rotation;
  Map<String, Double> awsCallsTotal = Map.of();

  void option(String name, Object value) {
    options.put(name, value);
  }

  void load(String when) {
    try {
      loads.put(
          when + " (" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ")",
          Files.readString(Path.of("/proc/loadavg")).trim());
    } catch (IOException e) {
      loads.put(when, "?");
    }
  }

  void latency(
      String type,
      List<Double> operator,
      List<Double> baseline,
      int failed,
      int baselineFailed,
      Map<String, Double> calls,
      int n,
      int working,
      double internalMs) {
    latencyRows.add(
        new LatencyRow(
            type, operator, baseline, failed, baselineFailed, calls, n, working, internalMs));
    latencies.put(type, List.of(operator, baseline));
  }

  String latencyLine(String type) {
    LatencyRow r =
        latencyRows.stream().filter(x -> x.type().equals(type)).findFirst().orElseThrow();
    return String.format(
        Locale.ROOT,
        "latency %s: operator p50 %.0f ms p99 %.0f ms, baseline p50 %.0f ms p99 %.0f ms",
        type,
        pct(r.operator(), 50),
        pct(r.operator(), 99),
        pct(r.baseline(), 50),
        pct(r.baseline(), 99));
  }

  static double pct(List<Double> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("### Run\n\n");
    options.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
    loads.forEach(
        (k, v) -> b.append("- load average at ").append(k).append(": ").append(v).append('\n'));
    b.append("\n### Figures\n\n");
    b.append("| figure | operator | baseline or target | ratio | target |\n");
    b.append("|---|---|---|---|---|\n");
    for (LatencyRow r : latencyRows) {
      for (int p : new int[] {50, 95, 99}) {
        double o = pct(r.operator(), p);
        double base = pct(r.baseline(), p);
        row(
            b,
            "issuance latency " + r.type() + " p" + p + " (n=" + r.operator().size() + ")",
            ms(o),
            ms(base) + " (SDK + Secret create)",
            ratio(o / base),
            p == 99 ? "≤ 1.5×" : "");
      }
    }
    if (throughput != null) {
      Burst o = throughput.operator();
      Burst base = throughput.baseline();
      row(
          b,
          "throughput, "
              + throughput.count()
              + " "
              + throughput.type()
              + " created at once (failed "
              + o.failed()
              + "/"
              + base.failed()
              + ")",
          f1(o.perSecond())
              + "/s (all Secrets "
              + f1(o.secretsSeconds())
              + " s; creating the requests took "
              + f1(o.createSeconds())
              + " s of it, i.e. at most "
              + ratio(base.secretsSeconds() / o.createSeconds())
              + " for any operator)",
          f1(base.perSecond()) + "/s (" + f1(base.secretsSeconds()) + " s)",
          ratio(o.perSecond() / base.perSecond()),
          "≥ 0.8×");
    }
    if (throughput != null) {
      issuingRow(b, "throughput", throughput.operator());
    }
    if (scale != null) {
      issuingRow(b, "scale", scale.cold());
    }
    if (scale != null) {
      row(
          b,
          scale.cold().count()
              + " assumed_role: all Ready from cold (failed "
              + scale.cold().failed()
              + ")",
          f1(scale.cold().readySeconds())
              + " s (creates took "
              + f1(scale.cold().createSeconds())
              + " s: creating the requests alone is "
              + ratio(scale.cold().createSeconds() / scale.baseline().secretsSeconds())
              + ")",
          f1(scale.baseline().secretsSeconds()) + " s (SDK + Secret, same concurrency)",
          ratio(scale.cold().readySeconds() / scale.baseline().secretsSeconds()),
          "≤ 1.5×");
      row(
          b,
          "resident memory with " + scale.readyInCluster() + " Ready requests in the cluster",
          mib(scale.rssKib()) + " (heap in use after a full GC: " + mib(scale.liveHeapKib()) + ")",
          "512 MiB",
          ratio(scale.rssKib() / 1024.0 / 512),
          "≤ 1×");
      row(
          b,
          "restart (SIGKILL): all "
              + scale.readyInCluster()
              + " reconciled again (aao_leases{state=ready})",
          scale.resyncSeconds() < 0
              ? "not reached in 10 min"
              : f1(scale.resyncSeconds()) + " s from process start",
          f1(scale.cold().readySeconds()) + " s (cold)",
          ratio(scale.resyncSeconds() / scale.cold().readySeconds()),
          "≤ 0.2×");
      row(
          b,
          "restart: process start to the first request reconciled (aao_leases{state=ready} ≥ 1)",
          scale.firstReconcileSeconds() < 0
              ? "not reached"
              : f2(scale.firstReconcileSeconds())
                  + " s (Quarkus 'started in' "
                  + scale.quarkusStartedIn().map(Report::f2).orElse("?")
                  + " s)",
          "3 s",
          ratio(scale.firstReconcileSeconds() / 3),
          "≤ 1×");
      row(
          b,
          "AWS calls after restart (at resync / +10 s)",
          sum(issuing(scale.callsAtResync()))
              + " issuing, "
              + sum(scale.callsAtResync())
              + " in all / "
              + sum(scale.callsAfter10s())
              + " in all",
          "0",
          "",
          "0 issuing");
    }
    if (memory != null) {
      row(
          b,
          "RSS with " + memory.secrets() + " unrelated " + memory.mib() + " MiB Secrets",
          mib(memory.afterKib()) + " (peak " + mib(memory.peakKib()) + ")",
          mib(memory.beforeKib()) + " before",
          ratio((double) memory.afterKib() / memory.beforeKib()),
          "< 1.10×");
    }
    if (startup != null) {
      row(
          b,
          "start-up: process start to first Secret with keys",
          f2(startup.firstSecretSeconds())
              + " s (Ready seen "
              + f2(startup.readySeconds())
              + " s; Quarkus 'started in' "
              + startup.quarkus().map(Report::f2).orElse("?")
              + " s; "
              + startup.breakdown()
              + "); config, roles and request created before the start",
          "3 s",
          ratio(startup.firstSecretSeconds() / 3),
          "≤ 1×");
    }
    if (rotation != null) {
      List<Double> late = new ArrayList<>();
      List<Double> seen = new ArrayList<>();
      for (Benchmark.Rotation r : rotation.rotations()) {
        late.add((double) (r.newIssuedAt().toEpochMilli() - r.oldRenewAt().toEpochMilli()));
        seen.add((double) (r.observedAtMs() - r.oldRenewAt().toEpochMilli()));
      }
      row(
          b,
          "rotation lateness, issuedAt(new) − renewAt(old), "
              + late.size()
              + " rotations of "
              + rotation.requests()
              + " iam_user requests (ttl 40s) in "
              + rotation.seconds()
              + " s",
          late.isEmpty()
              ? "none seen"
              : "p50 "
                  + ms(pct(late, 50))
                  + ", p99 "
                  + ms(pct(late, 99))
                  + ", max "
                  + ms(pct(late, 100)),
          "renewAt (1 s resolution: status times are whole seconds); the new status seen by"
              + " the benchmark's watch: "
              + (seen.isEmpty()
                  ? "-"
                  : "p50 "
                      + ms(pct(seen, 50))
                      + ", p99 "
                      + ms(pct(seen, 99))
                      + ", max "
                      + ms(pct(seen, 100)))
              + " after renewAt",
          "",
          "");
    }
    b.append(
        "\n### AWS calls per phase (aao_aws_calls_total deltas, service:operation:outcome)\n\n");
    for (LatencyRow r : latencyRows) {
      b.append("- latency ")
          .append(r.type())
          .append(" (")
          .append(r.n())
          .append(" issuances; keys of ")
          .append(r.working())
          .append(" sampled Secrets work; mean aao_issuance_seconds ")
          .append(ms(r.internalMs()))
          .append(" against a mean end-to-end ")
          .append(ms(r.operator().stream().mapToDouble(Double::doubleValue).average().orElse(0)))
          .append("): ")
          .append(new TreeMap<>(r.calls()))
          .append('\n');
    }
    if (throughput != null) {
      b.append("- throughput: ").append(new TreeMap<>(throughput.operator().calls())).append('\n');
    }
    if (scale != null) {
      b.append("- scale, cold: ").append(new TreeMap<>(scale.cold().calls())).append('\n');
      b.append("- after restart, at resync: ")
          .append(new TreeMap<>(scale.callsAtResync()))
          .append('\n');
      b.append("- after restart, +10 s: ")
          .append(new TreeMap<>(scale.callsAfter10s()))
          .append('\n');
    }
    b.append("- operator process at the end (since its last start): ")
        .append(new TreeMap<>(awsCallsTotal))
        .append('\n');
    return b.toString();
  }

  /** Credentials issued per request in a burst (the baseline issues exactly one). */
  private static void issuingRow(StringBuilder b, String phase, Burst burst) {
    double issued =
        issuing(burst.calls()).entrySet().stream()
            .filter(e -> !e.getKey().contains(":CreateUser:"))
            .mapToDouble(Map.Entry::getValue)
            .sum();
    row(
        b,
        "credentials issued per request (" + phase + ", " + burst.count() + " requests)",
        f2(issued / burst.count()) + " (" + (long) issued + " issuing calls)",
        "1.00 (baseline)",
        ratio(issued / burst.count()),
        "1×");
  }

  /** The calls that issue a credential: a restart must make none. */
  static Map<String, Double> issuing(Map<String, Double> calls) {
    Map<String, Double> m = new TreeMap<>();
    calls.forEach(
        (k, v) -> {
          if (k.contains(":AssumeRole:")
              || k.contains(":GetFederationToken:")
              || k.contains(":GetSessionToken:")
              || k.contains(":CreateAccessKey:")
              || k.contains(":CreateUser:")) {
            m.put(k, v);
          }
        });
    return m;
  }

  /** The number of AWS calls (the rate limiter's waiting, in seconds, is not a call). */
  static String sum(Map<String, Double> calls) {
    return String.valueOf(
        (long)
            calls.entrySet().stream()
                .filter(e -> !e.getKey().startsWith("rate-limiter:"))
                .mapToDouble(Map.Entry::getValue)
                .sum());
  }

  private static void row(StringBuilder b, String... cells) {
    b.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }

  static String ms(double v) {
    return String.format(Locale.ROOT, "%.0f ms", v);
  }

  static String f1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static String f2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String mib(long kib) {
    return String.format(Locale.ROOT, "%.0f MiB", kib / 1024.0);
  }

  static String ratio(double r) {
    return Double.isNaN(r) || Double.isInfinite(r) ? "n/a" : String.format(Locale.ROOT, "%.2f×", r);
  }
}
