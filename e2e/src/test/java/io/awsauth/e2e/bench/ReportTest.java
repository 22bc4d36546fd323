package io.awsauth.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.e2e.bench.Figures.Figure;
import io.awsauth.e2e.bench.Figures.Judgement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The report on run 10's own figures (docs/benchmarks.md), which the old report judged "met" for
 * memory (496 MiB at scale, while the same run reached 515 MiB against the 512 MiB limit) and
 * showed start-up as 3.24 s (while the restart at 10,621 requests took 6.72 s to its first
 * reconcile).
 */
class ReportTest {
  private static final long MIB = 1024;

  private static Report run10() {
    Report r = new Report();
    r.memoryLimitMib = 512;
    r.jvmSettings = "the chart's [-XX:MaxRAMPercentage=75.0, -XX:+UseSerialGC] + {}, -Xmx384m";
    r.option("latency N per type", 30);
    r.latency(
        "session_token",
        samples(56, 101, 30),
        samples(15, 26, 30),
        0,
        0,
        Map.of("Sts:GetSessionToken:success", 30.0),
        30,
        10,
        39,
        30);
    r.latency(
        "federation_token",
        samples(49, 63, 30),
        samples(15, 52, 30),
        0,
        0,
        Map.of("Sts:GetFederationToken:success", 30.0),
        30,
        10,
        36,
        30);
    r.throughput =
        new Report.BurstPair(
            "assumed_role",
            500,
            new Report.Burst(500, 0, 4.0, 500 / 66.4, 7.6, Map.of("Sts:AssumeRole:success", 500.0)),
            new Report.Burst(500, 0, 500 / 147.7, 500 / 147.7, 500 / 147.7, Map.of()));
    r.scale =
        new Report.Scale(
            new Report.Burst(10000, 0, 91.8, 91.9, 92.0, Map.of("Sts:AssumeRole:success", 10000.0)),
            new Report.Burst(10000, 0, 53.4, 53.4, 53.4, Map.of()),
            496 * MIB,
            101 * MIB,
            10621,
            10621,
            7.4,
            6.72,
            Optional.of(5.79),
            Map.of("Sts:GetCallerIdentity:success", 2.0),
            Map.of("Sts:GetCallerIdentity:success", 2.0));
    r.memory = new Report.Memory(1000, 1, 512 * MIB, 515 * MIB, 515 * MIB, 30);
    r.startup = new Report.Startup(3.24, 3.25, Optional.of(2.34), "AwsAuthConfig Ready at +2 s");
    return r;
  }

  /**
   * {@code n} samples whose p50 is {@code p50} and whose p99 (here: the largest) is {@code p99}.
   */
  private static List<Double> samples(double p50, double p99, int n) {
    List<Double> s = new ArrayList<>(Collections.nCopies(n - 1, p50));
    s.add(p99);
    return s;
  }

  private static Judgement judged(Report r, String rulePrefix) {
    return r.figures().judgements(r.targets()).stream()
        .filter(j -> j.target().rule().startsWith(rulePrefix))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void memoryIsJudgedOnThePeakOfTheWholeRunTheUnrelatedSecretsPhaseIncluded() {
    Judgement memory = judged(run10(), "resident memory ≤ 80 % of the chart's memory limit");

    assertThat(memory.target().limit()).isEqualTo(512 * 0.8);
    assertThat(memory.figures())
        .extracting(Figure::name)
        .contains("resident memory with 10621 Ready requests (5 s after cold)");
    assertThat(memory.worst().name()).isEqualTo("peak resident memory over the whole run");
    assertThat(memory.worst().value()).isEqualTo(515.0);
    assertThat(memory.met()).isFalse();
  }

  @Test
  void thePeakIncludesTheVmHwmOfEveryOperatorProcess() {
    Report r = run10();
    r.peakRssKib.put("process 1", 530 * MIB);
    r.peakRssKib.put("process 2", 520 * MIB);

    Judgement memory = judged(r, "resident memory ≤ 80 % of the chart's memory limit");
    assertThat(memory.worst().value()).isEqualTo(530.0);
    assertThat(memory.worst().detail()).contains("VmHWM of process 1 530 MiB");
  }

  @Test
  void startUpIsJudgedOnTheEmptyClusterAndOnTheRestartTheWorstDecides() {
    Judgement startup = judged(run10(), "start-up to the first reconcile");

    assertThat(startup.figures()).hasSize(2);
    assertThat(startup.worst().value()).isEqualTo(6.72);
    assertThat(startup.met()).isFalse();
  }

  @Test
  void p99LatencyIsMetOnlyWhenEveryTypeMeetsIt() {
    Judgement p99 = judged(run10(), "p99 issuance latency");

    assertThat(p99.figures()).hasSize(2);
    assertThat(p99.worst().name()).isEqualTo("issuance latency session_token p99");
    assertThat(p99.met()).isFalse();
    assertThat(p99.figures().get(1).met()).as("federation_token 1.21×").isTrue();
  }

  @Test
  void whatRun10MetByTheNewRule() {
    Report r = run10();
    assertThat(judged(r, "throughput").met()).isFalse();
    assertThat(judged(r, "requests that exist before the operator starts").met()).isFalse();
    assertThat(judged(r, "restart: zero issuing AWS calls").met()).isTrue();
    assertThat(judged(r, "restart: every request reconciled again").met()).isTrue();
    assertThat(judged(r, "unrelated Secrets").met()).as("515 / 512 MiB: +0.6 %").isTrue();
    assertThat(judged(r, "exactly one credential").met()).isTrue();
  }

  @Test
  void noTargetOrLimitIsShownAsABaseline() {
    Report r = run10();
    for (Figure f : r.figures().all()) {
      if (f.name().contains("memory") && !f.name().contains("unrelated")) {
        assertThat(f.baseline()).as(f.name()).isNull();
      }
      if (f.name().contains("start-up") || f.name().contains("first reconciled")) {
        assertThat(f.baseline()).as(f.name()).isNull();
        assertThat(f.ratio()).as(f.name()).isNull();
      }
      if (f.name().startsWith("credentials issued") || f.name().startsWith("issuing AWS calls")) {
        assertThat(f.baseline()).as(f.name() + ": the baseline's calls are not counted").isNull();
      }
    }
    String md = r.markdown();
    assertThat(md).doesNotContain("(baseline)").doesNotContain("baseline or target");
    assertThat(md).contains("| figure | measured | baseline (this run) | ratio | target | met? |");
    String memoryRow =
        md.lines()
            .filter(l -> l.startsWith("| resident memory with 10621 Ready requests"))
            .findFirst()
            .orElseThrow();
    assertThat(memoryRow).contains("| – | – | ≤ 409.6 MiB | no |");
    assertThat(md)
        .contains(
            "| peak resident memory over the whole run | 515 MiB (the largest of: VmRSS 5 s after"
                + " cold 496 MiB, VmRSS before the unrelated Secrets 512 MiB, VmRSS peak sampled"
                + " with them 515 MiB) | – | – | ≤ 409.6 MiB | no |");
  }

  @Test
  void resultsJsonHoldsTheFiguresAndTheTargetsByTheWorstFigure() throws Exception {
    JsonNode root = new ObjectMapper().readTree(run10().json());

    JsonNode p99 = root.path("figures").path("issuance latency session_token p99");
    assertThat(p99.path("value").asDouble()).isEqualTo(101.0);
    assertThat(p99.path("baseline").asDouble()).isEqualTo(26.0);
    assertThat(p99.path("ratio").asDouble()).isGreaterThan(3.8);
    assertThat(p99.path("target").asText()).isEqualTo("≤ 1.5× baseline");
    assertThat(p99.path("met").asBoolean(true)).isFalse();
    JsonNode p50 = root.path("figures").path("issuance latency session_token p50");
    assertThat(p50.path("target").isNull()).isTrue();
    assertThat(p50.path("met").isNull()).isTrue();

    JsonNode targets = root.path("targets");
    assertThat(targets.size()).isEqualTo(run10().targets().size());
    targets.forEach(
        t -> {
          assertThat(t.has("source")).isTrue();
          assertThat(t.has("figures")).isTrue();
          assertThat(t.has("worst")).isTrue();
          assertThat(t.has("met")).isTrue();
        });
    JsonNode memory =
        targets.path(
            "resident memory ≤ 80 % of the chart's memory limit (409.6 of 512 MiB), at its peak"
                + " over the whole run");
    assertThat(memory.path("met").asBoolean(true)).isFalse();
    assertThat(memory.path("worst").asText()).isEqualTo("peak resident memory over the whole run");
    assertThat(memory.path("source").asText())
        .contains("helm/aws-auth-operator/values.yaml")
        .contains("-Xmx384m");
  }

  @Test
  void aRefusedIssuingCallIssuedNoCredential() {
    Figures f = new Figures();
    Report.issuingFigure(
        f,
        "throughput",
        new Report.Burst(
            100,
            0,
            1,
            2,
            3,
            Map.of(
                "Sts:AssumeRole:AccessDenied", 100.0,
                "Sts:AssumeRole:success", 100.0,
                "Sts:GetCallerIdentity:success", 1.0)));

    Figure one = f.all().get(0);
    assertThat(one.value()).isEqualTo(1.0);
    assertThat(one.met()).isTrue();
    assertThat(one.detail()).contains("Sts:AssumeRole:AccessDenied=100.0");
  }

  @Test
  void aSkippedPhaseLeavesItsTargetsNotMeasured() {
    Report r = new Report();
    r.memoryLimitMib = 512;
    r.startup = new Report.Startup(2.5, 2.6, Optional.empty(), "");

    List<Judgement> js = r.figures().judgements(r.targets());
    assertThat(js).hasSize(r.targets().size());
    assertThat(js.stream().filter(j -> j.met() != null))
        .extracting(j -> j.target().rule())
        .containsExactly(Report.STARTUP.rule());
    assertThat(judged(r, "start-up").met()).isTrue();
    assertThat(r.markdown()).contains("| not measured |");
  }
}
