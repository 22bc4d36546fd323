package io.awsauth.operator.testenv;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts the operator (a {@code @QuarkusTest}) against the {@link TestEnvironment}: the Quarkus
 * Kubernetes client is pointed at its API server through a kubeconfig file.
 */
public class OperatorTestResource implements QuarkusTestResourceLifecycleManager {
  @Override
  public Map<String, String> start() {
    TestEnvironment env = TestEnvironment.get();
    try {
      Path kubeconfig = Files.createTempFile("aao-it-kubeconfig", ".yaml");
      Files.writeString(kubeconfig, env.kubeconfig());
      kubeconfig.toFile().deleteOnExit();
      System.setProperty("kubeconfig", kubeconfig.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of();
  }

  @Override
  public void stop() {}
}
