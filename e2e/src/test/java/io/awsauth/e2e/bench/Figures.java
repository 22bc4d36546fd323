package io.awsauth.e2e.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one run, each with the baseline measured in that run (or none), the peer's figure
 * measured in that run (HashiCorp Vault with {@code --peer=vault}, or none) and the target it
 * counts toward (or none), and the targets judged on their worst figure: a target is met only when
 * every figure of this run that counts toward it meets it. A baseline or a peer's figure is only
 * ever something this run measured; a target or limit is only ever shown as a target, with where it
 * comes from.
 */
final class Figures {
  /**
   * What a target compares: the figure itself, the figure divided by its baseline, or the figure
   * divided by the peer's (Vault's) figure of the same run.
   */
  enum Basis {
    VALUE,
    RATIO,
    PEER_RATIO
  }

  enum Op {
    AT_MOST("≤"),
    BELOW("<"),
    AT_LEAST("≥"),
    EXACTLY("=");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    boolean holds(double x, double limit) {
      return switch (this) {
        case AT_MOST -> x <= limit;
        case BELOW -> x < limit;
        case AT_LEAST -> x >= limit;
        case EXACTLY -> x == limit;
      };
    }

    /** How far from meeting {@code limit} {@code x} is: the larger, the worse. */
    double shortfall(double x, double limit) {
      return switch (this) {
        case AT_MOST, BELOW -> x - limit;
        case AT_LEAST -> limit - x;
        case EXACTLY -> Math.abs(x - limit);
      };
    }
  }

  /**
   * A goal, never a measurement: {@code rule} as the report shows it (e.g. "p99 issuance latency ≤
   * 1.5× the SDK baseline"), {@code source} where it comes from (the issue, the chart's values).
   */
  record Target(String rule, String source, Basis basis, Op op, double limit, String unit) {
    /** The target's condition as a figure's row shows it, e.g. "≤ 1.5× baseline", "≤ 512 MiB". */
    String condition() {
      return op.symbol
          + " "
          + number(limit)
          + switch (basis) {
            case RATIO -> "× baseline";
            case PEER_RATIO -> "× Vault";
            case VALUE -> unit.isEmpty() ? "" : " " + unit;
          };
    }
  }

  /**
   * One figure: {@code value} in {@code unit} (null: not reached in this run), {@code baseline} the
   * same thing measured in this run without the operator (null: none), {@code vault} the same thing
   * done by the peer in this run (null: none, or no peer), {@code detail}, {@code baselineDetail}
   * and {@code vaultDetail} what the report says beside them (a null vaultDetail: the run had no
   * peer for this figure to be compared with); {@code peerTarget} a second target, judged against
   * the peer's figure (null: none, or no peer figure in this run).
   */
  record Figure(
      String name,
      Double value,
      String unit,
      String detail,
      Double baseline,
      String baselineDetail,
      Double vault,
      String vaultDetail,
      Target target,
      Target peerTarget) {
    Double ratio() {
      return ratio(baseline);
    }

    /** The operator's figure divided by the peer's, or null when there is none to divide by. */
    Double vaultRatio() {
      return ratio(vault);
    }

    private Double ratio(Double other) {
      if (value == null || other == null || other == 0 || !finite(value)) {
        return null;
      }
      double r = value / other;
      return finite(r) ? r : null;
    }

    /** What the target compares, or null when this run has nothing to compare. */
    Double judged() {
      return judged(target);
    }

    /** What {@code t} (this figure's target or peer target) compares, or null. */
    Double judged(Target t) {
      if (t == null) {
        return null;
      }
      Double x =
          switch (t.basis()) {
            case RATIO -> ratio();
            case PEER_RATIO -> vaultRatio();
            case VALUE -> value;
          };
      return x == null || !finite(x) ? null : x;
    }

    /** Whether this figure meets its target: null without one; false when not measured. */
    Boolean met() {
      return met(target);
    }

    /** Whether this figure meets {@code t}: null without it; false when not measured. */
    Boolean met(Target t) {
      if (t == null) {
        return null;
      }
      Double x = judged(t);
      return x != null && t.op().holds(x, t.limit());
    }
  }

  /** A target as this run judged it: on its worst figure (null: no figure of it measured). */
  record Judgement(Target target, List<Figure> figures, Figure worst) {
    Boolean met() {
      return worst == null ? null : worst.met(target);
    }
  }

  private final List<Figure> figures = new ArrayList<>();

  Figure add(
      String name,
      Double value,
      String unit,
      String detail,
      Double baseline,
      String baselineDetail,
      Target target) {
    return add(name, value, unit, detail, baseline, baselineDetail, null, null, target);
  }

  Figure add(
      String name,
      Double value,
      String unit,
      String detail,
      Double baseline,
      String baselineDetail,
      Double vault,
      String vaultDetail,
      Target target) {
    return add(
        name, value, unit, detail, baseline, baselineDetail, vault, vaultDetail, target, null);
  }

  /**
   * A figure with a second target judged against the peer's figure; that target is dropped when the
   * run has no peer figure for it (a run without the peer does not fail it).
   */
  Figure add(
      String name,
      Double value,
      String unit,
      String detail,
      Double baseline,
      String baselineDetail,
      Double vault,
      String vaultDetail,
      Target target,
      Target peerTarget) {
    if (figures.stream().anyMatch(f -> f.name().equals(name))) {
      throw new IllegalArgumentException("two figures named " + name);
    }
    Figure f =
        new Figure(
            name,
            value,
            unit,
            detail,
            baseline,
            baselineDetail,
            vault,
            vaultDetail,
            target,
            vault == null ? null : peerTarget);
    figures.add(f);
    return f;
  }

  List<Figure> all() {
    return List.copyOf(figures);
  }

  /**
   * The targets judged on this run: first {@code expected} in its order (one with no figure in this
   * run, e.g. its phase skipped, is not measured: met is null), then any other target a figure
   * counts toward. Each is judged on its worst figure; one that was not reached is worse than any
   * measured one.
   */
  List<Judgement> judgements(List<Target> expected) {
    Map<Target, List<Figure>> byTarget = new LinkedHashMap<>();
    expected.forEach(t -> byTarget.put(t, new ArrayList<>()));
    for (Figure f : figures) {
      if (f.target() != null) {
        byTarget.computeIfAbsent(f.target(), t -> new ArrayList<>()).add(f);
      }
      if (f.peerTarget() != null) {
        byTarget.computeIfAbsent(f.peerTarget(), t -> new ArrayList<>()).add(f);
      }
    }
    List<Judgement> out = new ArrayList<>();
    byTarget.forEach((t, fs) -> out.add(new Judgement(t, List.copyOf(fs), worst(t, fs))));
    return out;
  }

  static Figure worst(Target t, List<Figure> fs) {
    return fs.stream()
        .max(
            Comparator.comparingDouble(
                f ->
                    f.judged(t) == null
                        ? Double.POSITIVE_INFINITY
                        : t.op().shortfall(f.judged(t), t.limit())))
        .orElse(null);
  }

  /**
   * results.json: the run's options and load, every figure by name (value, unit, baseline, ratio,
   * vault, vaultRatio, target, met), and the targets, each met only if its worst figure in this run
   * meets it.
   */
  String json(Map<String, ?> run, List<Target> expected) {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = m.createObjectNode();
    root.set("run", m.valueToTree(run));
    ObjectNode fs = root.putObject("figures");
    for (Figure f : figures) {
      ObjectNode n = fs.putObject(f.name());
      putNumber(n, "value", f.value());
      n.put("unit", f.unit());
      putNumber(n, "baseline", f.baseline());
      putNumber(n, "ratio", f.ratio());
      putNumber(n, "vault", f.vault());
      putNumber(n, "vaultRatio", f.vaultRatio());
      if (f.target() == null) {
        n.putNull("target");
      } else {
        n.put("target", f.target().condition());
      }
      putBoolean(n, "met", f.met());
      if (f.peerTarget() != null) {
        n.put("peerTarget", f.peerTarget().condition());
        putBoolean(n, "peerMet", f.met(f.peerTarget()));
      }
      n.put("detail", f.detail());
      if (f.baselineDetail() == null) {
        n.putNull("baselineDetail");
      } else {
        n.put("baselineDetail", f.baselineDetail());
      }
      if (f.vaultDetail() == null) {
        n.putNull("vaultDetail");
      } else {
        n.put("vaultDetail", f.vaultDetail());
      }
    }
    ObjectNode ts = root.putObject("targets");
    for (Judgement j : judgements(expected)) {
      ObjectNode n = ts.putObject(j.target().rule());
      n.put("source", j.target().source());
      n.put("condition", j.target().condition());
      n.put("basis", j.target().basis().name().toLowerCase(Locale.ROOT));
      var names = n.putArray("figures");
      j.figures().forEach(f -> names.add(f.name()));
      if (j.worst() == null) {
        n.putNull("worst");
        n.putNull("worstJudged");
      } else {
        n.put("worst", j.worst().name());
        putNumber(n, "worstJudged", j.worst().judged(j.target()));
      }
      putBoolean(n, "met", j.met());
    }
    try {
      return m.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void putNumber(ObjectNode n, String field, Double v) {
    if (v == null || !finite(v)) {
      n.putNull(field);
    } else {
      n.put(field, v);
    }
  }

  private static void putBoolean(ObjectNode n, String field, Boolean v) {
    if (v == null) {
      n.putNull(field);
    } else {
      n.put(field, v);
    }
  }

  static boolean finite(double v) {
    return !Double.isNaN(v) && !Double.isInfinite(v);
  }

  /** 1.5 as "1.5", 512 as "512", 0.2 as "0.2". */
  static String number(double v) {
    return v == Math.rint(v)
        ? String.valueOf((long) v)
        : String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "");
  }
}
