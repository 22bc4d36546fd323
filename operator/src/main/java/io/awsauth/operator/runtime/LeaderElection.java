package io.awsauth.operator.runtime;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Leader election for running more than one replica: only the replica holding the {@code
 * coordination.k8s.io} Lease reconciles; the others keep their caches warm and take over when the
 * lease expires.
 *
 * <p>quarkus-operator-sdk hands the operator a {@link LeaderElectionConfiguration} bean when one
 * exists and the profile is listed in {@code quarkus.operator-sdk.activate-leader-election-for-
 * profiles} (default {@code prod}, so never in tests). On top of that it is off unless {@code
 * aao.leader-election.enabled=true} (or its first name {@code
 * aws-auth-operator.leader-election.enabled}, env {@code
 * AWS_AUTH_OPERATOR_LEADER_ELECTION_ENABLED}, which the Helm chart sets): {@code e2e/run-local} and
 * the in-process tests run a single operator and need no Lease. A {@code @Dependent} producer may
 * return null, which the extension reads as "no leader election".
 */
public class LeaderElection {
  private static final Logger LOG = Logger.getLogger(LeaderElection.class);

  @Produces
  @Dependent
  @Unremovable
  LeaderElectionConfiguration leaderElection(
      OperatorConfig config, Leadership leadership, Sharding sharding) {
    OperatorConfig.LeaderElection settings = config.leaderElection();
    boolean enabled = settings.enabled();
    // one Lease per shard (<lease-name>-<shard>): the leaders of two shards never wait on each
    // other
    String leaseName = sharding.leaseName(settings.leaseName());
    Optional<String> leaseNamespace = settings.leaseNamespace();
    Duration leaseDuration = settings.leaseDuration();
    Duration renewDeadline = settings.renewDeadline();
    Duration retryPeriod = settings.retryPeriod();
    if (!enabled) {
      return null;
    }
    leadership.electionOn();
    String lease = leaseNamespace.orElse("<pod namespace>") + "/" + leaseName;
    // JOSDK's own choice (the pod's HOSTNAME, else a random UUID), made here so that the replica
    // knows its holderIdentity and can hand the Lease over when it is stopped (GracefulShutdown).
    String hostname = System.getenv("HOSTNAME");
    String identity =
        hostname == null || hostname.isBlank() ? UUID.randomUUID().toString() : hostname;
    leadership.lease(identity, leaseNamespace.filter(ns -> !ns.isBlank()).orElse(null), leaseName);
    LOG.infof(
        "leader election on: Lease %s (duration %s, renew deadline %s, retry every %s)",
        lease, leaseDuration, renewDeadline, retryPeriod);
    var builder =
        LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName)
            .withIdentity(identity);
    leaseNamespace.filter(ns -> !ns.isBlank()).ifPresent(builder::withLeaseNamespace);
    // A replica that loses the lease exits and is restarted by its Deployment, so two replicas
    // never reconcile at once. Not JOSDK's own exitOnStopLeading: in 5.2.1 it calls System.exit
    // from the shutdown hook too (stopping the operator cancels the election, which "stops
    // leading"), and that deadlocks: the pod would hang on SIGTERM until it is killed
    // (java-operator-sdk#1614, #3376).
    return builder
        .withLeaseDuration(leaseDuration)
        .withRenewDeadline(renewDeadline)
        .withRetryPeriod(retryPeriod)
        .withExitOnStopLeading(false)
        .withLeaderCallbacks(
            new LeaderCallbacks(
                () -> {
                  leadership.startedLeading();
                  LOG.infof("started leading (Lease %s): this replica reconciles now", lease);
                },
                () -> stoppedLeading(leadership),
                id -> {}))
        .build();
  }

  /**
   * Exits unless the JVM is already shutting down (then stopping leading is the shutdown, or the
   * Lease was lost while the shutdown let in-flight reconciles finish: those stop at once).
   */
  static void stoppedLeading(Leadership leadership) {
    leadership.lostLease();
    if (shuttingDown()) {
      return;
    }
    LOG.warn("lost the leader-election lease: exiting, so that only the new leader reconciles");
    // From another thread: System.exit runs the shutdown hooks, which stop the election, which
    // calls back here.
    Thread exit = new Thread(() -> System.exit(1), "leader-election-exit");
    exit.setDaemon(true);
    exit.start();
  }

  private static boolean shuttingDown() {
    Thread probe = new Thread(() -> {});
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }
}
