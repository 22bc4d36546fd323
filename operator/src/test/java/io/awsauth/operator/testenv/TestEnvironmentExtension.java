package io.awsauth.operator.testenv;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Set;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension owning the process lifecycle of the {@link TestEnvironment} in a test JVM: the
 * one place that starts what Java starts for the tests and stops it again, whether the tests pass
 * or fail.
 *
 * <ul>
 *   <li>The environment starts once per JVM, at the first class that uses it, and is stopped when
 *       the root {@link ExtensionContext} closes (the end of the run): its client and, with {@code
 *       -De2e.cluster=k3s}, the K3s container. The components {@code e2e/local-env up} started stay
 *       up: bash owns them, later test JVMs reuse them, {@code e2e/local-env down} stops them.
 *   <li>Every {@link OperatorProcess} a class started and left running (a failed assertion inside a
 *       try-with-resources closes it already; a failure between two of a suite's replicas, in
 *       {@code @BeforeAll} or in a helper does not) is stopped when that class ends, after its
 *       {@code @AfterAll} methods; whatever is left at the end of the run is stopped with the
 *       environment.
 * </ul>
 *
 * <p>Test methods and constructors may take a {@link TestEnvironment} or a {@link KubernetesClient}
 * parameter. {@code @QuarkusTest} classes get the environment through {@link OperatorTestResource}
 * instead (Quarkus runs them in a class loader of its own, where it is the owner).
 */
public final class TestEnvironmentExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(TestEnvironmentExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    ownEnvironment(context);
    context.getStore(NAMESPACE).put(ClassProcesses.class, new ClassProcesses());
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestEnvironment.class || type == KubernetesClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ownEnvironment(context);
    TestEnvironment env = TestEnvironment.get();
    return parameter.getParameter().getType() == TestEnvironment.class ? env : env.client();
  }

  private static void ownEnvironment(ExtensionContext context) {
    context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(Run.class, key -> new Run(), Run.class);
  }

  /** The whole run's environment: closed by JUnit when the root context closes. */
  private static final class Run implements AutoCloseable {
    Run() {
      TestEnvironment.get();
    }

    @Override
    public void close() {
      try {
        OperatorProcess.stopAll(OperatorProcess.running());
      } finally {
        TestEnvironment.stop();
      }
    }
  }

  /** The operator processes running before a class began; the class owns any others. */
  private static final class ClassProcesses implements AutoCloseable {
    private final Set<OperatorProcess> before = OperatorProcess.running();

    @Override
    public void close() {
      Set<OperatorProcess> started = OperatorProcess.running();
      started.removeAll(before);
      OperatorProcess.stopAll(started);
    }
  }
}
