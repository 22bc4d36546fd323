package io.awsauth.operator.aws.sdk;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Calls per second to each AWS service, per account: AWS throttles IAM, STS and EC2 per account, so
 * the operator paces itself below those limits instead of leaning on throttling errors and retries.
 * Every attempt (a retry too) takes a token; a caller without one waits for it. The wait is counted
 * in {@code aao_aws_rate_limited_seconds_total}. A limit of 0 turns pacing off for that service.
 */
public final class AwsRateLimits {
  static final String WAITED = "aao.aws.rate.limited.seconds";

  private final Map<String, Double> perSecond;
  private final MeterRegistry registry;
  private final LongSupplier nanoClock;
  private final Sleeper sleeper;
  private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  /** {@code perSecond}: service name as the SDK spells it, lower case ("iam", "sts", "ec2"). */
  public AwsRateLimits(Map<String, Double> perSecond, MeterRegistry registry) {
    this(perSecond, registry, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
  }

  /** With the clock the buckets refill by and the way a caller waits (tests: a mutable clock). */
  AwsRateLimits(
      Map<String, Double> perSecond,
      MeterRegistry registry,
      LongSupplier nanoClock,
      Sleeper sleeper) {
    this.perSecond = Map.copyOf(perSecond);
    this.registry = registry;
    this.nanoClock = nanoClock;
    this.sleeper = sleeper;
  }

  /** Waits {@code nanos} nanoseconds. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(long nanos) throws InterruptedException;
  }

  /** The interceptor for the clients of one account. */
  ExecutionInterceptor forAccount(String account) {
    return new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(
          Context.BeforeTransmission context, ExecutionAttributes attributes) {
        pace(account, attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME));
      }
    };
  }

  /** Takes a token for one call of {@code service} in {@code account}, waiting when needed. */
  void pace(String account, String service) {
    String name = service == null ? "" : service.toLowerCase(Locale.ROOT);
    double rate = perSecond.getOrDefault(name, 0.0);
    if (rate <= 0) {
      return;
    }
    long waitNanos =
        buckets
            .computeIfAbsent(account + "/" + name, k -> new TokenBucket(rate, nanoClock))
            .reserve();
    if (waitNanos <= 0) {
      return;
    }
    registry.counter(WAITED, "service", name).increment(waitNanos / 1e9);
    try {
      sleeper.sleep(waitNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A token bucket holding at most one second's worth of tokens; reserving a token that is not
   * there yet returns how long to wait for it (callers queue in the order they reserved).
   */
  static final class TokenBucket {
    private final double perSecond;
    private final LongSupplier nanoClock;
    private double tokens;
    private long last;

    TokenBucket(double perSecond, LongSupplier nanoClock) {
      this.perSecond = perSecond;
      this.nanoClock = nanoClock;
      this.tokens = Math.max(1, perSecond);
      this.last = nanoClock.getAsLong();
    }

    synchronized long reserve() {
      long now = nanoClock.getAsLong();
      tokens = Math.min(Math.max(1, perSecond), tokens + (now - last) / 1e9 * perSecond);
      last = now;
      tokens -= 1;
      return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perSecond * 1e9);
    }
  }
}
