package io.awsauth.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The memory limit and heap the benchmark's memory target and -Xmx come from: the chart's. */
class ChartJvmTest {
  private static final String VALUES =
      """
      # -- resources
      podResources:
        limits:
          memory: 64Mi
      resources:
        requests:
          cpu: 100m
          memory: 256Mi
        limits:
          cpu: "1"
          memory: 1Gi

      podSecurityContext:
        runAsNonRoot: true
      """;

  @Test
  void theMemoryLimitIsResourcesLimitsMemoryNotTheRequestNorAnotherSection() {
    assertThat(ChartJvm.memoryLimitMib(VALUES)).isEqualTo(1024);
    assertThat(ChartJvm.memoryLimitMib("resources:\n  limits:\n    memory: 512Mi\n"))
        .isEqualTo(512);
    assertThatThrownBy(() -> ChartJvm.memoryLimitMib("resources:\n  requests:\n    memory: 1Gi\n"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void thePodsHeapIsTheLimitTimesMaxRamPercentage() {
    assertThat(ChartJvm.podHeapMib(512, List.of("-XX:MaxRAMPercentage=75.0", "-XX:+UseSerialGC")))
        .isEqualTo(384);
    assertThat(ChartJvm.podHeapMib(512, List.of("-XX:+UseSerialGC")))
        .as("the JVM's default, 25 %")
        .isEqualTo(128);
  }

  @Test
  void theChartInThisRepositoryGivesTheFiguresTheBenchmarkUses() {
    Path repo = Path.of(System.getProperty("aao.repo.root"));
    long limit = ChartJvm.memoryLimitMib(repo);
    assertThat(limit).isPositive();
    assertThat(ChartJvm.podHeapMib(repo)).isLessThan(limit);
  }
}
