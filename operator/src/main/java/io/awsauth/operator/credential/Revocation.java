package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.EventReason;
import io.awsauth.operator.api.v1alpha1.Groups;
import io.awsauth.operator.api.v1alpha1.Reason;
import io.awsauth.operator.authconfig.AuthConfigs;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.credential.LeasePlan.Revoke;
import io.awsauth.operator.metrics.OperatorMetrics;
import io.awsauth.operator.status.EventRecorder;
import io.awsauth.operator.status.UserError;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Ends leases: the IAM user (iam_user) is deleted with its keys, policies and groups, and the
 * Secret no longer holds the credential. STS credentials cannot be revoked at AWS; they leave the
 * Secret and stay valid until they expire. One revocation, one {@code Revoked} Event.
 */
@ApplicationScoped
public class Revocation {
  private static final Logger LOG = Logger.getLogger(Revocation.class);
  private static final Duration RETRY_REVOCATION = Duration.ofSeconds(15);

  private final KubernetesClient client;
  private final AuthConfigs configs;
  private final Issuer issuer;
  private final CredentialSecretWriter secrets;
  private final RequestStatusWriter statusWriter;
  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final Clock clock;

  public Revocation(
      KubernetesClient client,
      AuthConfigs configs,
      Issuer issuer,
      CredentialSecretWriter secrets,
      RequestStatusWriter statusWriter,
      EventRecorder events,
      OperatorMetrics metrics,
      Clock clock) {
    this.client = client;
    this.configs = configs;
    this.issuer = issuer;
    this.secrets = secrets;
    this.statusWriter = statusWriter;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Ends the current lease; returns the request's Secret as it is afterwards. */
  Optional<Secret> revoke(
      RequestOutcome outcome,
      Optional<Secret> secret,
      Context<AwsCredentialRequest> context,
      Revoke why) {
    AwsCredentialRequest request = outcome.resource();
    AwsCredentialRequestStatus status = request.getStatus();
    if (status.iamUserName != null) {
      issuer.revokeUser(
          configFor(status), status.iamUserName, IamUsers.mayBeInvisible(status, clock.instant()));
    }
    Optional<Secret> after = secret;
    if (secret.isPresent()
        && CredentialSecret.ownedBy(secret.get(), request)
        && CredentialSecret.leaseId(secret.get()).isPresent()) {
      String name = CredentialSecretWriter.secretName(request);
      after =
          Optional.of(
              secrets.write(
                  request,
                  context,
                  secret,
                  CredentialSecret.revoked(request, name, clock.instant())));
    }
    String revoked = status.leaseId == null ? "" : " of lease " + status.leaseId;
    statusWriter.revoked(outcome, clock.instant());
    events.record(
        request,
        EventReason.Revoked,
        "revoked the credential" + revoked + " (" + why.reason() + "): " + why.message());
    return after;
  }

  /**
   * iam_user: deletes the previous lease's key once its overlap is over (status.retiringKey,
   * recorded with the lease that replaced it). Every other key but the current one goes too, so
   * that nothing an interrupted step left survives it.
   */
  void retireDue(RequestOutcome outcome) {
    AwsCredentialRequest request = outcome.resource();
    AwsCredentialRequestStatus status = outcome.status();
    if (status.iamUserName == null
        || status.accessKeyId == null
        || status.pendingLease != null
        || !RotationTiming.retireDue(status.retiringKey, clock.instant())) {
      return;
    }
    issuer.retireOtherKeys(configFor(status), status.iamUserName, status.accessKeyId);
    LOG.debugf(
        "AwsCredentialRequest %s: the previous key's overlap is over; deleted it",
        AwsCredentialRequestReconciler.key(request));
    statusWriter.retired(outcome);
  }

  /**
   * A request being deleted: its IAM user (the only credential AWS can revoke) is deleted before
   * the finalizer is removed; STS credentials go with the Secret, which the request owns.
   */
  UpdateControl<AwsCredentialRequest> whenDeleted(AwsCredentialRequest request) {
    if (!request.hasFinalizer(AwsCredentialRequestReconciler.FINALIZER)) {
      metrics.forget(AwsCredentialRequestReconciler.key(request));
      return UpdateControl.noUpdate();
    }
    AwsCredentialRequestStatus status = RequestStatusWriter.statusOf(request);
    if (status.iamUserName == null) {
      // The cache may predate the write-ahead that named the user: ask before letting go.
      AwsCredentialRequest fresh = client.resource(request).get();
      if (fresh == null) {
        metrics.forget(AwsCredentialRequestReconciler.key(request));
        return UpdateControl.noUpdate();
      }
      request = fresh;
      status = RequestStatusWriter.statusOf(request);
    }
    if (status.iamUserName != null) {
      try {
        Instant started = clock.instant();
        issuer.revokeUser(
            configFor(status),
            status.iamUserName,
            IamUsers.mayBeInvisible(status, clock.instant()));
        metrics.revoked("iam_user", Duration.between(started, clock.instant()));
        events.record(
            request,
            EventReason.Revoked,
            "request deleted: deleted IAM user " + status.iamUserName + " and its keys");
      } catch (UserError | AwsFailure e) {
        Reason reason = e instanceof UserError u ? u.reason() : ((AwsFailure) e).reason();
        LOG.infof(
            "AwsCredentialRequest %s: revocation failed (%s), will retry",
            AwsCredentialRequestReconciler.key(request), e.getMessage());
        if (statusWriter.revocationFailed(request, reason, e.getMessage())) {
          events.record(request, EventReason.RevocationFailed, e.getMessage());
        }
        return UpdateControl.<AwsCredentialRequest>noUpdate()
            .rescheduleAfter(RETRY_REVOCATION.toMillis());
      }
    }
    PrimaryUpdateAndCacheUtils.removeFinalizer(
        client, request, AwsCredentialRequestReconciler.FINALIZER);
    metrics.forget(AwsCredentialRequestReconciler.key(request));
    return UpdateControl.noUpdate();
  }

  private ResolvedAuthConfig configFor(AwsCredentialRequestStatus status) {
    return configs.resolve(
        status.authConfigRef == null ? Groups.DEFAULT_AUTH_CONFIG : status.authConfigRef);
  }
}
