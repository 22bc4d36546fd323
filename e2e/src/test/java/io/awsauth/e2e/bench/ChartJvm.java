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

  private static String values(Path repo) {
    try {
      return Files.readString(repo.resolve("helm/aws-auth-operator/values.yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
