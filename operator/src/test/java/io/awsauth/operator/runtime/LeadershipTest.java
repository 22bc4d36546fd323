package io.awsauth.operator.runtime;

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

  @Test
  void aReplicaThatLostTheLeaseOrIsShuttingDownNoLongerLeads() {
    Leadership lost = new Leadership();
    lost.electionOn();
    lost.startedLeading();
    lost.lostLease();
    assertThat(lost.leads()).as("lost the Lease").isFalse();
    assertThat(lost.lostTheLease()).isTrue();

    Leadership stopping = new Leadership();
    stopping.stepDown();
    assertThat(stopping.leads()).as("shutting down, without leader election").isFalse();
    assertThat(stopping.lostTheLease()).as("handed over, not lost").isFalse();
  }
}
