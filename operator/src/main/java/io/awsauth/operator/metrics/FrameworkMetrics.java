package io.awsauth.operator.metrics;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * JOSDK's own metrics (reconciliations, retries, queue) per controller, not per resource.
 *
 * <p>quarkus-operator-sdk's default collects them per resource: a counter and timer series, each
 * with its own histogram, for every AwsCredentialRequest, about 12 KiB of heap per request and as
 * many Prometheus series. At 10,000 requests that was more memory than all the caches together, and
 * every scrape rendered it. Per-request state is in {@code aao_leases}.
 */
public class FrameworkMetrics {
  @Produces
  @Singleton
  Metrics metrics(MeterRegistry registry) {
    return MicrometerMetrics.withoutPerResourceMetrics(registry);
  }
}
