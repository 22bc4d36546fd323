package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.authconfig.AuthConfigs;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.runtime.Leadership;
import io.awsauth.operator.status.Conditions;
import io.awsauth.operator.status.UserError;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Removes the deny statements whose credential has expired anyway, and deletes a policy once it
 * denies nothing. Every write of a deny policy prunes it too; besides, each holder is pruned when
 * its first statement's credential has expired ({@link PruneSchedule}, looked at every second on
 * the leader), and the sweep ({@link #pruneAll}, run with the orphan sweep) looks at every holder
 * the operator may have written to: the roles of its assumed_role VaultAwsRoles ({@code roleArns})
 * and the IAM user of every Ready AwsAuthConfig. The sweep also fills the schedule after a restart.
 */
@ApplicationScoped
public class DenyPolicyPrune {
  private static final Logger LOG = Logger.getLogger(DenyPolicyPrune.class);

  private final KubernetesClient client;
  private final AuthConfigs configs;
  private final SessionRevoker revoker;
  private final Clock clock;
  private final Leadership leadership;
  private final PruneSchedule schedule = new PruneSchedule();
  private ScheduledExecutorService timer;

  /** A prune that failed is tried again this much later. */
  static final Duration RETRY = Duration.ofMinutes(1);

  public DenyPolicyPrune(
      KubernetesClient client,
      AuthConfigs configs,
      SessionRevoker revoker,
      Clock clock,
      Leadership leadership) {
    this.client = client;
    this.configs = configs;
    this.revoker = revoker;
    this.clock = clock;
    this.leadership = leadership;
  }

  void start(@Observes StartupEvent event) {
    timer = Timers.daemon("deny-policy-prune");
    timer.scheduleWithFixedDelay(this::pruneDueQuietly, 1, 1, TimeUnit.SECONDS);
  }

  void stop(@Observes ShutdownEvent event) {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  /**
   * A deny policy was written (or found) holding statements: prune it at {@code nextPrune} ({@link
   * SessionDenials#nextPrune}).
   */
  void written(String holder, String configName, Optional<Instant> nextPrune) {
    nextPrune.ifPresent(at -> schedule.at(holder, configName, at));
  }

  /** When {@code holder} will be pruned next, if it is scheduled. */
  Optional<Instant> scheduled(String holder) {
    return schedule.when(holder);
  }

  /** Prunes the holders that are due now; returns how many. */
  int pruneDue() {
    var due = schedule.takeDue(clock.instant());
    due.forEach(d -> pruneQuietly(d.holder(), d.configName()));
    return due.size();
  }

  private void pruneDueQuietly() {
    if (!leadership.leads()) {
      return;
    }
    try {
      pruneDue();
    } catch (RuntimeException e) {
      LOG.infof("deny policy pruning failed: %s", e.getMessage());
    }
  }

  /** Prunes every holder; returns how many it looked at. */
  public int pruneAll() {
    // holder ARN -> the config that writes it
    Map<String, String> holders = new LinkedHashMap<>();
    for (AwsAuthConfig config : client.resources(AwsAuthConfig.class).list().getItems()) {
      if (config.getStatus() != null
          && config.getStatus().isTrue(Conditions.READY)
          && config.getStatus().callerArn != null
          && config.getStatus().callerArn.contains(":user/")) {
        holders.putIfAbsent(config.getStatus().callerArn, config.getMetadata().getName());
      }
    }
    for (VaultAwsRole role : client.resources(VaultAwsRole.class).list().getItems()) {
      if (role.getSpec() == null
          || role.getSpec().credentialType != CredentialType.ASSUMED_ROLE
          || role.getSpec().roleArns == null) {
        continue;
      }
      role.getSpec()
          .roleArns
          .forEach(arn -> holders.putIfAbsent(arn, role.getSpec().authConfigRef));
    }
    holders.forEach(this::pruneQuietly);
    return holders.size();
  }

  private void pruneQuietly(String holder, String configName) {
    try {
      ResolvedAuthConfig config = configs.resolve(configName);
      written(holder, configName, revoker.prune(config, holder, clock.instant()));
    } catch (AwsFailure e) {
      LOG.debugf("could not prune the deny policy of %s: %s", holder, e.getMessage());
      schedule.at(holder, configName, clock.instant().plus(RETRY));
    } catch (UserError e) {
      // the config is gone or not Ready: the sweep finds the holder again once one reaches it
      LOG.debugf("could not prune the deny policy of %s: %s", holder, e.getMessage());
    }
  }
}
