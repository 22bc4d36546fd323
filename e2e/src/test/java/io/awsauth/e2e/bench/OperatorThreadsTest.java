package io.awsauth.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorThreadsTest {
  @TempDir Path repo;

  @Test
  void theThreadsAreTheShippedOnesUnlessTheRunSetsThem() throws Exception {
    shipped("quarkus.banner.enabled=false\n" + OperatorThreads.PROPERTY + " = 7\n");

    assertThat(OperatorThreads.of(repo, Map.of())).isEqualTo(7);
    assertThat(OperatorThreads.of(repo, Map.of(OperatorThreads.PROPERTY, "20"))).isEqualTo(20);
  }

  @Test
  void anOperatorThatShipsNoThreadCountIsAnError() throws Exception {
    shipped("quarkus.banner.enabled=false\n");

    assertThatThrownBy(() -> OperatorThreads.of(repo, Map.of()))
        .hasMessageContaining("sets no " + OperatorThreads.PROPERTY);
  }

  private void shipped(String properties) throws Exception {
    Path file = repo.resolve("operator/src/main/resources/application.properties");
    Files.createDirectories(file.getParent());
    Files.writeString(file, properties);
  }
}
