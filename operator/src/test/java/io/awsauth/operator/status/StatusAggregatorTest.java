package io.awsauth.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigReason;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigStatus;
import io.awsauth.operator.api.v1alpha1.AwsReason;
import io.awsauth.operator.api.v1alpha1.DependencyReason;
import io.awsauth.operator.testenv.MutableClock;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** One reconcile's status, built once, over a clock the test moves. */
class StatusAggregatorTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private final MutableClock clock = new MutableClock(T0);
  private final Conditions conditions = new Conditions(clock);

  private static AwsAuthConfig config(long generation) {
    AwsAuthConfig config = new AwsAuthConfig();
    config.setMetadata(
        new ObjectMetaBuilder().withName("default").withGeneration(generation).build());
    return config;
  }

  private StatusAggregator<AwsAuthConfig, AwsAuthConfigStatus> begin(AwsAuthConfig config) {
    return StatusAggregator.of(config, AwsAuthConfigStatus::new, conditions);
  }

  private static Condition ready(AwsAuthConfig config) {
    return config.getStatus().condition(Conditions.READY).orElseThrow();
  }

  @Test
  void aFirstReconcileWritesItsConditionsAndGeneration() {
    AwsAuthConfig config = config(3);
    var status = begin(config);
    status.condition(Conditions.READY, true, AwsAuthConfigReason.CallerVerified, "as arn:x");

    status.build(true);

    assertThat(status.before()).isNull();
    assertThat(config.getStatus().observedGeneration).isEqualTo(3L);
    assertThat(ready(config).getStatus()).isEqualTo("True");
    assertThat(ready(config).getReason()).isEqualTo("CallerVerified");
    assertThat(ready(config).getMessage()).isEqualTo("as arn:x");
    assertThat(ready(config).getObservedGeneration()).isEqualTo(3L);
    assertThat(ready(config).getLastTransitionTime()).isEqualTo("2026-12-01T10:00:00Z");
    assertThat(status.updateControl().isPatchStatus()).isTrue();
  }

  @Test
  void theSameOutcomeLaterKeepsItsTransitionTimeAndIsNotWritten() {
    AwsAuthConfig config = config(1);
    begin(config)
        .condition(Conditions.READY, false, DependencyReason.SecretNotFound, "no Secret")
        .build(true);

    clock.advance(Duration.ofMinutes(10));
    var again = begin(config);
    again.condition(Conditions.READY, false, DependencyReason.SecretNotFound, "no Secret");
    again.build(true);

    assertThat(ready(config).getLastTransitionTime()).isEqualTo("2026-12-01T10:00:00Z");
    assertThat(again.changed()).isFalse();
    assertThat(again.updateControl().isNoUpdate()).isTrue();
    assertThat(again.errorStatusUpdateControl().getResource()).isEmpty();
  }

  @Test
  void anotherReasonWithTheSameStatusKeepsTheTransitionTimeButIsWritten() {
    AwsAuthConfig config = config(1);
    begin(config)
        .condition(Conditions.READY, false, DependencyReason.SecretNotFound, "no Secret")
        .build(true);

    clock.advance(Duration.ofMinutes(1));
    var again = begin(config);
    again
        .condition(Conditions.READY, false, AwsReason.InvalidCredentials, "unknown key")
        .build(true);

    assertThat(ready(config).getReason()).isEqualTo("InvalidCredentials");
    assertThat(ready(config).getLastTransitionTime()).isEqualTo("2026-12-01T10:00:00Z");
    assertThat(again.updateControl().isPatchStatus()).isTrue();
  }

  @Test
  void aFlipMovesTheTransitionTime() {
    AwsAuthConfig config = config(1);
    begin(config)
        .condition(Conditions.READY, false, DependencyReason.SecretNotFound, "no Secret")
        .build(true);

    clock.advance(Duration.ofSeconds(90));
    var again = begin(config);
    again.condition(Conditions.READY, true, AwsAuthConfigReason.CallerVerified, "ok").build(true);

    assertThat(ready(config).getStatus()).isEqualTo("True");
    assertThat(ready(config).getLastTransitionTime()).isEqualTo("2026-12-01T10:01:30Z");
    assertThat(again.updateControl().isPatchStatus()).isTrue();
  }

  @Test
  void theLastRecordOfATypeWins() {
    AwsAuthConfig config = config(1);
    begin(config)
        .condition(Conditions.READY, true, AwsAuthConfigReason.CallerVerified, "ok")
        .condition("Other", true, AwsAuthConfigReason.CallerVerified, "ok")
        .condition(Conditions.READY, false, AwsReason.AccessDenied, "denied")
        .build(true);

    assertThat(config.getStatus().conditions)
        .extracting(Condition::getType)
        .containsExactly("Other", "Ready");
    assertThat(ready(config).getReason()).isEqualTo("AccessDenied");
  }

  @Test
  void aRemovedConditionLeavesTheStatusUnlessRecordedAgain() {
    AwsAuthConfig config = config(1);
    begin(config)
        .condition("RevocationFailed", true, AwsReason.AccessDenied, "denied")
        .condition(Conditions.READY, true, AwsAuthConfigReason.CallerVerified, "ok")
        .build(true);

    var next = begin(config);
    next.remove("RevocationFailed").build(true);
    assertThat(config.getStatus().conditions)
        .extracting(Condition::getType)
        .containsExactly("Ready");
    assertThat(next.changed()).isTrue();

    begin(config)
        .remove("RevocationFailed")
        .condition("RevocationFailed", true, AwsReason.AccessDenied, "again")
        .build(true);
    assertThat(config.getStatus().condition("RevocationFailed")).isPresent();
  }

  @Test
  void aFailedReconcileDoesNotClaimTheNewGeneration() {
    AwsAuthConfig config = config(1);
    begin(config)
        .condition(Conditions.READY, true, AwsAuthConfigReason.CallerVerified, "ok")
        .build(true);
    config.getMetadata().setGeneration(2L);

    var failed = begin(config);
    failed.condition(Conditions.READY, false, AwsReason.AwsUnavailable, "throttled").build(false);

    assertThat(config.getStatus().observedGeneration).isEqualTo(1L);
    assertThat(ready(config).getObservedGeneration()).isEqualTo(2L);
    assertThat(failed.errorStatusUpdateControl().getResource()).contains(config);
  }

  @Test
  void theStatusIsBuiltOnce() {
    var status = begin(config(1));
    assertThatThrownBy(status::updateControl).isInstanceOf(IllegalStateException.class);
    status.build(true);
    assertThatThrownBy(() -> status.build(true)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () -> status.condition(Conditions.READY, true, AwsAuthConfigReason.CallerVerified, ""))
        .isInstanceOf(IllegalStateException.class);
  }
}
