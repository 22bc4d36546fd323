package io.awsauth.operator.authconfig;

import static io.awsauth.operator.status.Conditions.READY;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigReason;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigStatus;
import io.awsauth.operator.api.v1alpha1.AwsReason;
import io.awsauth.operator.api.v1alpha1.EventReason;
import io.awsauth.operator.api.v1alpha1.Reason;
import io.awsauth.operator.api.v1alpha1.Reason.Recheck;
import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.AwsClients;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.aws.Partition;
import io.awsauth.operator.aws.sdk.AwsErrors;
import io.awsauth.operator.metrics.OperatorMetrics;
import io.awsauth.operator.status.Conditions;
import io.awsauth.operator.status.EventRecorder;
import io.awsauth.operator.status.StatusAggregator;
import io.awsauth.operator.status.StatusUpdates;
import io.awsauth.operator.status.UserError;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Verifies the operator's own AWS identity: builds clients from the config and its Secret, calls
 * sts:GetCallerIdentity, and reports Ready with the caller's ARN and account.
 */
@ControllerConfiguration(
    name = AwsAuthConfigReconciler.NAME,
    // The rotation request is an annotation, which does not bump metadata.generation.
    generationAwareEventProcessing = false,
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
public class AwsAuthConfigReconciler implements Reconciler<AwsAuthConfig> {
  /** The controller's name, which is also its field manager for status writes. */
  public static final String NAME = "awsauthconfig";

  private static final Logger LOG = Logger.getLogger(AwsAuthConfigReconciler.class);

  private final AuthConfigSettings settings;
  private final AwsClients clients;
  private final EventRecorder events;
  private final Conditions conditions;
  private final RootKeyRotation rotation;
  private final OperatorMetrics metrics;
  private final Clock clock;
  private final RefusalRecheck refusals = new RefusalRecheck();
  private static final String SECRET_INDEX = "credentials-secret";

  public AwsAuthConfigReconciler(
      AuthConfigSettings settings,
      AwsClients clients,
      EventRecorder events,
      RootKeyRotation rotation,
      OperatorMetrics metrics,
      Clock clock) {
    this.metrics = metrics;
    this.rotation = rotation;
    this.settings = settings;
    this.clients = clients;
    this.events = events;
    this.conditions = new Conditions(clock);
    this.clock = clock;
  }

  @Override
  public UpdateControl<AwsAuthConfig> reconcile(
      AwsAuthConfig config, Context<AwsAuthConfig> context) {
    var status = StatusAggregator.of(config, AwsAuthConfigStatus::new, conditions);
    AwsClientSettings current = null;
    Reason refusal = null;
    try {
      checkBeforeCalling(config.getSpec());
      current = settings.refresh(config);
      CallerIdentity caller = clients.sts(current).getCallerIdentity();
      checkCallerPartition(config.getSpec(), caller);
      status.status().callerArn = caller.arn();
      status.status().accountId = caller.account();
      status.status().sessionCredentials = caller.isSession();
      status.condition(
          READY,
          true,
          AwsAuthConfigReason.CallerVerified,
          "sts:GetCallerIdentity succeeded as " + caller.arn());
      if (RootKeyRotation.applies(config, caller)) {
        rotateRootKey(config, caller, current);
      }
    } catch (UserError e) {
      notReady(status, e.reason(), e.getMessage());
    } catch (AwsFailure e) {
      if (!e.isTerminal()) {
        throw e;
      }
      notReady(status, e.reason(), e.getMessage());
      refusal = e.reason();
      if (current != null
          && (e.reason() == AwsReason.InvalidCredentials
              || e.reason() == AwsReason.ExpiredCredentials)) {
        // A session refused before its expiry (a web identity's): exchanged again next time.
        clients.renewCredentials(current);
      }
    }
    events.announceTransition(config, status.before(), status.build(true), READY, "Verify");
    UpdateControl<AwsAuthConfig> control = status.updateControl();
    String uid = config.getMetadata().getUid();
    if (refusal != null && current != null && refusal.recheck() == Recheck.AFTER_REFUSAL) {
      // A refusal by AWS may be propagation (a key or policy seconds old): looked at again soon,
      // then with backoff.
      control.rescheduleAfter(refusals.refused(uid, current.fingerprint(), clock.instant()));
    } else {
      // Every other outcome waits for a change (the config, its Secret) or the periodic look.
      refusals.forget(uid);
    }
    return control;
  }

  /**
   * What the schema cannot check and no AWS call is needed for: the identity document certificates
   * must parse. A config that names unusable certificates is not Ready, and is not verified in AWS.
   */
  static void checkBeforeCalling(AwsAuthConfigSpec spec) {
    String region = regionOf(spec);
    String stsRegion = spec.endpoints == null ? null : spec.endpoints.stsRegion;
    if (stsRegion != null && !Partition.ofRegion(stsRegion).equals(Partition.ofRegion(region))) {
      throw new UserError(
          AwsAuthConfigReason.PartitionMismatch,
          "endpoints.stsRegion "
              + stsRegion
              + " is in partition "
              + Partition.ofRegion(stsRegion)
              + ", spec.region "
              + region
              + " in "
              + Partition.ofRegion(region)
              + ": STS and IAM must answer for the same identity");
    }
    String pem = spec.identityDocumentCertificates;
    if (pem != null && !pem.isBlank()) {
      try {
        IdentityDocumentCertificates.parse(pem);
      } catch (IllegalArgumentException e) {
        throw new UserError(
            AwsAuthConfigReason.IdentityDocumentCertificatesInvalid,
            "identityDocumentCertificates: " + e.getMessage());
      }
    }
  }

  /**
   * The caller must be in the partition of the config's region: the ARNs and policies the operator
   * writes name the caller's partition, the endpoints it calls are the region's.
   */
  static void checkCallerPartition(AwsAuthConfigSpec spec, CallerIdentity caller) {
    String region = regionOf(spec);
    String callerPartition = Partition.idOf(caller.arn());
    if (!callerPartition.equals(Partition.ofRegion(region).id())) {
      throw new UserError(
          AwsAuthConfigReason.PartitionMismatch,
          "the caller "
              + caller.arn()
              + " is in partition "
              + callerPartition
              + ", spec.region "
              + region
              + " in "
              + Partition.ofRegion(region)
              + ": set spec.region to a region of the caller's partition");
    }
  }

  private static String regionOf(AwsAuthConfigSpec spec) {
    return spec.region == null ? "us-east-1" : spec.region;
  }

  private void rotateRootKey(
      AwsAuthConfig config, CallerIdentity caller, AwsClientSettings current) {
    try {
      rotation.reconcile(config, caller, current);
    } catch (AwsFailure e) {
      if (!e.isTerminal()) {
        throw e;
      }
      config.getStatus().rootRotation.lastError = e.getMessage();
      events.record(config, EventReason.RootKeyRotationFailed, e.getMessage());
    }
  }

  /**
   * Secrets referenced by configs (and only those: they carry the operator's watch label) trigger a
   * reconcile of the configs that reference them.
   */
  @Override
  public List<EventSource<?, AwsAuthConfig>> prepareEventSources(
      EventSourceContext<AwsAuthConfig> context) {
    context
        .getPrimaryCache()
        .addIndexer(
            SECRET_INDEX,
            c ->
                c.getSpec() == null
                        || c.getSpec().credentials == null
                        || c.getSpec().credentials.secretRef == null
                    ? List.of()
                    : List.of(c.getSpec().credentials.secretRef.toString()));
    var secrets =
        InformerEventSourceConfiguration.from(Secret.class, AwsAuthConfig.class)
            .withName("referenced-secrets")
            .withLabelSelector(AuthConfigSettings.WATCH_LABEL + "=true")
            .withWatchAllNamespaces()
            .withSecondaryToPrimaryMapper(
                (Secret s) ->
                    context
                        .getPrimaryCache()
                        .byIndex(
                            SECRET_INDEX,
                            s.getMetadata().getNamespace() + "/" + s.getMetadata().getName())
                        .stream()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .build();
    return List.of(new InformerEventSource<>(secrets, context));
  }

  @Override
  public ErrorStatusUpdateControl<AwsAuthConfig> updateErrorStatus(
      AwsAuthConfig config, Context<AwsAuthConfig> context, Exception e) {
    if (StatusUpdates.isConflict(e)) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    var status = StatusAggregator.of(config, AwsAuthConfigStatus::new, conditions);
    AwsFailure failure = AwsErrors.classify("reconcile", e);
    LOG.infof(
        "AwsAuthConfig %s: %s (will retry)", config.getMetadata().getName(), failure.getMessage());
    notReady(status, failure.reason(), failure.getMessage());
    events.announceTransition(config, status.before(), status.build(false), READY, "Verify");
    return status.errorStatusUpdateControl();
  }

  private void notReady(
      StatusAggregator<AwsAuthConfig, AwsAuthConfigStatus> status, Reason reason, String message) {
    metrics.reconcileError("AwsAuthConfig", reason.name());
    status.status().callerArn = null;
    status.status().accountId = null;
    status.status().sessionCredentials = null;
    status.condition(READY, false, reason, message);
  }
}
