package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.RetiredSession;
import io.awsauth.operator.api.v1alpha1.EventReason;
import io.awsauth.operator.api.v1alpha1.Groups;
import io.awsauth.operator.api.v1alpha1.Reason;
import io.awsauth.operator.authconfig.AuthConfigs;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.credential.LeasePlan.Revoke;
import io.awsauth.operator.faults.CrashPoints;
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
 * Ends leases: the IAM user (iam_user) is deleted with its keys, policies and groups; an
 * assumed_role or federation_token credential that has not expired is denied at AWS ({@link
 * SessionRevoker}); the Secret no longer holds the credential. A session_token credential cannot be
 * denied alone (its aws:userid is the operator's own user): it leaves the Secret and stays valid
 * until it expires. One revocation, one {@code Revoked} Event.
 *
 * <p>A denial is recorded in status.revocation (RevocationPending) before the deny policy is
 * written, and {@link #finishPending} completes one a crash interrupted; the request being deleted
 * keeps its finalizer until the policy is written.
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
  private final SessionRevoker sessions;
  private final CutoffReissue cutoffs;
  private final DenyPolicyPrune prune;
  private final CrashPoints crashPoints;
  private final Clock clock;

  public Revocation(
      KubernetesClient client,
      AuthConfigs configs,
      Issuer issuer,
      CredentialSecretWriter secrets,
      RequestStatusWriter statusWriter,
      EventRecorder events,
      OperatorMetrics metrics,
      SessionRevoker sessions,
      CutoffReissue cutoffs,
      DenyPolicyPrune prune,
      CrashPoints crashPoints,
      Clock clock) {
    this.client = client;
    this.configs = configs;
    this.issuer = issuer;
    this.sessions = sessions;
    this.cutoffs = cutoffs;
    this.prune = prune;
    this.crashPoints = crashPoints;
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
    boolean denied = denySession(request, why.reason());
    denyRetired(request, true);
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
        "revoked the credential"
            + revoked
            + (denied ? ", denied at AWS until it expires" : "")
            + " ("
            + why.reason()
            + "): "
            + why.message());
    return after;
  }

  /**
   * Denies at AWS the assumed_role or federation_token credential the status holds, when it has not
   * expired (returns whether it did): the intent goes to status.revocation (RevocationPending)
   * before the deny policy is written. A terminal AWS refusal is recorded as RevocationFailed (the
   * credential works until it expires); a transient one is rethrown, and the next reconcile
   * finishes the recorded intent.
   */
  boolean denySession(AwsCredentialRequest request, String why) {
    AwsCredentialRequestStatus status = RequestStatusWriter.statusOf(request);
    if (!pending(status)) {
      if (!SessionRevoker.revocable(status, clock.instant())) {
        return false;
      }
      String configName = configName(status);
      Optional<AwsCredentialRequestStatus.Revocation> intent =
          sessions.intent(status, configs.resolve(configName), configName, why, clock.instant());
      if (intent.isEmpty()) {
        return false;
      }
      status.revocation = intent.get();
      statusWriter.writeAhead(request);
      crashPoints.passed("RecordRevocation");
    }
    return finish(request, status.revocation, false);
  }

  /**
   * A rotation to lease {@code successor} retires the lease the status still holds: its record
   * (status.retiredSessions, {@link RetiredSessions}), when it is an assumed_role or
   * federation_token credential that is still valid. Reads the role's unique ID.
   */
  Optional<RetiredSession> retire(AwsCredentialRequest request, String successor) {
    AwsCredentialRequestStatus status = RequestStatusWriter.statusOf(request);
    Instant now = clock.instant();
    Optional<String> reason =
        RetiredSessions.retires(status, LeaseTerms.fingerprint(request.getSpec()), now);
    if (reason.isEmpty()) {
      return Optional.empty();
    }
    String configName = configName(status);
    return sessions
        .intent(status, configs.resolve(configName), configName, reason.get(), now)
        .map(intent -> RetiredSessions.of(intent, successor));
  }

  /**
   * Denies at AWS the previous credentials of status.retiredSessions whose time has come, or every
   * pending one ({@code all}: the request is deleted, or its lease revoked); drops the expired.
   */
  void denyRetired(AwsCredentialRequest request, boolean all) {
    AwsCredentialRequestStatus status = RequestStatusWriter.statusOf(request);
    Instant now = clock.instant();
    for (RetiredSession r : RetiredSessions.due(status.retiredSessions, now, all)) {
      if (finish(request, r, true)) {
        crashPoints.passed("DenyRetiredSession");
        events.record(
            request,
            EventReason.Revoked,
            "denied at AWS the previous credential of lease "
                + r.leaseId
                + " ("
                + r.reason
                + "), replaced by lease "
                + r.supersededBy
                + (r.denyAt != null && !all
                    ? " on which the rolloutRestartTargets were restarted"
                    : ": the request "
                        + (request.isMarkedForDeletion() ? "is deleted" : "is revoked")));
      }
    }
    status.retiredSessions = RetiredSessions.with(status.retiredSessions, Optional.empty(), now);
  }

  /** A denial recorded before a crash (or a transient failure): written now. */
  void finishPending(RequestOutcome outcome) {
    if (pending(outcome.status())) {
      finish(outcome.resource(), outcome.status().revocation, false);
    }
  }

  private static boolean pending(AwsCredentialRequestStatus status) {
    return status.revocation != null
        && AwsCredentialRequestStatus.Revocation.PENDING.equals(status.revocation.state);
  }

  /**
   * Writes the deny policy for {@code r} and records the outcome in it; {@code ownLeaseCovered}: a
   * cutoff also denies the request's own current lease (a retired session's successor), which is
   * then re-issued with the others.
   */
  private boolean finish(
      AwsCredentialRequest request,
      AwsCredentialRequestStatus.Revocation r,
      boolean ownLeaseCovered) {
    Instant started = clock.instant();
    SessionRevoker.Denied denied;
    try {
      denied = sessions.deny(configs.resolve(r.authConfigRef), r, clock.instant());
    } catch (AwsFailure e) {
      if (!e.isTerminal()) {
        throw e;
      }
      r.state = AwsCredentialRequestStatus.Revocation.FAILED;
      r.message = e.getMessage();
      metrics.sessionRevoked(r.credentialType, "failed", null);
      events.record(
          request,
          EventReason.RevocationFailed,
          "could not deny lease "
              + r.leaseId
              + " at AWS; it works until "
              + r.expiresAt
              + ": "
              + e.getMessage());
      return false;
    }
    crashPoints.passed("DenySession");
    // the statement goes once the credential has expired anyway
    prune.written(r.policyHolder, r.authConfigRef, denied.nextPrune());
    r.state = AwsCredentialRequestStatus.Revocation.REVOKED;
    r.revokedAt = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    r.message = null;
    metrics.sessionRevoked(
        r.credentialType,
        denied.outcome().name().toLowerCase(java.util.Locale.ROOT),
        Duration.between(started, clock.instant()));
    LOG.debugf(
        "AwsCredentialRequest %s: lease %s denied at AWS (%s; the policy on %s holds %d"
            + " statements, %d characters)",
        AwsCredentialRequestReconciler.key(request),
        r.leaseId,
        denied.outcome(),
        r.policyHolder,
        denied.statements(),
        denied.policySize());
    if (denied.cutoffAt().isPresent()) {
      // (also when the cutoff was found, not written: a crash may have come before the re-issues)
      r.cutoffAt = denied.cutoffAt().get().toString();
      int reissued = cutoffs.reissueCovered(request, r, denied.cutoffAt().get(), ownLeaseCovered);
      if (denied.outcome() != SessionRevoker.Outcome.CUTOFF) {
        return true;
      }
      events.record(
          request,
          EventReason.RevocationCutoff,
          "the deny policy on "
              + r.policyHolder
              + " would exceed AWS's size limit: every session it covers issued before "
              + r.cutoffAt
              + " is denied; "
              + reissued
              + " other lease(s) of this operator are re-issued");
    }
    return true;
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
    if (status.iamUserName == null) {
      try {
        denyRetired(request, true);
        denySession(request, "RequestDeleted");
      } catch (UserError | AwsFailure e) {
        Reason reason = e instanceof UserError u ? u.reason() : ((AwsFailure) e).reason();
        LOG.infof(
            "AwsCredentialRequest %s: denying its session failed (%s), will retry",
            AwsCredentialRequestReconciler.key(request), e.getMessage());
        if (statusWriter.revocationFailed(request, reason, e.getMessage())) {
          events.record(request, EventReason.RevocationFailed, e.getMessage());
        }
        return UpdateControl.<AwsCredentialRequest>noUpdate()
            .rescheduleAfter(RETRY_REVOCATION.toMillis());
      }
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
    return configs.resolve(configName(status));
  }

  private static String configName(AwsCredentialRequestStatus status) {
    return status.authConfigRef == null ? Groups.DEFAULT_AUTH_CONFIG : status.authConfigRef;
  }
}
