package io.awsauth.operator.testenv;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts the operator (a {@code @QuarkusTest}) against the {@link TestEnvironment}: the Quarkus
 * Kubernetes client is pointed at its API server through a kubeconfig file. Quarkus runs these
 * tests in a class loader of its own, with its own {@link TestEnvironment}: when this resource
 * started it, it stops it again when Quarkus stops the application, as {@link
 * TestEnvironmentExtension} does for the other tests.
 */
public class OperatorTestResource implements QuarkusTestResourceLifecycleManager {
  private boolean started;

  @Override
  public Map<String, String> start() {
    started = !TestEnvironment.running();
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
  public void stop() {
    if (started) {
      TestEnvironment.stop();
    }
  }
}
