package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.authconfig.AuthConfigSettings;
import io.awsauth.operator.aws.AwsClients;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.IamGateway;
import io.awsauth.operator.aws.IamGateway.User;
import io.awsauth.operator.cache.Pages;
import io.awsauth.operator.runtime.Leadership;
import io.awsauth.operator.runtime.OperatorConfig;
import io.awsauth.operator.runtime.Sharding;
import io.awsauth.operator.status.Conditions;
import io.awsauth.operator.status.UserError;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Deletes IAM users this cluster issued whose AwsCredentialRequest no longer exists (its finalizer
 * was removed by hand, or it vanished with a crash in a window nothing else covers). Runs at start
 * and then periodically, for the account of every Ready AwsAuthConfig; with leader election, on the
 * leader only (a standby makes no AWS call), and with shards on the first shard only ({@link
 * Sharding#runsClusterWork}): it lists the requests of every shard, so it never takes another
 * shard's request for gone, and one shard is enough to list IAM.
 *
 * <p>Never deletes a user it cannot prove is an orphan: it must carry this cluster's tag, the
 * operator's managed-by tag and a request UID that no request has, and be older than {@code
 * minAge}, with the requests listed before the users, so that a request created during the sweep
 * cannot lose its new user.
 */
@ApplicationScoped
public class OrphanSweep {
  private static final Logger LOG = Logger.getLogger(OrphanSweep.class);

  /** Every issued user name contains its request's UID (usernameTemplate requires {{uid}}). */
  private static final Pattern UID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final KubernetesClient client;
  private final AuthConfigSettings settings;
  private final AwsClients clients;
  private final ClusterIdentity cluster;
  private final MeterRegistry registry;
  private final Clock clock;
  private final Duration interval;
  private final Duration minAge;
  private final Leadership leadership;
  private final DenyPolicyPrune prune;
  private ScheduledExecutorService timer;

  public OrphanSweep(
      KubernetesClient client,
      AuthConfigSettings settings,
      AwsClients clients,
      ClusterIdentity cluster,
      MeterRegistry registry,
      Clock clock,
      OperatorConfig config,
      Leadership leadership,
      DenyPolicyPrune prune,
      Sharding sharding) {
    this.client = client;
    this.settings = settings;
    this.clients = clients;
    this.cluster = cluster;
    this.registry = registry;
    this.clock = clock;
    this.interval = sharding.runsClusterWork() ? config.orphanSweep().interval() : Duration.ZERO;
    this.minAge = config.orphanSweep().minAge();
    this.leadership = leadership;
    this.prune = prune;
  }

  void start(@Observes StartupEvent event) {
    if (interval.isZero()) {
      return;
    }
    timer = Timers.daemon("orphan-sweep");
    timer.scheduleWithFixedDelay(this::sweepQuietly, 30, interval.toSeconds(), TimeUnit.SECONDS);
  }

  void stop(@Observes ShutdownEvent event) {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private void sweepQuietly() {
    if (!leadership.leads()) {
      // A standby leaves AWS alone: the leader sweeps.
      return;
    }
    try {
      sweep(minAge);
    } catch (RuntimeException e) {
      LOG.infof("orphan sweep failed, will try again in %s: %s", interval, e.getMessage());
    }
    try {
      // the deny statements of revoked STS credentials that have expired since (docs/revocation.md)
      prune.pruneAll();
    } catch (RuntimeException e) {
      LOG.infof("deny policy pruning failed, will try again in %s: %s", interval, e.getMessage());
    }
  }

  /** Sweeps every Ready config's account; returns the names of the users it deleted. */
  public List<String> sweep(Duration olderThan) {
    Instant cutoff = clock.instant().minus(olderThan);
    // every request of the cluster, of every shard: never an informer's cache, which a shard
    // narrows to its own requests
    Set<String> requests = new HashSet<>();
    Pages.allRequests(client, r -> requests.add(r.getMetadata().getUid()));
    List<String> deleted = new ArrayList<>();
    Set<String> accountsDone = new HashSet<>();
    for (AwsAuthConfig config : client.resources(AwsAuthConfig.class).list().getItems()) {
      if (config.getStatus() == null
          || !config.getStatus().isTrue(Conditions.READY)
          || accountsDone.contains(config.getStatus().accountId)) {
        continue;
      }
      try {
        deleted.addAll(sweep(clients.iam(settings.settings(config)), requests, cutoff));
        // one successful sweep per account; a config that cannot reach it leaves it to the next
        accountsDone.add(config.getStatus().accountId);
      } catch (AwsFailure | UserError e) {
        LOG.infof(
            "orphan sweep of account %s (AwsAuthConfig %s) failed: %s",
            config.getStatus().accountId, config.getMetadata().getName(), e.getMessage());
      }
    }
    return deleted;
  }

  private List<String> sweep(IamGateway iam, Set<String> requests, Instant cutoff) {
    List<String> deleted = new ArrayList<>();
    for (User user : iam.listUsers()) {
      if (!UID.matcher(user.userName()).find()
          || user.created() == null
          || user.created().isAfter(cutoff)) {
        continue;
      }
      Map<String, String> tags = iam.listUserTags(user.userName());
      String uid = tags.get(OwnerTags.UID);
      if (CredentialSecret.MANAGED_BY.equals(tags.get(OwnerTags.MANAGED_BY))
          && cluster.id().equals(tags.get(OwnerTags.CLUSTER))
          && uid != null
          && !requests.contains(uid)) {
        IamUsers.revoke(iam, user.userName(), false);
        registry.counter("aao.orphans.deleted").increment();
        LOG.infof(
            "deleted orphaned IAM user %s (request %s/%s, uid %s, no longer exists)",
            user.userName(), tags.get(OwnerTags.NAMESPACE), tags.get(OwnerTags.NAME), uid);
        deleted.add(user.userName());
      }
    }
    return deleted;
  }
}
