package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.credential.PruneSchedule.Due;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PruneScheduleTest {
  private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
  private static final String ROLE = "arn:aws:iam::111111111111:role/app";
  private static final String USER = "arn:aws:iam::111111111111:user/vault-root";

  private final PruneSchedule schedule = new PruneSchedule();

  @Test
  void aHolderIsDueAtItsEarliestTimeOnceThenNoLonger() {
    schedule.at(ROLE, "default", T0.plusSeconds(60));
    schedule.at(ROLE, "default", T0.plusSeconds(30));
    schedule.at(ROLE, "default", T0.plusSeconds(90));

    assertThat(schedule.when(ROLE)).contains(T0.plusSeconds(30));
    assertThat(schedule.takeDue(T0.plusSeconds(29))).isEmpty();
    assertThat(schedule.takeDue(T0.plusSeconds(30))).containsExactly(new Due(ROLE, "default"));
    assertThat(schedule.takeDue(T0.plusSeconds(120))).as("taken: the pruner reschedules").isEmpty();
    assertThat(schedule.size()).isZero();
  }

  @Test
  void holdersAreDueEarliestFirstEachWithTheConfigThatReachesIt() {
    schedule.at(USER, "default", T0.plusSeconds(20));
    schedule.at(ROLE, "remote", T0.plusSeconds(10));
    schedule.at("arn:aws:iam::111111111111:role/later", "default", T0.plusSeconds(99));

    assertThat(schedule.takeDue(T0.plusSeconds(20)))
        .containsExactly(new Due(ROLE, "remote"), new Due(USER, "default"));
    assertThat(schedule.size()).isEqualTo(1);
  }
}
