package io.awsauth.operator.authconfig;

import static io.awsauth.operator.status.Conditions.READY;

import com.fasterxml.jackson.databind.JsonNode;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigStatus;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.aws.sdk.AwsErrors;
import io.awsauth.operator.aws.sdk.SdkClients;
import io.awsauth.operator.status.Conditions;
import io.awsauth.operator.status.EventRecorder;
import io.awsauth.operator.status.StatusUpdates;
import io.awsauth.operator.status.UserError;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Verifies the operator's own AWS identity: builds clients from the config and its Secret, calls
 * sts:GetCallerIdentity, and reports Ready with the caller's ARN and account.
 */
@ControllerConfiguration(
    name = "awsauthconfig",
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
public class AwsAuthConfigReconciler implements Reconciler<AwsAuthConfig> {
  private static final Logger LOG = Logger.getLogger(AwsAuthConfigReconciler.class);

  private final AuthConfigSettings settings;
  private final SdkClients clients;
  private final EventRecorder events;
  private final Conditions conditions;

  public AwsAuthConfigReconciler(
      AuthConfigSettings settings, SdkClients clients, EventRecorder events, Clock clock) {
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
      CallerIdentity caller = clients.sts(settings.settings(config)).getCallerIdentity();
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
