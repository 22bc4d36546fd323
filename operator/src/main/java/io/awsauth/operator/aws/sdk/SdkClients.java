package io.awsauth.operator.aws.sdk;

import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.AwsClients;
import io.awsauth.operator.aws.AwsCredentials;
import io.awsauth.operator.aws.Ec2Gateway;
import io.awsauth.operator.aws.IamGateway;
import io.awsauth.operator.aws.ProxySettings;
import io.awsauth.operator.aws.StsGateway;
import io.awsauth.operator.faults.CrashPoints;
import io.awsauth.operator.runtime.OperatorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.apache.ProxyConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Builds AWS SDK clients from {@link AwsClientSettings}: one shared HTTP connection pool and timer
 * thread pool, the settings' region, endpoints, retries and credentials, and per-call metrics.
 * Clients are kept per settings fingerprint: building one per reconcile would cost more than the
 * call it makes.
 */
@ApplicationScoped
public class SdkClients implements AwsClients {
  private static final int MAX_CACHED_CLIENTS = 256;

  private final SdkHttpClient http;
  private final AwsCallMetrics metrics;
  private final Optional<CrashPointInterceptor> crashPoints;
  private final ScheduledExecutorService timers =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "aws-sdk-timers");
            t.setDaemon(true);
            return t;
          });

  private final Map<String, SdkClient> cache =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SdkClient> eldest) {
          if (size() > MAX_CACHED_CLIENTS) {
            eldest.getValue().close();
            return true;
          }
          return false;
        }
      };

  /** The web-identity providers, per settings fingerprint: shared by that settings' clients. */
  private final Map<String, WebIdentityCredentials> webIdentities =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, WebIdentityCredentials> eldest) {
          if (size() > MAX_CACHED_CLIENTS) {
            eldest.getValue().close();
            return true;
          }
          return false;
        }
      };

  private final AwsRateLimits limits;

  @Inject
  public SdkClients(MeterRegistry registry, CrashPoints crashPoints, OperatorConfig config) {
    this(registry, crashPoints, config, httpClient(ProxySettings.fromEnvironment()));
  }

  /** With another HTTP client: tests see the requests the SDK would send, with no network. */
  SdkClients(
      MeterRegistry registry, CrashPoints crashPoints, OperatorConfig config, SdkHttpClient http) {
    OperatorConfig.Aws.RateLimit perSecond = config.aws().rateLimit();
    this.limits =
        new AwsRateLimits(
            Map.of("iam", perSecond.iam(), "sts", perSecond.sts(), "ec2", perSecond.ec2()),
            registry);
    this.http = http;
    this.metrics = new AwsCallMetrics(registry);
    this.crashPoints =
        crashPoints.enabled()
            ? Optional.of(new CrashPointInterceptor(crashPoints))
            : Optional.empty();
  }

  /**
   * The HTTP client of every SDK client: HTTPS_PROXY/HTTP_PROXY/NO_PROXY as the proof sender reads
   * them ({@link ProxySettings}, through {@link ProxyRoutePlanner}); the SDK's own reading of them
   * (one proxy for every scheme) is turned off.
   */
  static SdkHttpClient httpClient(ProxySettings proxies) {
    return ApacheHttpClient.builder()
        .maxConnections(64)
        .connectionTimeout(Duration.ofSeconds(5))
        .socketTimeout(Duration.ofSeconds(30))
        .proxyConfiguration(
            ProxyConfiguration.builder()
                .useSystemPropertyValues(false)
                .useEnvironmentVariableValues(false)
                .build())
        .httpRoutePlanner(new ProxyRoutePlanner(proxies))
        .build();
  }

  @Override
  public StsGateway sts(AwsClientSettings settings) {
    return new SdkStsGateway(cached("sts/" + settings.fingerprint(), () -> stsClient(settings)));
  }

  @Override
  public IamGateway iam(AwsClientSettings settings) {
    return new SdkIamGateway(
        cached(
            "iam/" + settings.fingerprint(),
            () ->
                configure(IamClient.builder(), settings, settings.region(), settings.iamEndpoint())
                    .build()));
  }

  /** EC2 in {@code region} (an instance's, which may differ from the settings' own region). */
  @Override
  public Ec2Gateway ec2(AwsClientSettings settings, String region) {
    return new SdkEc2Gateway(
        cached(
            "ec2/" + region + "/" + settings.fingerprint(),
            () ->
                configure(Ec2Client.builder(), settings, region, settings.ec2Endpoint()).build()));
  }

  /**
   * Calls STS once with settings that will not be used again (for example a freshly issued key):
   * the client is closed afterwards instead of being kept.
   */
  @Override
  public <T> T withSts(AwsClientSettings settings, Function<StsGateway, T> call) {
    try (StsClient sts = stsClient(settings)) {
      return call.apply(new SdkStsGateway(sts));
    }
  }

  @SuppressWarnings("unchecked")
  private <C extends SdkClient> C cached(String key, Supplier<C> build) {
    synchronized (cache) {
      return (C) cache.computeIfAbsent(key, k -> build.get());
    }
  }

  @Override
  public AwsCredentials.RoleSession assumedRole(
      AwsClientSettings base, String roleArn, String sessionName, Optional<String> externalId) {
    StsClient sts = stsClient(base);
    StsAssumeRoleCredentialsProvider provider =
        StsAssumeRoleCredentialsProvider.builder()
            .stsClient(sts)
            .refreshRequest(
                r -> {
                  r.roleArn(roleArn).roleSessionName(sessionName).durationSeconds(3600);
                  externalId.ifPresent(r::externalId);
                })
            .prefetchTime(Duration.ofMinutes(10))
            .staleTime(Duration.ofMinutes(2))
            .build();
    return new AssumedRoleCredentials(roleArn, provider, sts);
  }

  /** An assumed role's refreshing credentials and the STS client that refreshes them. */
  record AssumedRoleCredentials(
      String roleArn, StsAssumeRoleCredentialsProvider provider, StsClient sts)
      implements AwsCredentials.RoleSession {
    @Override
    public void close() {
      provider.close();
      sts.close();
    }
  }

  /**
   * STS at the regional endpoint of {@link AwsClientSettings#stsClientRegion()}: the SDK resolves a
   * region's own endpoint (the global one only for the pseudo-region aws-global, which the schema
   * does not admit), in the region's partition, with the FIPS and dual-stack variants asked for.
   */
  private StsClient stsClient(AwsClientSettings settings) {
    return configure(
            StsClient.builder(), settings, settings.stsClientRegion(), settings.stsEndpoint())
        .build();
  }

  /**
   * The settings' credentials, retries and interceptors, in {@code region}. An endpoint URL is used
   * as it is; without one the SDK resolves the region's endpoint, FIPS and dual-stack as the
   * settings say (set on every client, so that AWS_USE_FIPS_ENDPOINT and the like in the operator's
   * environment do not decide instead of the AwsAuthConfig).
   */
  private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(
      B builder, AwsClientSettings settings, String region, Optional<URI> endpoint) {
    ClientOverrideConfiguration.Builder override =
        ClientOverrideConfiguration.builder()
            .addExecutionInterceptor(limits.forAccount(settings.account()))
            .addExecutionInterceptor(metrics)
            .scheduledExecutorService(timers)
            .apiCallTimeout(Duration.ofSeconds(60));
    crashPoints.ifPresent(override::addExecutionInterceptor);
    settings
        .maxRetries()
        .ifPresent(
            n ->
                override.retryStrategy(
                    AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(n + 1)
                        .build()));
    builder
        .region(Region.of(region))
        .credentialsProvider(provider(settings))
        .overrideConfiguration(override.build());
    if (endpoint.isPresent()) {
      // The SDK refuses FIPS or dual-stack with a custom endpoint: the URL is the choice.
      builder.endpointOverride(endpoint.get()).fipsEnabled(false).dualstackEnabled(false);
    } else {
      builder.fipsEnabled(settings.fips()).dualstackEnabled(settings.dualstack());
    }
    builder.httpClient(http);
    return builder;
  }

  /**
   * The provider of the settings' credentials. Web identity: one provider per settings, whose STS
   * client (anonymous: AssumeRoleWithWebIdentity is unsigned) has the settings' STS region,
   * endpoint, FIPS and dual-stack choices, retries and the shared HTTP client (its proxies), like
   * every other STS client of the operator.
   */
  private AwsCredentialsProvider provider(AwsClientSettings settings) {
    if (settings.credentials() instanceof AwsCredentials.WebIdentity w) {
      String key = settings.fingerprint() + "/" + w;
      synchronized (webIdentities) {
        WebIdentityCredentials existing = webIdentities.get(key);
        if (existing != null) {
          return existing;
        }
      }
      StsClient sts =
          configure(
                  StsClient.builder(),
                  settings.withCredentials(AwsCredentials.defaultChain(), settings.fingerprint()),
                  settings.stsClientRegion(),
                  settings.stsEndpoint())
              .credentialsProvider(AnonymousCredentialsProvider.create())
              .build();
      WebIdentityCredentials built = new WebIdentityCredentials(w, sts);
      synchronized (webIdentities) {
        WebIdentityCredentials raced = webIdentities.putIfAbsent(key, built);
        if (raced != null) {
          built.close();
          return raced;
        }
        return built;
      }
    }
    return provider(settings.credentials());
  }

  @Override
  public void renewCredentials(AwsClientSettings settings) {
    if (settings.credentials() instanceof AwsCredentials.WebIdentity w) {
      WebIdentityCredentials provider;
      synchronized (webIdentities) {
        provider = webIdentities.get(settings.fingerprint() + "/" + w);
      }
      if (provider != null) {
        provider.renew();
      }
    }
  }

  private static final AwsCredentialsProvider DEFAULT_CHAIN =
      DefaultCredentialsProvider.builder().build();

  /** The SDK provider for a credentials value. */
  static AwsCredentialsProvider provider(AwsCredentials credentials) {
    if (credentials instanceof AwsCredentials.Static s) {
      return StaticCredentialsProvider.create(
          s.sessionToken().isPresent()
              ? AwsSessionCredentials.create(
                  s.accessKeyId(), s.secretAccessKey(), s.sessionToken().get())
              : AwsBasicCredentials.create(s.accessKeyId(), s.secretAccessKey()));
    }
    if (credentials instanceof AwsCredentials.Refreshing r) {
      return ((AssumedRoleCredentials) r.session()).provider();
    }
    if (credentials instanceof AwsCredentials.WebIdentity) {
      throw new IllegalArgumentException("web identity credentials need their client settings");
    }
    return DEFAULT_CHAIN;
  }

  @PreDestroy
  void close() {
    synchronized (cache) {
      cache.values().forEach(SdkClient::close);
      cache.clear();
    }
    synchronized (webIdentities) {
      webIdentities.values().forEach(WebIdentityCredentials::close);
      webIdentities.clear();
    }
    timers.shutdownNow();
    http.close();
  }
}
