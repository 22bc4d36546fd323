package io.awsauth.e2e.bench;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The operator's reconcile threads in this run: {@code --operator-prop} if it sets them, else what
 * the operator ships with (operator/src/main/resources/application.properties), so that the
 * baseline and the peer run at the operator's own concurrency.
 */
final class OperatorThreads {
  static final String PROPERTY = "quarkus.operator-sdk.concurrent-reconciliation-threads";

  private OperatorThreads() {}

  static int of(Path repo, Map<String, String> operatorProps) {
    String given = operatorProps.get(PROPERTY);
    if (given != null) {
      return Integer.parseInt(given.trim());
    }
    Path file = repo.resolve("operator/src/main/resources/application.properties");
    Properties shipped = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      shipped.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String value = shipped.getProperty(PROPERTY);
    if (value == null) {
      throw new IllegalStateException(
          file + " sets no " + PROPERTY + ": the benchmark would not know the operator's threads");
    }
    return Integer.parseInt(value.trim());
  }
}
