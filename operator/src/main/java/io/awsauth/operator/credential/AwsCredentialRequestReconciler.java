package io.awsauth.operator.credential;

import static io.awsauth.operator.status.Conditions.READY;

import com.fasterxml.jackson.databind.JsonNode;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.authconfig.AuthConfigs;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.sdk.AwsErrors;
import io.awsauth.operator.cache.LeanItemStore;
import io.awsauth.operator.credential.LeasePlan.Facts;
import io.awsauth.operator.credential.LeasePlan.Issue;
import io.awsauth.operator.credential.LeasePlan.Keep;
import io.awsauth.operator.credential.LeasePlan.Next;
import io.awsauth.operator.credential.LeasePlan.Plan;
import io.awsauth.operator.credential.LeasePlan.RecordFromSecret;
import io.awsauth.operator.credential.LeasePlan.Refuse;
import io.awsauth.operator.credential.LeasePlan.Resume;
import io.awsauth.operator.credential.LeasePlan.Verify;
import io.awsauth.operator.identity.IdentityVerdict;
import io.awsauth.operator.identity.IdentityVerification;
import io.awsauth.operator.metrics.OperatorMetrics;
import io.awsauth.operator.status.EventRecorder;
import io.awsauth.operator.status.UserError;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One lease per AwsCredentialRequest (Vault's {@code aws/creds/<role>} and {@code aws/sts/<role>}):
 * verifies who asks, issues the credential, writes it to the request's Secret, renews it at
 * renewAt, and revokes it on expiry, denial, role deletion and request deletion.
 *
 * <p>Each reconcile reads what the request needs, asks {@link LeasePlan} what to do, has {@link
 * Revocation} or {@link Issuance} do it, has {@link RestartStep} restart the workloads a rotation
 * made due for a restart, and hands the outcome to {@link RequestStatusWriter}, the one writer of
 * the request's status. A lease that is held and not yet due costs no AWS call, so a restart
 * re-issues nothing.
 */
@ControllerConfiguration(
    name = AwsCredentialRequestReconciler.NAME,
    informer = @Informer(itemStore = AwsCredentialRequestReconciler.RequestStore.class),
    // The reconciler keeps its own finalizer, on iam_user requests only (see FINALIZER), and is
    // called for deletions: JOSDK's automatic finalizer cost every request a write and a watch
    // round trip before its first issuance (wired by
    // io.awsauth.operator.runtime.OperatorRegistration).
    triggerReconcilerOnAllEvents = true,
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
public class AwsCredentialRequestReconciler implements Reconciler<AwsCredentialRequest> {
  /** The cache of requests, without their managedFields. */
  public static final class RequestStore extends LeanItemStore<AwsCredentialRequest> {}

  /** The controller's name, which is also its field manager for status writes. */
  public static final String NAME = "awscredentialrequest";

  /**
   * Held by a request while it may own an IAM user (set before the first IAM call), so that the
   * user is deleted before the request goes; and by assumed_role and federation_token requests (set
   * before the first STS call), so that their credential is denied at AWS before the request goes.
   * session_token requests carry none: their credential goes with the Secret, which the request
   * owns. (The name is the one JOSDK gave every request before, so requests of earlier versions are
   * released the same way.)
   */
  public static final String FINALIZER = "awscredentialrequests.awsauth.io/finalizer";

  public static final String IDENTITY_VERIFIED = "IdentityVerified";
  public static final String ISSUED = "Issued";
  public static final String REVOCATION_FAILED = "RevocationFailed";
  public static final String ROTATION_IN_TIME = "RotationInTime";

  private static final Logger LOG = Logger.getLogger(AwsCredentialRequestReconciler.class);

  private final AuthConfigs configs;
  private final IdentityVerification identities;
  private final Issuance issuance;
  private final Revocation revocation;
  private final CredentialSecretWriter secrets;
  private final RequestStatusWriter statusWriter;
  private final RestartStep restarts;
  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final Clock clock;

  public AwsCredentialRequestReconciler(
      AuthConfigs configs,
      IdentityVerification identities,
      Issuance issuance,
      Revocation revocation,
      CredentialSecretWriter secrets,
      RequestStatusWriter statusWriter,
      RestartStep restarts,
      EventRecorder events,
      OperatorMetrics metrics,
      Clock clock) {
    this.configs = configs;
    this.identities = identities;
    this.issuance = issuance;
    this.revocation = revocation;
    this.secrets = secrets;
    this.statusWriter = statusWriter;
    this.restarts = restarts;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Read what the request needs, decide ({@link LeasePlan}), act, and record the outcome once. */
  @Override
  public UpdateControl<AwsCredentialRequest> reconcile(
      AwsCredentialRequest request, Context<AwsCredentialRequest> context) {
    if (context.isPrimaryResourceDeleted()) {
      // Gone from the API server: nothing held it back, so it held no IAM user.
      metrics.forget(key(request));
      return UpdateControl.noUpdate();
    }
    if (request.isMarkedForDeletion()) {
      return revocation.whenDeleted(request);
    }
    Optional<Secret> secret = secrets.current(request, context);
    if (!statusWriter.catchUp(request, secret.flatMap(CredentialSecret::leaseId))) {
      return UpdateControl.noUpdate();
    }
    Instant refusedSince = refusedSince(request);
    RequestOutcome outcome = statusWriter.begin(request);
    AwsCredentialRequestStatus status = outcome.status();
    if (status.secretName != null && !status.secretName.equals(secretName(request))) {
      secrets.emptyAbandoned(request, status.secretName, clock.instant());
    }
    status.secretName = secretName(request);
    Duration next;
    try {
      next = lifecycle(outcome, secret, context);
    } catch (UserError e) {
      statusWriter.notIssued(outcome, e.reason(), e.getMessage());
      next = LeasePlan.waitFor(e.reason(), refusedSince, clock.instant());
    } catch (AwsFailure e) {
      if (!e.isTerminal()) {
        throw e;
      }
      statusWriter.notIssued(outcome, e.reason(), e.getMessage());
      next = LeasePlan.waitFor(e.reason(), refusedSince, clock.instant());
    }
    Duration restart = restarts.run(outcome);
    outcome.build(true);
    if (!issuedNow(outcome.before(), status)) {
      // (an issuance announces itself: Issued or Rotated; one Event per issuance is enough)
      events.announceTransition(request, outcome.before(), status, READY, "Issue");
    }
    statusWriter.record(outcome, context);
    boolean podBound =
        request.getSpec().identity != null && request.getSpec().identity.podName != null;
    next = LeasePlan.lookAgain(status, next, podBound, clock.instant());
    if (restart != null && (next == null || restart.compareTo(next) < 0)) {
      next = restart;
    }
    recordLease(request, status);
    UpdateControl<AwsCredentialRequest> control = UpdateControl.noUpdate();
    return next == null ? control : control.rescheduleAfter(next.toMillis());
  }

  /** Since when the request has not been issued (Issued=False as read), or null. */
  private static Instant refusedSince(AwsCredentialRequest request) {
    if (request.getStatus() == null) {
      return null;
    }
    return request
        .getStatus()
        .condition(ISSUED)
        .filter(c -> "False".equals(c.getStatus()) && c.getLastTransitionTime() != null)
        .map(c -> Instant.parse(c.getLastTransitionTime()))
        .orElse(null);
  }

  /** Plans, then performs the plan; returns when to look again (null: only on a change). */
  private Duration lifecycle(
      RequestOutcome outcome, Optional<Secret> secret, Context<AwsCredentialRequest> context) {
    AwsCredentialRequest request = outcome.resource();
    revocation.retireDue(outcome);
    revocation.finishPending(outcome);
    revocation.denyRetired(request, false);
    VaultAwsRole role = context.getSecondaryResource(VaultAwsRole.class).orElse(null);
    LeasePlan.RoleView roleView = LeasePlan.RoleView.of(request.getSpec().roleRef, role);
    Instant now = clock.instant();
    Plan plan = LeasePlan.beforeIdentity(Facts.of(request, secret, roleView, now));
    secret = revokeIfPlanned(outcome, secret, context, plan);
    if (plan.next() instanceof Refuse refuse) {
      throw new UserError(refuse.reason(), refuse.message());
    }
    boolean fresh = ((Verify) plan.next()).fresh();
    ResolvedAuthConfig config = configs.resolve(role.getSpec().authConfigRef);
    LeaseTerms terms =
        LeaseTerms.of(
            request,
            role.getSpec(),
            config.accountId(),
            Boolean.TRUE.equals(config.config().getStatus().sessionCredentials));
    if (fresh) {
      LOG.debugf(
          "AwsCredentialRequest %s: issuing (lease %s)", key(request), request.getStatus().leaseId);
    }
    boolean serviceAccountExists = context.getSecondaryResource(ServiceAccount.class).isPresent();
    IdentityVerdict verdict = identities.verify(request, role, fresh, serviceAccountExists);
    plan =
        LeasePlan.afterIdentity(
            Facts.of(request, secret, roleView, now), verdict, terms.type().isSts());
    if (!(plan.next() instanceof Keep keep && !keep.recordVerdict())) {
      statusWriter.identity(outcome, verdict);
    }
    secret = revokeIfPlanned(outcome, secret, context, plan);
    Next next = plan.next();
    if (next instanceof Refuse refuse) {
      throw new UserError(refuse.reason(), refuse.message());
    }
    if (next instanceof Keep keep) {
      if (SessionRevoker.revocable(request.getStatus(), now) && !request.hasFinalizer(FINALIZER)) {
        // a lease issued by a version that did not deny STS credentials at AWS
        issuance.holdFinalizer(request, context);
      }
      request.getStatus().renewAt = keep.renewAt().toString();
      statusWriter.ready(outcome, terms);
      return Renewal.untilNext(now, keep.renewAt());
    }
    if (next instanceof Resume resume) {
      return issuance.resume(
          outcome, role, config, terms, secret.orElseThrow(), resume.pending(), resume.rotation());
    }
    if (next instanceof RecordFromSecret found) {
      return issuance.recordFromSecret(outcome, terms, role, found.lease(), found.rotation());
    }
    return issuance.issue(outcome, role, config, terms, secret, context, ((Issue) next).rotation());
  }

  private Optional<Secret> revokeIfPlanned(
      RequestOutcome outcome,
      Optional<Secret> secret,
      Context<AwsCredentialRequest> context,
      Plan plan) {
    return plan.revoke().isPresent()
        ? revocation.revoke(outcome, secret, context, plan.revoke().get())
        : secret;
  }

  /** Whether this reconcile issued (or finished issuing) the lease that makes the request Ready. */
  private static boolean issuedNow(JsonNode before, AwsCredentialRequestStatus status) {
    return status.isTrue(READY)
        && status.leaseId != null
        && (before == null || !status.leaseId.equals(before.path("leaseId").asText(null)));
  }

  private void recordLease(AwsCredentialRequest request, AwsCredentialRequestStatus status) {
    metrics.lease(
        key(request),
        RequestStatusWriter.leaseState(status),
        status.expiresAt == null ? null : Instant.parse(status.expiresAt));
  }

  static String key(AwsCredentialRequest request) {
    return request.getMetadata().getNamespace() + "/" + request.getMetadata().getName();
  }

  @Override
  public ErrorStatusUpdateControl<AwsCredentialRequest> updateErrorStatus(
      AwsCredentialRequest request, Context<AwsCredentialRequest> context, Exception e) {
    AwsFailure failure = AwsErrors.classify("reconcile", e);
    LOG.infof("AwsCredentialRequest %s: %s (will retry)", key(request), failure.getMessage());
    RequestOutcome outcome = statusWriter.begin(request);
    AwsCredentialRequestStatus status = outcome.status();
    if (!status.isTrue(READY) || !statusWriter.stillUsable(status)) {
      // (a Ready lease keeps its Ready message through a passing failure, not past its expiry)
      statusWriter.notIssued(outcome, failure.reason(), failure.getMessage() + " (will retry)");
    }
    outcome.build(false);
    events.announceTransition(request, outcome.before(), status, READY, "Issue");
    try {
      statusWriter.record(outcome, context);
    } catch (KubernetesClientException written) {
      LOG.debugf("could not record the failure of %s: %s", key(request), written.getCode());
    }
    recordLease(request, status);
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  static String secretName(AwsCredentialRequest request) {
    return CredentialSecretWriter.secretName(request);
  }

  /** What requests read besides themselves: {@link RequestEventSources}. */
  @Override
  public List<EventSource<?, AwsCredentialRequest>> prepareEventSources(
      EventSourceContext<AwsCredentialRequest> context) {
    return RequestEventSources.of(context);
  }
}
