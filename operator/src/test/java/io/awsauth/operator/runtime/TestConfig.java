package io.awsauth.operator.runtime;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;

/** The operator's settings as Quarkus would map them, from the given properties only. */
public final class TestConfig {
  private TestConfig() {}

  /** Every setting at its default. */
  public static OperatorConfig defaults() {
    return of(Map.of());
  }

  public static OperatorConfig of(Map<String, String> properties) {
    return new SmallRyeConfigBuilder()
        // Expressions expanded, as in Quarkus: the leader-election defaults are ${...}.
        .addDefaultInterceptors()
        .withMapping(OperatorConfig.class)
        // Quarkus's converter, which reads "20s" as well as ISO-8601.
        .withConverter(Duration.class, 200, new DurationConverter())
        .withSources(new PropertiesConfigSource(properties, "test", 400))
        .build()
        .getConfigMapping(OperatorConfig.class);
  }
}
