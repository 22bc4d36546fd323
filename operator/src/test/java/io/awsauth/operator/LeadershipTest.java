package io.awsauth.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LeadershipTest {
  @Test
  void withoutLeaderElectionTheOnlyReplicaLeads() {
    assertThat(new Leadership().leads()).isTrue();
  }

  @Test
  void withLeaderElectionAReplicaLeadsOnlyOnceItHoldsTheLease() {
    Leadership leadership = new Leadership();
    leadership.electionOn();
    assertThat(leadership.leads()).as("standby").isFalse();
    leadership.startedLeading();
    assertThat(leadership.leads()).as("leader").isTrue();
  }
}
