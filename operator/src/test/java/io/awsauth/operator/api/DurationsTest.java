package io.awsauth.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.Durations;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesHoursMinutesSeconds() {
    assertThat(Durations.parse("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("768h")).isEqualTo(Duration.ofHours(768));
    assertThat(Durations.parse("1h0m5s")).isEqualTo(Duration.ofSeconds(3605));
  }

  @Test
  void rejectsWhatTheSchemaRejects() {
    for (String bad : new String[] {"1d", "60 minutes", "", "h", "1m1h", "-5m"}) {
      assertThatThrownBy(() -> Durations.parse(bad)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void formatsShortestFormThatParsesBack() {
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Durations.format(Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.parse(Durations.format(Duration.ofSeconds(3725))))
        .isEqualTo(Duration.ofSeconds(3725));
  }
}
