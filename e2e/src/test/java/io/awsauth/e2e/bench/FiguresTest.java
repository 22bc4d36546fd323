package io.awsauth.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.e2e.bench.Figures.Basis;
import io.awsauth.e2e.bench.Figures.Judgement;
import io.awsauth.e2e.bench.Figures.Op;
import io.awsauth.e2e.bench.Figures.Target;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A target is met only when the worst of its figures in the run meets it. */
class FiguresTest {
  private static final Target AT_MOST_3_S =
      new Target("start-up ≤ 3 s", "issue 7", Basis.VALUE, Op.AT_MOST, 3, "s");
  private static final Target RATIO_AT_MOST_1_5 =
      new Target("p99 ≤ 1.5× baseline", "issue 7", Basis.RATIO, Op.AT_MOST, 1.5, "");
  private static final Target RATIO_AT_LEAST_0_8 =
      new Target("throughput ≥ 0.8×", "issue 7", Basis.RATIO, Op.AT_LEAST, 0.8, "");
  private static final Target ZERO =
      new Target("zero calls", "issue 7", Basis.VALUE, Op.EXACTLY, 0, "calls");

  @Test
  void aTargetIsJudgedOnItsWorstFigureNotOnTheFirstOrTheBest() {
    Figures f = new Figures();
    f.add("start-up, empty cluster", 2.9, "s", "", null, null, AT_MOST_3_S);
    f.add("start-up, restart with 10,000 requests", 6.72, "s", "", null, null, AT_MOST_3_S);

    Judgement j = only(f.judgements(List.of(AT_MOST_3_S)));
    assertThat(f.all().get(0).met()).isTrue();
    assertThat(j.worst().name()).isEqualTo("start-up, restart with 10,000 requests");
    assertThat(j.met()).isFalse();
  }

  @Test
  void aRatioTargetComparesTheFigureWithTheBaselineOfTheSameRun() {
    Figures f = new Figures();
    f.add("p99 a", 63.0, "ms", "", 52.0, "SDK", RATIO_AT_MOST_1_5);
    f.add("p99 b", 101.0, "ms", "", 26.0, "SDK", RATIO_AT_MOST_1_5);
    f.add("throughput", 66.4, "/s", "", 147.7, "SDK", RATIO_AT_LEAST_0_8);

    List<Judgement> js = f.judgements(List.of(RATIO_AT_MOST_1_5, RATIO_AT_LEAST_0_8));
    assertThat(js.get(0).worst().name()).isEqualTo("p99 b");
    assertThat(js.get(0).worst().ratio())
        .isCloseTo(3.88, org.assertj.core.data.Offset.offset(0.01));
    assertThat(js.get(0).met()).isFalse();
    assertThat(js.get(1).worst().name()).isEqualTo("throughput");
    assertThat(js.get(1).met()).isFalse();

    Figures better = new Figures();
    better.add("throughput", 120.0, "/s", "", 140.0, "SDK", RATIO_AT_LEAST_0_8);
    better.add("throughput again", 113.0, "/s", "", 140.0, "SDK", RATIO_AT_LEAST_0_8);
    Judgement j = only(better.judgements(List.of(RATIO_AT_LEAST_0_8)));
    assertThat(j.worst().name())
        .as("for ≥ the smallest is the worst")
        .isEqualTo("throughput again");
    assertThat(j.met()).isTrue();
  }

  @Test
  void aFigureNotReachedFailsItsTargetAndIsItsWorst() {
    Figures f = new Figures();
    f.add(
        "resync",
        7.4,
        "s",
        "",
        92.0,
        "cold",
        new Target("r", "i", Basis.RATIO, Op.AT_MOST, 0.2, ""));
    f.add("first", null, "s", "not reached", null, null, AT_MOST_3_S);
    f.add("second", 1.0, "s", "", null, null, AT_MOST_3_S);

    Judgement j = f.judgements(List.of(AT_MOST_3_S)).get(0);
    assertThat(j.worst().name()).isEqualTo("first");
    assertThat(j.met()).isFalse();
  }

  @Test
  void aTargetWithoutFiguresInThisRunIsNotMeasuredNotMet() {
    Figures f = new Figures();
    f.add("calls", 0.0, "calls", "", null, null, ZERO);

    List<Judgement> js = f.judgements(List.of(AT_MOST_3_S, ZERO));
    assertThat(js.get(0).target()).isEqualTo(AT_MOST_3_S);
    assertThat(js.get(0).figures()).isEmpty();
    assertThat(js.get(0).met()).isNull();
    assertThat(js.get(1).met()).isTrue();
  }

  @Test
  void aFigureWithoutTargetOrBaselineIsJudgedOnNothing() {
    Figures f = new Figures();
    var x = f.add("rotation lateness p50", 334.0, "ms", "", null, null, null);

    assertThat(x.ratio()).isNull();
    assertThat(x.met()).isNull();
    assertThat(f.judgements(List.of())).isEmpty();
  }

  @Test
  void exactlyIsMetOnlyByTheValueItself() {
    Figures f = new Figures();
    f.add("at resync", 0.0, "calls", "", null, null, ZERO);
    f.add("+10 s", 1.0, "calls", "", null, null, ZERO);

    Judgement j = only(f.judgements(List.of(ZERO)));
    assertThat(j.worst().name()).isEqualTo("+10 s");
    assertThat(j.met()).isFalse();
  }

  @Test
  void twoFiguresOfOneNameAreRefused() {
    Figures f = new Figures();
    f.add("x", 1.0, "s", "", null, null, null);
    assertThatThrownBy(() -> f.add("x", 2.0, "s", "", null, null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theJsonHoldsEachFigureByNameAndEachTargetWithItsWorstFigure() throws Exception {
    Figures f = new Figures();
    f.add("p99 a", 63.0, "ms", "n=30", 52.0, "SDK + Secret create", RATIO_AT_MOST_1_5);
    f.add("memory", 515.0, "MiB", "VmHWM", null, null, null);
    f.add("first", null, "s", "not reached", null, null, AT_MOST_3_S);

    JsonNode root =
        new ObjectMapper().readTree(f.json(Map.of("options", Map.of("n", 30)), List.of(ZERO)));

    assertThat(root.path("run").path("options").path("n").asInt()).isEqualTo(30);
    JsonNode p99 = root.path("figures").path("p99 a");
    assertThat(p99.path("value").asDouble()).isEqualTo(63.0);
    assertThat(p99.path("unit").asText()).isEqualTo("ms");
    assertThat(p99.path("baseline").asDouble()).isEqualTo(52.0);
    assertThat(p99.path("ratio").asDouble())
        .isCloseTo(1.2115, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(p99.path("target").asText()).isEqualTo("≤ 1.5× baseline");
    assertThat(p99.path("met").isBoolean()).isTrue();
    assertThat(p99.path("met").asBoolean()).isTrue();

    JsonNode memory = root.path("figures").path("memory");
    assertThat(memory.path("baseline").isNull()).as("no baseline measured: null").isTrue();
    assertThat(memory.path("ratio").isNull()).isTrue();
    assertThat(memory.path("target").isNull()).isTrue();
    assertThat(memory.path("met").isNull()).isTrue();

    JsonNode first = root.path("figures").path("first");
    assertThat(first.path("value").isNull()).isTrue();
    assertThat(first.path("met").asBoolean(true)).isFalse();

    JsonNode zero = root.path("targets").path("zero calls");
    assertThat(zero.path("met").isNull()).as("not measured in this run").isTrue();
    assertThat(zero.path("figures")).isEmpty();
    JsonNode startup = root.path("targets").path("start-up ≤ 3 s");
    assertThat(startup.path("source").asText()).isEqualTo("issue 7");
    assertThat(startup.path("condition").asText()).isEqualTo("≤ 3 s");
    assertThat(startup.path("figures").get(0).asText()).isEqualTo("first");
    assertThat(startup.path("worst").asText()).isEqualTo("first");
    assertThat(startup.path("met").asBoolean(true)).isFalse();
    assertThat(root.path("targets").path("p99 ≤ 1.5× baseline").path("met").asBoolean()).isTrue();
  }

  @Test
  void aTargetSaysWhatItComparesWith() {
    assertThat(RATIO_AT_MOST_1_5.condition()).isEqualTo("≤ 1.5× baseline");
    assertThat(RATIO_AT_LEAST_0_8.condition()).isEqualTo("≥ 0.8× baseline");
    assertThat(AT_MOST_3_S.condition()).isEqualTo("≤ 3 s");
    assertThat(ZERO.condition()).isEqualTo("= 0 calls");
    assertThat(new Target("m", "s", Basis.VALUE, Op.AT_MOST, 512, "MiB").condition())
        .isEqualTo("≤ 512 MiB");
    assertThat(new Target("u", "s", Basis.RATIO, Op.BELOW, 1.1, "").condition())
        .isEqualTo("< 1.1× baseline");
  }

  private static Judgement only(List<Judgement> js) {
    assertThat(js).hasSize(1);
    return js.get(0);
  }
}
