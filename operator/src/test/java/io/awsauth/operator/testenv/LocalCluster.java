package io.awsauth.operator.testenv;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: gives a test the real API server and AWS emulator of {@link TestEnvironment}
 * (started once per JVM). Test methods and constructors may take a {@link TestEnvironment} or a
 * {@link KubernetesClient} parameter.
 */
public class LocalCluster implements BeforeAllCallback, ParameterResolver {
  @Override
  public void beforeAll(ExtensionContext context) {
    TestEnvironment.get();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestEnvironment.class || type == KubernetesClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    TestEnvironment env = TestEnvironment.get();
    return parameter.getParameter().getType() == TestEnvironment.class ? env : env.client();
  }
}
