package io.awsauth.operator.aws.sdk;

import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.StsGateway;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Builds AWS SDK clients from {@link AwsClientSettings}: one shared HTTP connection pool, the
 * settings' region, endpoints, retries and credentials, and per-call metrics.
 */
@ApplicationScoped
public class SdkClients {
  private final SdkHttpClient http;
  private final AwsCallMetrics metrics;

  public SdkClients(MeterRegistry registry) {
    this.http =
        ApacheHttpClient.builder()
            .maxConnections(64)
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(30))
            .build();
    this.metrics = new AwsCallMetrics(registry);
  }

  public StsGateway sts(AwsClientSettings settings) {
    return new SdkStsGateway(
        configure(StsClient.builder(), settings, settings.stsEndpoint()).build());
  }

  private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(
      B builder, AwsClientSettings settings, Optional<URI> endpoint) {
    ClientOverrideConfiguration.Builder override =
        ClientOverrideConfiguration.builder()
            .addExecutionInterceptor(metrics)
            .apiCallTimeout(Duration.ofSeconds(60));
    settings
        .maxRetries()
        .ifPresent(
            n ->
                override.retryStrategy(
                    AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(n + 1)
                        .build()));
    builder
        .region(Region.of(settings.region()))
        .credentialsProvider(settings.credentials())
        .overrideConfiguration(override.build());
    endpoint.ifPresent(builder::endpointOverride);
    builder.httpClient(http);
    return builder;
  }

  @PreDestroy
  void close() {
    http.close();
  }
}
