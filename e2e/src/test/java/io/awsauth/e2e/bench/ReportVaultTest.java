package io.awsauth.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.e2e.bench.Figures.Figure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Vault column (issue 19, deliverable 1): every ratio row shows operator/SDK and
 * operator/Vault, session_token says it has no counterpart, and a run without the peer prints the
 * table it always printed.
 */
class ReportVaultTest {
  private static List<Double> samples(double p50, double max, int n) {
    List<Double> s = new ArrayList<>(Collections.nCopies(n - 1, p50));
    s.add(max);
    return s;
  }

  private static Report withVault() {
    Report r = new Report();
    r.memoryLimitMib = 512;
    r.peer = "HashiCorp Vault v1.14.10, dev mode";
    r.latency(
        "session_token", samples(56, 101, 20), samples(15, 26, 20), 0, 0, Map.of(), 20, 10, 39, 20);
    r.latency(
        "iam_user", samples(180, 300, 20), samples(120, 200, 20), 0, 0, Map.of(), 20, 10, 150, 20);
    r.vaultLatency("iam_user", samples(60, 90, 20), 0);
    r.throughput =
        new Report.BurstPair(
            "assumed_role",
            100,
            new Report.Burst(100, 0, 1.0, 5.0, 5.5, Map.of("Sts:AssumeRole:success", 100.0)),
            new Report.Burst(100, 0, 2.0, 2.0, 2.0, Map.of()));
    r.vaultThroughput = new Report.Burst(100, 0, 1.25, 1.25, 1.25, Map.of());
    r.keysWork("session_token", samples(60, 70, 5), samples(20, 30, 5), null, 0);
    r.keysWork("iam_user", samples(200, 300, 5), samples(150, 160, 5), samples(40, 50, 5), 0);
    return r;
  }

  private static Figure figure(Report r, String name) {
    return r.figures().all().stream()
        .filter(f -> f.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no figure " + name));
  }

  private static String row(String md, String startsWith) {
    return md.lines()
        .filter(l -> l.startsWith(startsWith))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row " + startsWith + " in\n" + md));
  }

  @Test
  void latencyRowsDivideByTheSdkAndByVault() {
    Report r = withVault();

    Figure p99 = figure(r, "issuance latency iam_user p99");
    assertThat(p99.baseline()).isEqualTo(200.0);
    assertThat(p99.vault()).isEqualTo(90.0);
    assertThat(p99.ratio()).isEqualTo(300.0 / 200);
    assertThat(p99.vaultRatio()).isEqualTo(300.0 / 90);
    assertThat(p99.vaultDetail()).contains("GET /v1/aws/creds/<role>").contains("n=20");
    assertThat(figure(r, "issuance latency iam_user p50").vaultRatio()).isEqualTo(3.0);
  }

  @Test
  void sessionTokenHasNoCounterpartInVault() {
    Report r = withVault();

    Figure p50 = figure(r, "issuance latency session_token p50");
    assertThat(p50.vault()).isNull();
    assertThat(p50.vaultRatio()).isNull();
    assertThat(p50.vaultDetail()).isEqualTo(VaultPeer.NO_SESSION_TOKEN);
    assertThat(row(r.markdown(), "| issuance latency session_token p50 |"))
        .contains("| no counterpart (Vault 1.14's AWS engine has no session_token type) | – |");
  }

  @Test
  void throughputAndKeysWorkHaveTheVaultColumnToo() {
    Report r = withVault();

    Figure tput = figure(r, "throughput, 100 assumed_role created at once");
    assertThat(tput.value()).isEqualTo(20.0);
    assertThat(tput.baseline()).isEqualTo(50.0);
    assertThat(tput.vault()).isEqualTo(80.0);
    assertThat(tput.vaultRatio()).isEqualTo(0.25);
    assertThat(tput.vaultDetail()).contains("POST /v1/aws/sts/<role>");

    Figure keys = figure(r, "time until the issued keys work, iam_user p50");
    assertThat(keys.value()).isEqualTo(200.0);
    assertThat(keys.baseline()).isEqualTo(150.0);
    assertThat(keys.vault()).isEqualTo(40.0);
    assertThat(figure(r, "time until the issued keys work, iam_user max").vault()).isEqualTo(50.0);
    assertThat(figure(r, "time until the issued keys work, session_token p50").vaultDetail())
        .isEqualTo(VaultPeer.NO_SESSION_TOKEN);
  }

  @Test
  void theTableHasBothRatioColumnsWithThePeer() {
    String md = withVault().markdown();

    assertThat(md)
        .contains(
            "| figure | measured | SDK baseline (this run) | operator/SDK | Vault (this run) |"
                + " operator/Vault | target | met? |");
    assertThat(row(md, "| issuance latency iam_user p99 |"))
        .contains("| 1.50× |")
        .contains("| 90 ms (GET /v1/aws/creds/<role> over keep-alive HTTP, n=20) | 3.33× |");
    assertThat(row(md, "| throughput, 100 assumed_role created at once |"))
        .contains("| 50.0/s (2.0 s, failed 0) | 0.40× |")
        .contains("| 0.25× | ≥ 0.8× baseline; ≥ 1× Vault | no / no |");
    assertThat(md).contains("Vault: the same issuances by the peer (above), measured in this run");
  }

  @Test
  void withoutThePeerTheTableIsAsBefore() {
    Report r = withVault();
    r.peer = null;
    r.vaultLatencies.clear();
    r.vaultThroughput = null;
    r.keysRows.clear();

    String md = r.markdown();
    assertThat(md).contains("| figure | measured | baseline (this run) | ratio | target | met? |");
    assertThat(md).doesNotContain("Vault").doesNotContain("no counterpart");
    assertThat(figure(r, "issuance latency session_token p50").vaultDetail()).isNull();
  }

  @Test
  void theLatencyPlotGetsVaultsSamplesWhereVaultHasTheType() {
    Map<String, List<List<Double>>> series = withVault().latencySeries();

    assertThat(series.get("iam_user")).hasSize(3);
    assertThat(series.get("iam_user").get(2)).hasSize(20).contains(90.0);
    assertThat(series.get("session_token")).hasSize(2);
  }

  @Test
  void resultsJsonHoldsVaultAndItsRatio() throws Exception {
    JsonNode root = new ObjectMapper().readTree(withVault().json());

    assertThat(root.path("run").path("peer").asText()).startsWith("HashiCorp Vault");
    JsonNode p99 = root.path("figures").path("issuance latency iam_user p99");
    assertThat(p99.path("vault").asDouble()).isEqualTo(90.0);
    assertThat(p99.path("vaultRatio").asDouble()).isEqualTo(300.0 / 90);
    JsonNode session = root.path("figures").path("issuance latency session_token p99");
    assertThat(session.path("vault").isNull()).isTrue();
    assertThat(session.path("vaultRatio").isNull()).isTrue();
    assertThat(session.path("vaultDetail").asText()).isEqualTo(VaultPeer.NO_SESSION_TOKEN);
  }

  private static Figures.Judgement judged(Report r, String rulePrefix) {
    return r.figures().judgements(r.targets()).stream()
        .filter(j -> j.target().rule().startsWith(rulePrefix))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theVaultTargetsAreJudgedOnTheTypesVaultHasAndNotWithoutThePeer() {
    Report r = withVault();

    Figures.Judgement p99 = judged(r, "p99 issuance latency ≤ Vault's");
    assertThat(p99.figures())
        .extracting(Figure::name)
        .as("session_token has no counterpart, so it is not judged against Vault")
        .containsExactly("issuance latency iam_user p99");
    assertThat(p99.worst().judged(p99.target())).isEqualTo(300.0 / 90);
    assertThat(p99.met()).isFalse();
    Figures.Judgement throughput = judged(r, "throughput ≥ 1× Vault");
    // 20/s against Vault's 80/s.
    assertThat(throughput.worst().judged(throughput.target())).isEqualTo(0.25);
    assertThat(throughput.met()).isFalse();
    // The SDK target of the same figure is judged on its own: 300 / 200 ms is 1.5×, met.
    assertThat(figure(r, "issuance latency iam_user p99").met()).isTrue();
    assertThat(row(r.markdown(), "| issuance latency iam_user p99"))
        .contains("≤ 1.5× baseline; ≤ 1× Vault | yes / no |");

    r.vaultThroughput = new Report.Burst(100, 0, 6.0, 6.0, 6.0, Map.of());
    assertThat(judged(r, "throughput ≥ 1× Vault").met()).as("20/s against 16.7/s").isTrue();

    Report without = withVault();
    without.peer = null;
    without.vaultLatencies.clear();
    without.vaultThroughput = null;
    assertThat(without.figures().judgements(without.targets()))
        .extracting(j -> j.target().rule())
        .noneMatch(rule -> rule.contains("Vault"));
  }
}
