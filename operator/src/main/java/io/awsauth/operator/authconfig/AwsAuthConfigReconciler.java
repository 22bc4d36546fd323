package io.awsauth.operator.authconfig;

import static io.awsauth.operator.status.Conditions.READY;

import com.fasterxml.jackson.databind.JsonNode;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigStatus;
import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.AwsClients;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.aws.sdk.AwsErrors;
import io.awsauth.operator.metrics.OperatorMetrics;
import io.awsauth.operator.status.Conditions;
import io.awsauth.operator.status.EventRecorder;
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
  }

  @Override
  public UpdateControl<AwsAuthConfig> reconcile(
      AwsAuthConfig config, Context<AwsAuthConfig> context) {
    JsonNode before = StatusUpdates.snapshot(config.getStatus());
    AwsAuthConfigStatus status = statusOf(config);
    long generation = config.getMetadata().getGeneration();
    try {
      checkBeforeCalling(config.getSpec());
      AwsClientSettings current = settings.refresh(config);
      CallerIdentity caller = clients.sts(current).getCallerIdentity();
      status.callerArn = caller.arn();
      status.accountId = caller.account();
      status.sessionCredentials = caller.isSession();
      conditions.set(
          status,
          generation,
          READY,
          true,
          "CallerVerified",
          "sts:GetCallerIdentity succeeded as " + caller.arn());
      if (RootKeyRotation.applies(config, caller)) {
        rotateRootKey(config, caller, current);
      }
    } catch (UserError e) {
      notReady(status, generation, e.reason(), e.getMessage());
    } catch (AwsFailure e) {
      if (!e.isTerminal()) {
        throw e;
      }
      notReady(status, generation, e.reason(), e.getMessage());
    }
    status.observedGeneration = generation;
    events.announceTransition(config, before, config.getStatus(), READY, "Verify");
    return StatusUpdates.patchIfChanged(config, before);
  }

  /**
   * What the schema cannot check and no AWS call is needed for: the identity document certificates
   * must parse. A config that names unusable certificates is not Ready, and is not verified in AWS.
   */
  static void checkBeforeCalling(AwsAuthConfigSpec spec) {
    String pem = spec.identityDocumentCertificates;
    if (pem != null && !pem.isBlank()) {
      try {
        IdentityDocumentCertificates.parse(pem);
      } catch (IllegalArgumentException e) {
        throw new UserError(
            "IdentityDocumentCertificatesInvalid",
            "identityDocumentCertificates: " + e.getMessage());
      }
    }
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
      events.warning(config, "RootKeyRotationFailed", "RotateRootKey", e.getMessage());
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
    JsonNode before = StatusUpdates.snapshot(config.getStatus());
    AwsFailure failure = AwsErrors.classify("reconcile", e);
    LOG.infof(
        "AwsAuthConfig %s: %s (will retry)", config.getMetadata().getName(), failure.getMessage());
    notReady(
        statusOf(config),
        config.getMetadata().getGeneration(),
        failure.reason(),
        failure.getMessage());
    events.announceTransition(config, before, config.getStatus(), READY, "Verify");
    return StatusUpdates.changed(before, config.getStatus())
        ? ErrorStatusUpdateControl.patchStatus(config)
        : ErrorStatusUpdateControl.noStatusUpdate();
  }

  private void notReady(
      AwsAuthConfigStatus status, long generation, String reason, String message) {
    metrics.reconcileError("AwsAuthConfig", reason);
    status.callerArn = null;
    status.accountId = null;
    status.sessionCredentials = null;
    conditions.set(status, generation, READY, false, reason, message);
  }

  private static AwsAuthConfigStatus statusOf(AwsAuthConfig config) {
    if (config.getStatus() == null) {
      config.setStatus(new AwsAuthConfigStatus());
    }
    return config.getStatus();
  }
}
