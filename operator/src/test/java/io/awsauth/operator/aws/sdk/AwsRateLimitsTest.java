package io.awsauth.operator.aws.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
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
    List<Long> slept = new ArrayList<>();
    var limits =
        new AwsRateLimits(
            Map.of("iam", 1.0, "sts", 0.0),
            registry,
            nanos::get,
            wait -> {
              slept.add(wait);
              nanos.addAndGet(wait);
            });
    limits.pace("111111111111", "Iam");
    limits.pace("222222222222", "Iam");
    for (int i = 0; i < 50; i++) {
      limits.pace("111111111111", "Sts");
      limits.pace("111111111111", "Ec2");
    }
    assertThat(slept)
        .as("each account's first IAM call, STS at 0 and EC2 without a limit go at once")
        .isEmpty();
    assertThat(registry.find(AwsRateLimits.WAITED).counters()).isEmpty();

    limits.pace("111111111111", "Iam");
    assertThat(slept)
        .as("the second IAM call of an account in the same instant waits a whole second")
        .containsExactly(1_000_000_000L);
    assertThat(registry.get(AwsRateLimits.WAITED).tag("service", "iam").counter().count())
        .isEqualTo(1.0);

    limits.pace("111111111111", "Iam");
    assertThat(slept)
        .as("right after that wait the next call waits again: the waiter took the token")
        .containsExactly(1_000_000_000L, 1_000_000_000L);
    nanos.addAndGet(1_000_000_000L);
    limits.pace("111111111111", "Iam");
    assertThat(slept).as("a second later a token is there").hasSize(2);
    assertThat(registry.get(AwsRateLimits.WAITED).tag("service", "iam").counter().count())
        .isEqualTo(2.0);
  }
}
