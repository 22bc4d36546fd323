package io.awsauth.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {
  @Test
  void defaultsAreTheDocumentedOnes() throws IOException {
    OperatorConfig c = TestConfig.defaults();
    assertThat(c.aws().rateLimit().iam()).isEqualTo(20);
    assertThat(c.aws().rateLimit().sts()).isEqualTo(500);
    assertThat(c.aws().rateLimit().ec2()).isEqualTo(20);
    assertThat(c.orphanSweep().interval()).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.orphanSweep().minAge()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.clusterId()).isEmpty();
    assertThat(c.iamUser().verifyTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.shutdown().drainTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.leaderElection().enabled()).isFalse();
    assertThat(c.leaderElection().leaseName()).isEqualTo("aws-auth-operator-lease");
    assertThat(c.leaderElection().leaseNamespace()).isEmpty();
    assertThat(c.leaderElection().leaseDuration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.leaderElection().renewDeadline()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.leaderElection().retryPeriod()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.faults().haltAfter()).isEmpty();
    assertThat(c.rolloutRestart().interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.shard().name()).isEmpty();
    assertThat(c.shard().names()).isEmpty();

    String table = Files.readString(Path.of("../docs/configuration.md"));
    for (String row :
        new String[] {
          "| `aao.aws.rate-limit.iam` | `20` |",
          "| `aao.aws.rate-limit.sts` | `500` |",
          "| `aao.aws.rate-limit.ec2` | `20` |",
          "| `aao.orphan-sweep.interval` | `30m` |",
          "| `aao.orphan-sweep.min-age` | `5m` |",
          "| `aao.iam-user.verify-timeout` | `30s` |",
          "| `aao.shutdown.drain-timeout` | `20s` |",
          "| `aao.rollout-restart.interval` | `10s` |",
          "| `aao.leader-election.enabled` | `false` |",
          "| `aao.shard.name` | none (not sharded) |",
          "| `aao.shard.names` | none |",
          "| `aao.leader-election.lease-name` | `aws-auth-operator-lease` |",
          "| `aao.leader-election.lease-duration`, `.renew-deadline`, `.retry-period` | `15s`,"
              + " `10s`, `2s` |"
        }) {
      assertThat(table).as("docs/configuration.md").contains(row);
    }
  }

  @Test
  void settingsAreRead() {
    OperatorConfig c =
        TestConfig.of(
            Map.of(
                "aao.aws.rate-limit.iam", "0",
                "aao.orphan-sweep.interval", "0s",
                "aao.cluster-id", "c-1",
                "aao.shutdown.drain-timeout", "80s",
                "aao.rollout-restart.interval", "0s",
                "aao.faults.halt-after", "issue.after-create-user#2",
                "aao.shard.name", "b",
                "aao.shard.names", "a,b,c"));
    assertThat(c.aws().rateLimit().iam()).isZero();
    assertThat(c.orphanSweep().interval()).isZero();
    assertThat(c.clusterId()).contains("c-1");
    assertThat(c.shutdown().drainTimeout()).isEqualTo(Duration.ofSeconds(80));
    assertThat(c.rolloutRestart().interval()).isZero();
    assertThat(c.faults().haltAfter()).contains("issue.after-create-user#2");
    assertThat(c.shard().name()).contains("b");
    assertThat(c.shard().names()).contains(List.of("a", "b", "c"));
  }

  @Test
  void theFirstLeaderElectionNamesStillWork() {
    // The chart sets AWS_AUTH_OPERATOR_LEADER_ELECTION_*; tests pass -Daws-auth-operator.*.
    OperatorConfig.LeaderElection old =
        TestConfig.of(
                Map.of(
                    "aws-auth-operator.leader-election.enabled", "true",
                    "aws-auth-operator.leader-election.lease-name", "r-lease",
                    "aws-auth-operator.leader-election.lease-namespace", "ops",
                    "aws-auth-operator.leader-election.lease-duration", "4s",
                    "aws-auth-operator.leader-election.renew-deadline", "3s",
                    "aws-auth-operator.leader-election.retry-period", "1s"))
            .leaderElection();
    assertThat(old.enabled()).isTrue();
    assertThat(old.leaseName()).isEqualTo("r-lease");
    assertThat(old.leaseNamespace()).contains("ops");
    assertThat(old.leaseDuration()).isEqualTo(Duration.ofSeconds(4));
    assertThat(old.renewDeadline()).isEqualTo(Duration.ofSeconds(3));
    assertThat(old.retryPeriod()).isEqualTo(Duration.ofSeconds(1));

    OperatorConfig.LeaderElection both =
        TestConfig.of(
                Map.of(
                    "aws-auth-operator.leader-election.lease-name", "old",
                    "aao.leader-election.lease-name", "new",
                    "aao.leader-election.enabled", "true"))
            .leaderElection();
    assertThat(both.leaseName()).as("the aao name wins").isEqualTo("new");
    assertThat(both.enabled()).isTrue();
  }
}
