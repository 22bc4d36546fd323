package io.awsauth.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Leader election for running more than one replica: only the replica holding the {@code
 * coordination.k8s.io} Lease reconciles; the others keep their caches warm and take over when the
 * lease expires.
 *
 * <p>quarkus-operator-sdk hands the operator a {@link LeaderElectionConfiguration} bean when one
 * exists and the profile is listed in {@code quarkus.operator-sdk.activate-leader-election-for-
 * profiles} (default {@code prod}, so never in tests). On top of that it is off unless {@code
 * aws-auth-operator.leader-election.enabled=true} (env {@code
 * AWS_AUTH_OPERATOR_LEADER_ELECTION_ENABLED}), which the Helm chart sets: {@code e2e/run-local} and
 * the in-process tests run a single operator and need no Lease. A {@code @Dependent} producer may
 * return null, which the extension reads as "no leader election".
 */
public class LeaderElection {
  private static final Logger LOG = Logger.getLogger(LeaderElection.class);

  @Produces
  @Dependent
  @Unremovable
  LeaderElectionConfiguration leaderElection(
      @ConfigProperty(name = "aws-auth-operator.leader-election.enabled", defaultValue = "false")
          boolean enabled,
      @ConfigProperty(
              name = "aws-auth-operator.leader-election.lease-name",
              defaultValue = "aws-auth-operator-lease")
          String leaseName,
      // Default: the namespace of the in-cluster service account (the pod's namespace).
      @ConfigProperty(name = "aws-auth-operator.leader-election.lease-namespace")
          Optional<String> leaseNamespace) {
    if (!enabled) {
      return null;
    }
    LOG.infof(
        "leader election on: Lease %s/%s", leaseNamespace.orElse("<pod namespace>"), leaseName);
    var builder = LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName);
    leaseNamespace.filter(ns -> !ns.isBlank()).ifPresent(builder::withLeaseNamespace);
    // A replica that loses the lease exits and is restarted by its Deployment, so two replicas
    // never reconcile at once.
    return builder.withExitOnStopLeading(true).build();
  }
}
