package io.awsauth.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfigReason;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.api.v1alpha1.AwsReason;
import io.awsauth.operator.api.v1alpha1.DependencyReason;
import io.awsauth.operator.api.v1alpha1.Reason;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void keepsTransitionTimeWhileStatusIsUnchanged() {
    AwsAuthConfigStatus status = new AwsAuthConfigStatus();
    new Conditions(Clock.fixed(T0, ZoneOffset.UTC))
        .set(status, 1, "Ready", false, DependencyReason.SecretNotFound, "first");
    new Conditions(Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC))
        .set(status, 2, "Ready", false, AwsReason.InvalidCredentials, "second");

    Condition ready = status.condition("Ready").orElseThrow();
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(ready.getReason()).isEqualTo("InvalidCredentials");
    assertThat(ready.getMessage()).isEqualTo("second");
    assertThat(ready.getObservedGeneration()).isEqualTo(2L);
  }

  @Test
  void movesTransitionTimeWhenStatusFlips() {
    AwsAuthConfigStatus status = new AwsAuthConfigStatus();
    new Conditions(Clock.fixed(T0, ZoneOffset.UTC))
        .set(status, 1, "Ready", false, DependencyReason.AuthConfigNotReady, "");
    new Conditions(Clock.fixed(T0.plusSeconds(90), ZoneOffset.UTC))
        .set(status, 1, "Ready", true, AwsAuthConfigReason.CallerVerified, "ok");

    assertThat(status.condition("Ready").orElseThrow().getLastTransitionTime())
        .isEqualTo("2026-01-01T00:01:30Z");
    assertThat(status.isTrue("Ready")).isTrue();
  }

  @Test
  void keepsOneConditionPerTypeSortedByType() {
    AwsAuthConfigStatus status = new AwsAuthConfigStatus();
    Conditions conditions = new Conditions(Clock.fixed(T0, ZoneOffset.UTC));
    conditions.set(status, 1, "Ready", false, DependencyReason.AuthConfigNotReady, "");
    conditions.set(status, 1, "Issued", true, AwsCredentialRequestReason.Issued, "");
    conditions.set(status, 1, "Ready", true, AwsCredentialRequestReason.CredentialReady, "");

    assertThat(status.conditions).extracting(Condition::getType).containsExactly("Issued", "Ready");
  }

  @Test
  void unchangedConditionMeansNoStatusWrite() {
    AwsAuthConfigStatus status = new AwsAuthConfigStatus();
    Conditions conditions = new Conditions(Clock.fixed(T0, ZoneOffset.UTC));
    conditions.set(status, 1, "Ready", true, AwsAuthConfigReason.CallerVerified, "ok");
    var before = StatusUpdates.snapshot(status);

    new Conditions(Clock.fixed(T0.plusSeconds(300), ZoneOffset.UTC))
        .set(status, 1, "Ready", true, AwsAuthConfigReason.CallerVerified, "ok");

    assertThat(StatusUpdates.changed(before, status)).isFalse();
  }

  @Test
  void rejectsReasonsThatAreNotCamelCase() {
    Conditions conditions = new Conditions(Clock.systemUTC());
    assertThatThrownBy(
            () ->
                conditions.set(
                    new AwsAuthConfigStatus(),
                    1,
                    "Ready",
                    false,
                    new Reason() {
                      @Override
                      public String name() {
                        return "not ready";
                      }

                      @Override
                      public Recheck recheck() {
                        return Recheck.WAIT_FOR_CHANGE;
                      }

                      @Override
                      public String description() {
                        return "a reason that is not one word";
                      }
                    },
                    ""))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
