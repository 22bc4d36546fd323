package io.awsauth.e2e.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM settings the Helm chart gives the operator (values.yaml {@code jvmOptions} and {@code
 * mallocArenaMax}), so that the benchmark measures the operator as it runs in its pod.
 */
final class ChartJvm {
  private static final Pattern JVM_OPTIONS =
      Pattern.compile("(?m)^jvmOptions:\\s*\"([^\"]*)\"\\s*$");
  private static final Pattern ARENAS = Pattern.compile("(?m)^mallocArenaMax:\\s*(\\d+)\\s*$");
  private static final Pattern QUANTITY =
      Pattern.compile("^\\s*memory:\\s*\"?(\\d+)(Mi|Gi)\"?\\s*$");
  private static final Pattern RAM_PERCENTAGE = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)");

  private ChartJvm() {}

  static List<String> options(Path repo) {
    Matcher m = JVM_OPTIONS.matcher(values(repo));
    if (!m.find()) {
      throw new IllegalStateException("no jvmOptions in the chart's values.yaml");
    }
    return List.of(m.group(1).trim().split("\\s+"));
  }

  static Map<String, String> env(Path repo) {
    Matcher m = ARENAS.matcher(values(repo));
    return m.find() ? Map.of("MALLOC_ARENA_MAX", m.group(1)) : Map.of();
  }

  /** The container's memory limit in MiB: resources.limits.memory of the chart's values. */
  static long memoryLimitMib(Path repo) {
    return memoryLimitMib(values(repo));
  }

  static long memoryLimitMib(String values) {
    String section = null;
    String sub = null;
    for (String line : values.split("\n")) {
      if (line.isBlank() || line.trim().startsWith("#")) {
        continue;
      }
      if (!line.startsWith(" ")) {
        section = line.trim();
        sub = null;
      } else if (line.startsWith("  ") && !line.startsWith("   ")) {
        sub = line.trim();
      } else if ("resources:".equals(section) && "limits:".equals(sub)) {
        Matcher m = QUANTITY.matcher(line);
        if (m.matches()) {
          long n = Long.parseLong(m.group(1));
          return m.group(2).equals("Gi") ? n * 1024 : n;
        }
      }
    }
    throw new IllegalStateException("no resources.limits.memory (Mi or Gi) in the chart's values");
  }

  /**
   * The heap the JVM gets in the chart's pod, in MiB: the memory limit times the jvmOptions'
   * MaxRAMPercentage (the JVM's default, 25 %, without one).
   */
  static long podHeapMib(Path repo) {
    return podHeapMib(memoryLimitMib(repo), options(repo));
  }

  static long podHeapMib(long limitMib, List<String> options) {
    double percent = 25;
    for (String o : options) {
      Matcher m = RAM_PERCENTAGE.matcher(o);
      if (m.matches()) {
        percent = Double.parseDouble(m.group(1));
      }
    }
    return (long) Math.floor(limitMib * percent / 100);
  }

  private static String values(Path repo) {
    try {
      return Files.readString(repo.resolve("helm/aws-auth-operator/values.yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
