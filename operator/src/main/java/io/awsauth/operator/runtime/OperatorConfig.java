package io.awsauth.operator.runtime;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The operator's own settings, all under {@code aao.} (environment: upper case with {@code _}, e.g.
 * {@code AAO_AWS_RATE_LIMIT_IAM}). docs/configuration.md lists them; the defaults here are the
 * documented ones ({@code OperatorConfigTest}).
 *
 * <p>The leader-election settings were first named {@code aws-auth-operator.leader-election.*} (env
 * {@code AWS_AUTH_OPERATOR_LEADER_ELECTION_*}, which the Helm chart still sets): each {@code
 * aao.leader-election.*} setting defaults to the old name's value, so both spellings work and the
 * new one wins when both are set.
 */
@ConfigMapping(prefix = "aao")
public interface OperatorConfig {
  Aws aws();

  OrphanSweep orphanSweep();

  /** This cluster's identity in the tags of issued IAM users; default: kube-system's UID. */
  Optional<String> clusterId();

  IamUser iamUser();

  Shutdown shutdown();

  LeaderElection leaderElection();

  Faults faults();

  SessionIdentity sessionIdentity();

  RolloutRestart rolloutRestart();

  Shard shard();

  interface Aws {
    RateLimit rateLimit();

    /** AWS calls per second per account and service (every attempt); 0 turns pacing off. */
    interface RateLimit {
      @WithDefault("20")
      double iam();

      @WithDefault("500")
      double sts();

      @WithDefault("20")
      double ec2();
    }
  }

  interface OrphanSweep {
    /** How often IAM users of this cluster whose request is gone are deleted; 0s: never. */
    @WithDefault("30m")
    Duration interval();

    /** An orphaned user younger than this is left alone (its issuance may be in flight). */
    @WithDefault("5m")
    Duration minAge();
  }

  interface IamUser {
    /** How long a new access key is tried with sts:GetCallerIdentity before issuance fails. */
    @WithDefault("30s")
    Duration verifyTimeout();
  }

  interface Shutdown {
    /** On SIGTERM, how long the reconciles in flight may finish ({@link GracefulShutdown}). */
    @WithDefault("20s")
    Duration drainTimeout();
  }

  /** {@link io.awsauth.operator.runtime.LeaderElection}; JOSDK's timings by default. */
  interface LeaderElection {
    @WithDefault("${aws-auth-operator.leader-election.enabled:false}")
    boolean enabled();

    @WithDefault("${aws-auth-operator.leader-election.lease-name:aws-auth-operator-lease}")
    String leaseName();

    /** Default: the namespace of the in-cluster service account (the pod's namespace). */
    @WithDefault("${aws-auth-operator.leader-election.lease-namespace:}")
    Optional<String> leaseNamespace();

    /** A standby takes over at most this long after the leader's last renewal. */
    @WithDefault("${aws-auth-operator.leader-election.lease-duration:15s}")
    Duration leaseDuration();

    @WithDefault("${aws-auth-operator.leader-election.renew-deadline:10s}")
    Duration renewDeadline();

    /** How often a standby tries to take the Lease. */
    @WithDefault("${aws-auth-operator.leader-election.retry-period:2s}")
    Duration retryPeriod();
  }

  /**
   * What every assumed_role session says about who holds it: its SourceIdentity and these session
   * tags, from the request ({@code credential.SessionIdentity}).
   */
  interface SessionIdentity {
    /** Off: sessions carry only the role's own sessionTags, as before. */
    @WithDefault("true")
    boolean enabled();

    /** Tag key of this cluster's identity ({@code aao.cluster-id}, default kube-system's UID). */
    @WithDefault("kubernetes-cluster")
    String clusterTag();

    @WithDefault("kubernetes-namespace")
    String namespaceTag();

    @WithDefault("kubernetes-service-account")
    String serviceAccountTag();

    @WithDefault("kubernetes-pod")
    String podTag();

    @WithDefault("awsauth-request")
    String requestTag();

    @WithDefault("awsauth-request-uid")
    String requestUidTag();
  }

  /** Restarts of rolloutRestartTargets after rotations ({@code credential.RestartSpread}). */
  interface RolloutRestart {
    /**
     * At most one restart of the workloads of one namespace per this interval, however many of its
     * requests rotate at once; 0s: no spreading.
     */
    @WithDefault("10s")
    Duration interval();

    /**
     * After the restart of the rolloutRestartTargets on a lease that a change of spec issued, how
     * long the previous assumed_role or federation_token credential stays valid before it is denied
     * at AWS: the time the rollout takes to replace the pods that held it.
     */
    @WithDefault("5m")
    Duration retiredSessionGrace();
  }

  /**
   * Requests split across Deployments by the label {@code awsauth.io/shard} ({@link Sharding},
   * docs/sharding.md). Both unset: not sharded.
   */
  interface Shard {
    /** This Deployment's shard, one of {@link #names}. */
    Optional<String> name();

    /**
     * Every shard, in the same order in every shard's configuration (comma-separated in {@code
     * AAO_SHARD_NAMES}). The first takes the requests without the label and the cluster-scoped
     * kinds.
     */
    Optional<List<String>> names();
  }

  /** For the crash-safety tests only ({@code faults.CrashPoints}). */
  interface Faults {
    /** {@code <point>} or {@code <point>#<n>}: halt the process the n-th time it passes there. */
    Optional<String> haltAfter();
  }
}
