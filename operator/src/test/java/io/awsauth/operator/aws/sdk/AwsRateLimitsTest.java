package io.awsauth.operator.aws.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AwsRateLimitsTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Test
  void aFullBucketLetsOneSecondsWorthThroughThenSpacesCallsAtTheRate() {
    var bucket = new AwsRateLimits.TokenBucket(4, nanos::get);
    for (int i = 0; i < 4; i++) {
      assertThat(bucket.reserve()).as("call %d of the burst", i).isZero();
    }
    assertThat(bucket.reserve()).isEqualTo(250_000_000L);
    assertThat(bucket.reserve()).as("callers queue behind each other").isEqualTo(500_000_000L);
  }

  @Test
  void tokensComeBackWithTimeButNeverBeyondOneSecondsWorth() {
    var bucket = new AwsRateLimits.TokenBucket(2, nanos::get);
    bucket.reserve();
    bucket.reserve();
    nanos.addAndGet(500_000_000L);
    assertThat(bucket.reserve()).as("one token back after half a second").isZero();
    assertThat(bucket.reserve()).isPositive();
    nanos.addAndGet(60_000_000_000L);
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).as("an idle minute does not bank 120 calls").isPositive();
  }

  @Test
  void limitsArePerAccountAndServiceAndZeroTurnsThemOff() {
    var registry = new SimpleMeterRegistry();
    var limits = new AwsRateLimits(Map.of("iam", 1.0, "sts", 0.0), registry);
    limits.pace("111111111111", "Iam");
    limits.pace("222222222222", "Iam");
    for (int i = 0; i < 50; i++) {
      limits.pace("111111111111", "Sts");
    }
    assertThat(registry.find(AwsRateLimits.WAITED).counters()).isEmpty();
    long start = System.nanoTime();
    limits.pace("111111111111", "Iam");
    assertThat(System.nanoTime() - start)
        .as("the second IAM call of an account waits")
        .isPositive();
    assertThat(registry.get(AwsRateLimits.WAITED).tag("service", "iam").counter().count())
        .isGreaterThan(0.5);
  }
}
