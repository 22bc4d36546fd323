package io.awsauth.e2e.bench;

import io.awsauth.e2e.bench.Figures.Basis;
import io.awsauth.e2e.bench.Figures.Figure;
import io.awsauth.e2e.bench.Figures.Judgement;
import io.awsauth.e2e.bench.Figures.Op;
import io.awsauth.e2e.bench.Figures.Target;
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

/**
 * What the benchmark measured ({@link Figures}): each figure beside the baseline this run measured,
 * if any, the peer's figure (HashiCorp Vault, with {@code --peer=vault}) if any, and the target it
 * counts toward, if any; the targets judged on their worst figure. Printed as Markdown (results.md)
 * and written as results.json.
 */
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
      double internalMs,
      long internalCount) {}

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

  /** The peer's issuance latencies of one type (ms), one at a time, and how many failed. */
  record PeerLatency(List<Double> samples, int failed) {}

  /**
   * Time until the issued keys work, per type (ms): the operator's, the baseline's and the peer's
   * (null: the peer has no counterpart or there is no peer); {@code failed} on all sides.
   */
  record KeysRow(
      String type, List<Double> operator, List<Double> baseline, List<Double> vault, int failed) {}

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

  /** The peer of this run as the report names it (null: no peer, no Vault column). */
  String peer;

  final Map<String, PeerLatency> vaultLatencies = new LinkedHashMap<>();
  final List<KeysRow> keysRows = new ArrayList<>();

  /** The peer's issuances of the throughput burst and of the cold burst, same concurrency. */
  Burst vaultThroughput;

  Burst vaultCold;

  /**
   * What latency.png draws: per type, the operator's, the baseline's and Vault's samples, if any.
   */
  Map<String, List<List<Double>>> latencySeries() {
    Map<String, List<List<Double>>> m = new LinkedHashMap<>();
    latencies.forEach(
        (type, s) -> {
          List<List<Double>> l = new ArrayList<>(s);
          PeerLatency v = vaultLatencies.get(type);
          if (v != null) {
            l.add(v.samples());
          }
          m.put(type, l);
        });
    return m;
  }

  void vaultLatency(String type, List<Double> samples, int failed) {
    vaultLatencies.put(type, new PeerLatency(samples, failed));
  }

  void keysWork(
      String type, List<Double> operator, List<Double> baseline, List<Double> vault, int failed) {
    keysRows.add(new KeysRow(type, operator, baseline, vault, failed));
  }

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
      double internalMs,
      long internalCount) {
    latencyRows.add(
        new LatencyRow(
            type,
            operator,
            baseline,
            failed,
            baselineFailed,
            calls,
            n,
            working,
            internalMs,
            internalCount));
    latencies.put(type, List.of(operator, baseline));
  }

  String latencyLine(String type) {
    LatencyRow r =
        latencyRows.stream().filter(x -> x.type().equals(type)).findFirst().orElseThrow();
    PeerLatency v = vaultLatencies.get(type);
    return String.format(
            Locale.ROOT,
            "latency %s: operator p50 %.0f ms p99 %.0f ms, baseline p50 %.0f ms p99 %.0f ms",
            type,
            pct(r.operator(), 50),
            pct(r.operator(), 99),
            pct(r.baseline(), 50),
            pct(r.baseline(), 99))
        + (v == null
            ? ""
            : String.format(
                Locale.ROOT,
                ", Vault p50 %.0f ms p99 %.0f ms",
                pct(v.samples(), 50),
                pct(v.samples(), 99)));
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

  // --- targets (issue 7's, unless said otherwise): goals, never measurements ----------------

  static final Target LATENCY_P99 =
      new Target(
          "p99 issuance latency ≤ 1.5× the SDK baseline, for every credential type",
          "issue 7",
          Basis.RATIO,
          Op.AT_MOST,
          1.5,
          "");
  static final Target THROUGHPUT =
      new Target("throughput ≥ 0.8× the baseline", "issue 7", Basis.RATIO, Op.AT_LEAST, 0.8, "");
  static final Target LATENCY_P99_VAULT =
      new Target(
          "p99 issuance latency ≤ Vault's, for every credential type Vault has",
          "issue 19 (HashiCorp Vault v1.14.10 in this run, --peer=vault; session_token has no"
              + " counterpart)",
          Basis.PEER_RATIO,
          Op.AT_MOST,
          1,
          "");
  static final Target THROUGHPUT_VAULT =
      new Target(
          "throughput ≥ 1× Vault's at the same concurrency",
          "issue 19 (--peer=vault)",
          Basis.PEER_RATIO,
          Op.AT_LEAST,
          1,
          "");
  static final Target ROTATION_P99 =
      new Target(
          "rotations within 1 s of renewAt at p99",
          "issue 19 (issuedAt of the new credential − renewAt of the old)",
          Basis.VALUE,
          Op.AT_MOST,
          1000,
          "ms");
  static final Target COLD =
      new Target(
          "requests that exist before the operator starts all Ready ≤ 1.5× the baseline (same AWS"
              + " calls and Secret writes, same concurrency)",
          "issues 7 and 19 (at 10,000 requests; creating them is not in the figure)",
          Basis.RATIO,
          Op.AT_MOST,
          1.5,
          "");
  static final Target RESTART_CALLS =
      new Target(
          "restart: zero issuing AWS calls",
          "issue 7 (\"a restart must not reissue credentials that are still valid: the target is"
              + " zero\"); the AwsAuthConfig's own GetCallerIdentity is counted beside it, not"
              + " judged",
          Basis.VALUE,
          Op.EXACTLY,
          0,
          "calls");
  static final Target RESYNC =
      new Target(
          "restart: every request reconciled again in ≤ 0.2× the cold time",
          "issue 7",
          Basis.RATIO,
          Op.AT_MOST,
          0.2,
          "");
  static final Target ONE_CREDENTIAL =
      new Target(
          "exactly one credential issued per request",
          "issue 8, item 3 (nothing is issued twice)",
          Basis.VALUE,
          Op.EXACTLY,
          1,
          "per request");
  static final Target UNRELATED =
      new Target(
          "unrelated Secrets: resident memory < 1.1× the same process before them (peak)",
          "issue 7 (1,000 unrelated 1 MiB Secrets: under 10 %)",
          Basis.RATIO,
          Op.BELOW,
          1.1,
          "");
  static final Target STARTUP =
      new Target(
          "start-up to the first reconcile ≤ 3 s, on a cluster without requests and on a"
              + " restart with every request of the run",
          "issue 7 (\"start-up to first reconcile within 3 s on the JVM\")",
          Basis.VALUE,
          Op.AT_MOST,
          3,
          "s");

  /** The chart's memory limit, as Benchmark read it from helm values (0: not read). */
  long memoryLimitMib;

  /** The JVM settings the operator ran with in this run. */
  String jvmSettings = "";

  /** VmHWM (peak resident set) of each operator process of the run, read before it ended. */
  final Map<String, Long> peakRssKib = new LinkedHashMap<>();

  /** Issue 19: resident memory stays within this share of the chart's memory limit. */
  static final double MEMORY_HEADROOM = 0.8;

  Target memoryTarget() {
    return new Target(
        "resident memory ≤ 80 % of the chart's memory limit ("
            + f1(memoryLimitMib * MEMORY_HEADROOM)
            + " of "
            + memoryLimitMib
            + " MiB), at its peak over the whole run",
        "issue 19 (headroom under the limit, the unrelated Secrets included); limit ="
            + " resources.limits.memory of helm/aws-auth-operator/values.yaml, read by this run;"
            + " the operator ran with "
            + jvmSettings,
        Basis.VALUE,
        Op.AT_MOST,
        memoryLimitMib * MEMORY_HEADROOM,
        "MiB");
  }

  /**
   * Every target, in the order of the report (those of skipped phases show as not measured; those
   * against Vault only in a run with the peer).
   */
  List<Target> targets() {
    List<Target> all = new ArrayList<>(List.of(LATENCY_P99));
    if (peer != null) {
      all.add(LATENCY_P99_VAULT);
    }
    all.add(THROUGHPUT);
    if (peer != null) {
      all.add(THROUGHPUT_VAULT);
    }
    all.addAll(
        List.of(
            ONE_CREDENTIAL,
            COLD,
            memoryTarget(),
            RESYNC,
            RESTART_CALLS,
            UNRELATED,
            STARTUP,
            ROTATION_P99));
    return List.copyOf(all);
  }

  /** What this run measured, each figure beside the baseline measured in this run, if any. */
  Figures figures() {
    Figures f = new Figures();
    for (LatencyRow r : latencyRows) {
      PeerLatency v = vaultLatencies.get(r.type());
      for (int p : new int[] {50, 95, 99}) {
        f.add(
            "issuance latency " + r.type() + " p" + p,
            nanToNull(pct(r.operator(), p)),
            "ms",
            "n=" + r.operator().size() + (r.failed() > 0 ? ", " + r.failed() + " not seen" : ""),
            nanToNull(pct(r.baseline(), p)),
            "SDK + Secret create, n="
                + r.baseline().size()
                + (r.baselineFailed() > 0 ? ", " + r.baselineFailed() + " failed" : ""),
            v == null ? null : nanToNull(pct(v.samples(), p)),
            v == null
                ? peerCounterpart(r.type())
                : vaultIssue(r.type())
                    + ", n="
                    + v.samples().size()
                    + (v.failed() > 0 ? ", " + v.failed() + " failed" : ""),
            p == 99 ? LATENCY_P99 : null,
            p == 99 ? LATENCY_P99_VAULT : null);
      }
    }
    for (KeysRow r : keysRows) {
      for (int p : new int[] {50, 100}) {
        String at = p == 100 ? "max" : "p" + p;
        f.add(
            "time until the issued keys work, " + r.type() + " " + at,
            nanToNull(pct(r.operator(), p)),
            "ms",
            "request created to the first "
                + Benchmark.ALLOWED_CALL
                + " that succeeds with the Secret's keys, n="
                + r.operator().size()
                + (r.failed() > 0 ? "; " + r.failed() + " failed (all sides)" : ""),
            nanToNull(pct(r.baseline(), p)),
            "SDK + Secret create, then the call, n=" + r.baseline().size(),
            r.vault() == null ? null : nanToNull(pct(r.vault(), p)),
            r.vault() == null
                ? peerCounterpart(r.type())
                : vaultIssue(r.type()) + ", then the call, n=" + r.vault().size(),
            null);
      }
    }
    if (throughput != null) {
      Burst o = throughput.operator();
      Burst base = throughput.baseline();
      f.add(
          "throughput, " + throughput.count() + " " + throughput.type() + " created at once",
          o.perSecond(),
          "/s",
          "all Secrets after "
              + f1(o.secretsSeconds())
              + " s; creating the requests took "
              + f1(o.createSeconds())
              + " s of it, i.e. at most "
              + ratio(base.secretsSeconds() / o.createSeconds())
              + " for any operator; failed "
              + o.failed(),
          base.perSecond(),
          f1(base.secretsSeconds()) + " s, failed " + base.failed(),
          vaultThroughput == null ? null : vaultThroughput.perSecond(),
          vaultThroughput == null
              ? peerCounterpart(throughput.type())
              : vaultIssue(throughput.type())
                  + " by the same threads: "
                  + f1(vaultThroughput.secretsSeconds())
                  + " s, failed "
                  + vaultThroughput.failed(),
          THROUGHPUT,
          THROUGHPUT_VAULT);
      issuingFigure(f, "throughput", throughput.operator());
    }
    if (scale != null) {
      issuingFigure(f, "scale", scale.cold());
      f.add(
          scale.cold().count() + " assumed_role created before the operator starts: all Ready",
          scale.cold().readySeconds(),
          "s",
          "from the process start (start-up included); created beforehand in "
              + f1(scale.cold().createSeconds())
              + " s, not in the figure; failed "
              + scale.cold().failed(),
          scale.baseline().secretsSeconds(),
          "SDK + Secret, same concurrency",
          vaultCold == null ? null : vaultCold.secretsSeconds(),
          vaultCold == null
              ? null
              : vaultIssue("assumed_role")
                  + ", same concurrency, failed "
                  + vaultCold.failed()
                  + " (no Secret: Vault hands the credential to the caller)",
          COLD);
      f.add(
          "resident memory with " + scale.readyInCluster() + " Ready requests (5 s after cold)",
          scale.rssKib() / 1024.0,
          "MiB",
          "VmRSS; heap in use after a full GC " + mib(scale.liveHeapKib()),
          null,
          null,
          memoryTarget());
      f.add(
          "restart (SIGKILL): all " + scale.readyInCluster() + " reconciled again",
          scale.resyncSeconds() < 0 ? null : scale.resyncSeconds(),
          "s",
          scale.resyncSeconds() < 0
              ? "not reached in 10 min"
              : "from process start to aao_leases{state=ready} of the new process counting them",
          scale.cold().readySeconds(),
          "this run's cold time",
          RESYNC);
      f.add(
          "restart with "
              + scale.readyInCluster()
              + " Ready requests: process start to the first reconciled",
          scale.firstReconcileSeconds() < 0 ? null : scale.firstReconcileSeconds(),
          "s",
          scale.firstReconcileSeconds() < 0
              ? "not reached"
              : "aao_leases{state=ready} ≥ 1; Quarkus 'started in' "
                  + scale.quarkusStartedIn().map(Report::f2).orElse("?")
                  + " s",
          null,
          null,
          STARTUP);
      f.add(
          "issuing AWS calls after the restart, at resync",
          Double.valueOf(sum(issuing(scale.callsAtResync()))),
          "calls",
          sum(scale.callsAtResync()) + " AWS calls in all",
          null,
          null,
          RESTART_CALLS);
      f.add(
          "issuing AWS calls after the restart, resync + 10 s",
          Double.valueOf(sum(issuing(scale.callsAfter10s()))),
          "calls",
          sum(scale.callsAfter10s()) + " AWS calls in all since the restart",
          null,
          null,
          RESTART_CALLS);
    }
    if (memory != null) {
      f.add(
          "resident memory with "
              + memory.secrets()
              + " unrelated "
              + memory.mib()
              + " MiB Secrets (peak of 20 s)",
          memory.peakKib() / 1024.0,
          "MiB",
          mib(memory.afterKib()) + " after 20 s",
          memory.beforeKib() / 1024.0,
          "the same process just before the Secrets",
          UNRELATED);
    }
    Map<String, Long> memorySeen = new LinkedHashMap<>();
    peakRssKib.forEach((k, v) -> memorySeen.put("VmHWM of " + k, v));
    if (scale != null) {
      memorySeen.put("VmRSS 5 s after cold", scale.rssKib());
    }
    if (memory != null) {
      memorySeen.put("VmRSS before the unrelated Secrets", memory.beforeKib());
      memorySeen.put("VmRSS peak sampled with them", memory.peakKib());
    }
    if (!memorySeen.isEmpty()) {
      StringBuilder from = new StringBuilder("the largest of: ");
      memorySeen.forEach((k, v) -> from.append(k).append(' ').append(mib(v)).append(", "));
      f.add(
          "peak resident memory over the whole run",
          memorySeen.values().stream().mapToLong(Long::longValue).max().orElseThrow() / 1024.0,
          "MiB",
          from.substring(0, from.length() - 2),
          null,
          null,
          memoryTarget());
    }
    if (startup != null) {
      f.add(
          "start-up: process start to the first Secret with keys (no requests but that one)",
          startup.firstSecretSeconds(),
          "s",
          "Ready seen "
              + f2(startup.readySeconds())
              + " s; Quarkus 'started in' "
              + startup.quarkus().map(Report::f2).orElse("?")
              + " s; "
              + startup.breakdown()
              + "; config, roles and request created before the start",
          null,
          null,
          STARTUP);
    }
    if (rotation != null) {
      List<Double> late = new ArrayList<>();
      List<Double> seen = new ArrayList<>();
      for (Benchmark.Rotation r : rotation.rotations()) {
        late.add((double) (r.newIssuedAt().toEpochMilli() - r.oldRenewAt().toEpochMilli()));
        seen.add((double) (r.observedAtMs() - r.oldRenewAt().toEpochMilli()));
      }
      String of =
          late.size()
              + " rotations of "
              + rotation.requests()
              + " iam_user requests (ttl 40s) in "
              + rotation.seconds()
              + " s; status times are whole seconds";
      for (int p : new int[] {50, 99, 100}) {
        String at = p == 100 ? "max" : "p" + p;
        f.add(
            "rotation lateness " + at + ", issuedAt(new) − renewAt(old)",
            late.isEmpty() ? null : pct(late, p),
            "ms",
            of
                + "; the new status seen by the benchmark's watch "
                + (seen.isEmpty() ? "-" : ms(pct(seen, p)))
                + " after renewAt",
            null,
            null,
            p == 99 ? ROTATION_P99 : null);
      }
    }
    return f;
  }

  /** results.json: figure name to value, unit, baseline, ratio, target, met; the targets. */
  String json() {
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("options", options);
    run.put("load", loads);
    run.put("peer", peer);
    return figures().json(run, targets());
  }

  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("### Run\n\n");
    options.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
    loads.forEach(
        (k, v) -> b.append("- load average at ").append(k).append(": ").append(v).append('\n'));
    Figures figures = figures();
    b.append("\n### Figures\n\n");
    b.append(
        "Baseline: the same work measured in this run without the operator (– where there is"
            + " none). Ratio: measured ÷ baseline. Target: a goal (its source in the next table),"
            + " never a measurement; met?: this figure against it.");
    if (peer != null) {
      b.append(
          " Vault: the same issuances by the peer (above), measured in this run (– where it has"
              + " no counterpart); operator/Vault: measured ÷ Vault's figure.");
    }
    b.append("\n\n");
    if (peer == null) {
      b.append("| figure | measured | baseline (this run) | ratio | target | met? |\n");
      b.append("|---|---|---|---|---|---|\n");
    } else {
      b.append(
          "| figure | measured | SDK baseline (this run) | operator/SDK | Vault (this run) |"
              + " operator/Vault | target | met? |\n");
      b.append("|---|---|---|---|---|---|---|---|\n");
    }
    for (Figure x : figures.all()) {
      List<String> cells = new ArrayList<>();
      cells.add(x.name());
      cells.add(
          (x.value() == null ? "not reached" : value(x.value(), x.unit()))
              + (x.detail().isEmpty() ? "" : " (" + x.detail() + ")"));
      cells.add(
          x.baseline() == null
              ? "–"
              : value(x.baseline(), x.unit())
                  + (x.baselineDetail() == null ? "" : " (" + x.baselineDetail() + ")"));
      cells.add(x.ratio() == null ? "–" : ratio(x.ratio()));
      if (peer != null) {
        cells.add(
            x.vault() == null
                ? (x.vaultDetail() == null ? "–" : x.vaultDetail())
                : value(x.vault(), x.unit())
                    + (x.vaultDetail() == null ? "" : " (" + x.vaultDetail() + ")"));
        cells.add(x.vaultRatio() == null ? "–" : ratio(x.vaultRatio()));
      }
      cells.add(
          (x.target() == null ? "" : x.target().condition())
              + (x.peerTarget() == null ? "" : "; " + x.peerTarget().condition()));
      cells.add(met(x.met()) + (x.peerTarget() == null ? "" : " / " + met(x.met(x.peerTarget()))));
      row(b, cells.toArray(String[]::new));
    }
    b.append("\n### Targets, each judged on its worst figure in this run\n\n");
    b.append("| target | source | figures judged | worst | met? |\n");
    b.append("|---|---|---|---|---|\n");
    for (Judgement j : figures.judgements(targets())) {
      row(
          b,
          j.target().rule(),
          j.target().source(),
          j.figures().isEmpty()
              ? "none: not measured in this run"
              : String.valueOf(j.figures().size()),
          j.worst() == null ? "–" : j.worst().name() + ": " + judged(j.worst(), j.target()),
          j.figures().isEmpty() ? "not measured" : met(j.met()));
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
          .append(" over ")
          .append(r.internalCount())
          .append(" issuances against a mean end-to-end ")
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

  /** How the peer was asked for a credential of {@code type}, as the report says it. */
  static String vaultIssue(String type) {
    return type.equals("iam_user")
        ? "GET /v1/aws/creds/<role> over keep-alive HTTP"
        : "POST /v1/aws/sts/<role> {\"ttl\":\"1h\"} over keep-alive HTTP";
  }

  /** What the Vault column says where the peer was not measured: why, when the run had one. */
  String peerCounterpart(String type) {
    if (peer == null) {
      return null;
    }
    return type.equals("session_token") ? VaultPeer.NO_SESSION_TOKEN : null;
  }

  /**
   * Credentials issued per request in a burst: the issuing calls that succeeded (a refused call,
   * such as an AssumeRole retried without the session identity, issued nothing).
   */
  static void issuingFigure(Figures f, String phase, Burst burst) {
    Map<String, Double> calls = issuing(burst.calls());
    double issued =
        calls.entrySet().stream()
            .filter(e -> !e.getKey().contains(":CreateUser:") && e.getKey().endsWith(":success"))
            .mapToDouble(Map.Entry::getValue)
            .sum();
    Map<String, Double> refused = new TreeMap<>();
    calls.forEach(
        (k, v) -> {
          if (!k.endsWith(":success")) {
            refused.put(k, v);
          }
        });
    f.add(
        "credentials issued per request (" + phase + ", " + burst.count() + " requests)",
        issued / burst.count(),
        "per request",
        (long) issued
            + " issuing calls succeeded"
            + (refused.isEmpty() ? "" : "; refused, issuing nothing: " + refused),
        null,
        null,
        ONE_CREDENTIAL);
  }

  private static String judged(Figure f, Target t) {
    Double x = f.judged(t);
    if (x == null) {
      return "not reached";
    }
    return t.basis() == Basis.VALUE
        ? value(x, f.unit())
        : ratio(x) + " (" + value(f.value(), f.unit()) + ")";
  }

  static String met(Boolean met) {
    return met == null ? "" : met ? "yes" : "no";
  }

  static String value(double v, String unit) {
    return switch (unit) {
      case "ms" -> ms(v);
      case "s" -> f2(v) + " s";
      case "/s" -> f1(v) + "/s";
      case "MiB" -> String.format(Locale.ROOT, "%.0f MiB", v);
      case "per request" -> f2(v) + " per request";
      case "calls" -> String.format(Locale.ROOT, "%.0f", v);
      default -> f2(v) + " " + unit;
    };
  }

  private static Double nanToNull(double v) {
    return Figures.finite(v) ? v : null;
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
