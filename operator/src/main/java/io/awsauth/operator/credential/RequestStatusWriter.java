package io.awsauth.operator.credential;

import static io.awsauth.operator.status.Conditions.READY;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.RestartPending;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.RetiredSession;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.RetiringKey;
import io.awsauth.operator.api.v1alpha1.Durations;
import io.awsauth.operator.api.v1alpha1.Reason;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.faults.CrashPoints;
import io.awsauth.operator.identity.IdentityVerdict;
import io.awsauth.operator.metrics.OperatorMetrics;
import io.awsauth.operator.status.Conditions;
import io.awsauth.operator.status.StatusUpdates;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The one writer of an AwsCredentialRequest's status: it builds the lease fields and conditions of
 * each outcome (issued, not issued, revoked, revocation failed) and writes the status once per
 * reconcile, only when it changed.
 *
 * <p>A write that meets {@code 409 Conflict} (the request changed since it was read) re-reads the
 * request and records the same outcome on it: the AWS calls behind that outcome were made, and
 * running the reconcile again would make them a second time (two revocations, two Events).
 */
@ApplicationScoped
public class RequestStatusWriter {
  private static final Logger LOG = Logger.getLogger(RequestStatusWriter.class);
  private static final int MAX_CONFLICTS = 3;

  /** Where the status goes: the API server, or a test's fake. */
  interface StatusStore {
    /** Writes the status, failing with 409 when the request's resourceVersion is not current. */
    AwsCredentialRequest patchStatus(AwsCredentialRequest request);

    /** The request as the API server has it now, or empty when it is gone. */
    Optional<AwsCredentialRequest> read(AwsCredentialRequest request);

    /** Writes status outside the optimistic lock (the write-ahead record before an AWS call). */
    AwsCredentialRequest applyStatus(AwsCredentialRequest request);
  }

  private final StatusStore store;
  private final Conditions conditions;
  private final CrashPoints crashPoints;
  private final OperatorMetrics metrics;
  private final Clock clock;

  @Inject
  public RequestStatusWriter(
      KubernetesClient client, Clock clock, CrashPoints crashPoints, OperatorMetrics metrics) {
    this(new ApiServer(client), clock, crashPoints, metrics);
  }

  RequestStatusWriter(
      StatusStore store, Clock clock, CrashPoints crashPoints, OperatorMetrics metrics) {
    this.store = store;
    this.conditions = new Conditions(clock);
    this.crashPoints = crashPoints;
    this.metrics = metrics;
    this.clock = clock;
  }

  static AwsCredentialRequestStatus statusOf(AwsCredentialRequest request) {
    if (request.getStatus() == null) {
      request.setStatus(new AwsCredentialRequestStatus());
    }
    return request.getStatus();
  }

  // ---- building ----

  /**
   * The outcome of one reconcile of {@code request}, gathered by a {@link StatusAggregator} (as for
   * every kind) and written once by {@link #record}.
   */
  RequestOutcome begin(AwsCredentialRequest request) {
    return new RequestOutcome(request, conditions);
  }

  void identity(RequestOutcome outcome, IdentityVerdict verdict) {
    outcome.condition(
        AwsCredentialRequestReconciler.IDENTITY_VERIFIED,
        verdict.allowed(),
        verdict.reason(),
        verdict.message());
  }

  /**
   * No (next) credential: the reason on Ready and Issued, or on Ready's message while one holds.
   */
  void notIssued(RequestOutcome outcome, Reason reason, String message) {
    metrics.reconcileError("AwsCredentialRequest", reason.name());
    AwsCredentialRequestStatus status = outcome.status();
    if (stillUsable(status)) {
      // The current credential still works; the problem is with the next one.
      outcome.condition(
          READY,
          true,
          AwsCredentialRequestReason.CredentialReady,
          "Secret "
              + status.secretName
              + " holds a working credential until "
              + status.expiresAt
              + "; the next one cannot be issued yet ("
              + reason.name()
              + ": "
              + message
              + ")");
      return;
    }
    outcome
        .condition(AwsCredentialRequestReconciler.ISSUED, false, reason, message)
        .condition(READY, false, reason, message);
  }

  /**
   * A lease was issued (or found issued): its fields, Issued and Ready. {@code permissionsGiven}:
   * iam_user, this issuance gave the user {@code role}'s permissions (or found them given), so the
   * next rotation may create only a key ({@link IamUsers#keyOnly}); a resumed issuance does not
   * know which role's permissions the interrupted attempt gave.
   */
  void issued(
      RequestOutcome outcome,
      LeaseTerms terms,
      String leaseId,
      IssuedCredential credential,
      VaultAwsRole role,
      Optional<RetiringKey> retiring,
      boolean permissionsGiven) {
    AwsCredentialRequest request = outcome.resource();
    AwsCredentialRequestStatus status = outcome.status();
    status.retiringKey = retiring.orElse(null);
    status.leaseId = leaseId;
    status.credentialType = terms.type().wireName();
    status.accessKeyId = credential.accessKeyId();
    status.principalArn = credential.principalArn();
    status.issuedAt = credential.issuedAt().truncatedTo(ChronoUnit.SECONDS).toString();
    status.expiresAt = credential.expiresAt().truncatedTo(ChronoUnit.SECONDS).toString();
    status.ttl = Durations.format(terms.ttl());
    status.authConfigRef = role.getSpec().authConfigRef;
    status.issuedFor = LeaseTerms.fingerprint(request.getSpec());
    status.permissionsFor =
        terms.type().isSts() || !permissionsGiven ? null : IamUsers.permissions(role.getSpec());
    status.pendingLease = null;
    status.revokedAt = null;
    status.usableAfter = credential.usableAfter().map(RequestStatusWriter::seconds).orElse(null);
    status.sourceIdentity = credential.sourceIdentity().orElse(null);
    status.issueNote = credential.note().orElse(null);
    status.renewAt = renewAt(request, status).toString();
    status.reissuedAfterCutoff = null;
    outcome.remove(AwsCredentialRequestReconciler.REVOCATION_FAILED);
    ready(outcome, terms);
  }

  /**
   * The lease just issued replaced one that a role-wide cutoff at {@code cutoffAt} denied: Issued
   * says so (reason ReissuedAfterCutoff) for as long as this lease is held.
   */
  void reissuedAfterCutoff(RequestOutcome outcome, LeaseTerms terms, Instant cutoffAt) {
    outcome.status().reissuedAfterCutoff = cutoffAt.toString();
    ready(outcome, terms);
  }

  /** The lease held is good: Issued and Ready say so. */
  void ready(RequestOutcome outcome, LeaseTerms terms) {
    AwsCredentialRequestStatus status = outcome.status();
    String ttl =
        "ttl "
            + status.ttl
            + terms.shortenedBecause().map(why -> " (shortened: " + why + ")").orElse("")
            + (status.issueNote == null ? "" : "; " + status.issueNote);
    String issued = terms.type().wireName() + " credential for " + status.principalArn + ", " + ttl;
    outcome
        .condition(
            AwsCredentialRequestReconciler.ISSUED,
            true,
            status.reissuedAfterCutoff == null
                ? AwsCredentialRequestReason.Issued
                : AwsCredentialRequestReason.ReissuedAfterCutoff,
            status.reissuedAfterCutoff == null
                ? issued
                : issued
                    + "; re-issued because the deny policy of its role (or of the operator's"
                    + " user) was full: every session issued before "
                    + status.reissuedAfterCutoff
                    + " is refused at AWS")
        .condition(
            READY,
            true,
            AwsCredentialRequestReason.CredentialReady,
            "Secret "
                + status.secretName
                + " holds a working credential until "
                + status.expiresAt);
    if (status.issuedAt == null || status.expiresAt == null || status.renewAt == null) {
      return;
    }
    RotationTiming.Verdict timing =
        RotationTiming.check(
            Instant.parse(status.issuedAt),
            Instant.parse(status.expiresAt),
            Instant.parse(status.renewAt),
            !terms.type().isSts());
    outcome.condition(
        AwsCredentialRequestReconciler.ROTATION_IN_TIME,
        timing.inTime(),
        timing.inTime()
            ? AwsCredentialRequestReason.RotationInTime
            : AwsCredentialRequestReason.RenewBeforeTooShort,
        timing.message());
  }

  /**
   * A rotation produced {@code leaseId}: the rolloutRestartTargets owe a restart for it ({@link
   * RestartPlan}), replacing any restart owed for an earlier lease, time and all.
   */
  void restartDue(RequestOutcome outcome, String leaseId) {
    AwsCredentialRequestStatus status = outcome.status();
    if (leaseId.equals(status.restartedFor)) {
      return;
    }
    status.restartPending = new RestartPending();
    status.restartPending.leaseId = leaseId;
  }

  /** The restart owed was given its time (whole seconds, {@link RestartSpread}). */
  void restartScheduled(RequestOutcome outcome, Instant at) {
    outcome.status().restartPending.restartAt = at.toString();
  }

  /** The restart owed for the lease was done. */
  void restarted(RequestOutcome outcome, String leaseId) {
    outcome.status().restartedFor = leaseId;
    outcome.status().restartPending = null;
  }

  /** The restart recorded is no longer owed. */
  void restartDropped(RequestOutcome outcome) {
    outcome.status().restartPending = null;
  }

  /**
   * A rotation retired the previous STS credential ({@link RetiredSessions}); drops the expired.
   */
  void retiredSession(RequestOutcome outcome, Optional<RetiredSession> retired, Instant now) {
    AwsCredentialRequestStatus status = outcome.status();
    status.retiredSessions = RetiredSessions.with(status.retiredSessions, retired, now);
  }

  /** The previous key's overlap is over and it was deleted. */
  void retired(RequestOutcome outcome) {
    outcome.status().retiringKey = null;
  }

  /** The lease is over: no lease fields, the time it was revoked. */
  void revoked(RequestOutcome outcome, Instant at) {
    AwsCredentialRequestStatus status = outcome.status();
    status.iamUserName = null;
    status.leaseId = null;
    status.accessKeyId = null;
    status.principalArn = null;
    status.issuedAt = null;
    status.expiresAt = null;
    status.renewAt = null;
    status.usableAfter = null;
    status.sourceIdentity = null;
    status.issueNote = null;
    status.issuedFor = null;
    status.permissionsFor = null;
    status.pendingLease = null;
    status.retiringKey = null;
    status.restartPending = null;
    status.reissuedAfterCutoff = null;
    status.revokedAt = at.truncatedTo(ChronoUnit.SECONDS).toString();
    outcome.remove(AwsCredentialRequestReconciler.REVOCATION_FAILED);
    outcome.remove(AwsCredentialRequestReconciler.ROTATION_IN_TIME);
  }

  /**
   * The IAM user of a request being deleted is not gone yet: RevocationFailed says why, written at
   * once (the reconcile returns without a status write). Returns whether it changed.
   */
  boolean revocationFailed(AwsCredentialRequest request, Reason reason, String message) {
    RequestOutcome outcome = begin(request);
    outcome.condition(
        AwsCredentialRequestReconciler.REVOCATION_FAILED,
        true,
        reason,
        (outcome.status().iamUserName != null
                ? "IAM user " + outcome.status().iamUserName + " is not revoked yet: "
                : "the credential of lease "
                    + outcome.status().leaseId
                    + " is not denied at AWS yet: ")
            + message);
    outcome.build(false);
    if (!outcome.changed()) {
      return false;
    }
    try {
      store.applyStatus(request);
    } catch (KubernetesClientException e) {
      LOG.debugf("could not record RevocationFailed: %s", e.getCode());
    }
    return true;
  }

  static Instant renewAt(AwsCredentialRequest request, AwsCredentialRequestStatus status) {
    return Renewal.renewAt(
        Instant.parse(status.issuedAt),
        Instant.parse(status.expiresAt),
        Optional.ofNullable(request.getSpec().renewBefore).map(Durations::parse));
  }

  /** What the lease is, for the lease gauges. */
  static OperatorMetrics.State leaseState(AwsCredentialRequestStatus status) {
    if (status.pendingLease != null) {
      return OperatorMetrics.State.ISSUING;
    }
    if (status.isTrue(READY)) {
      return OperatorMetrics.State.READY;
    }
    return status.revokedAt != null && status.leaseId == null
        ? OperatorMetrics.State.REVOKED
        : OperatorMetrics.State.NOT_ISSUED;
  }

  /**
   * Whether the lease the status records is still one a workload can use: held, not half-issued,
   * and not past its expiry. A lease whose renewal kept failing until it expired is not Ready.
   */
  boolean stillUsable(AwsCredentialRequestStatus status) {
    return holdsLease(status)
        && status.pendingLease == null
        && (status.expiresAt == null
            || !Renewal.expired(clock.instant(), Instant.parse(status.expiresAt)));
  }

  static boolean holdsLease(AwsCredentialRequestStatus status) {
    return status.leaseId != null || status.iamUserName != null;
  }

  // ---- reading and writing ----

  /**
   * The cache may still hold the status from before the last issuance finished (the write-ahead
   * version, or the one before the status write) while the Secret already holds the new lease; the
   * API server knows, and asking it is cheaper than issuing twice. False when the request is gone.
   */
  boolean catchUp(AwsCredentialRequest request, Optional<String> leaseInSecret) {
    AwsCredentialRequestStatus cached = request.getStatus();
    if ((cached == null || cached.pendingLease == null)
        && (leaseInSecret.isEmpty()
            || (cached != null && leaseInSecret.get().equals(cached.leaseId)))) {
      return true;
    }
    AwsCredentialRequest fresh = store.read(request).orElse(null);
    if (fresh == null) {
      return false;
    }
    if (fresh.getStatus() != null
        && fresh.getStatus().pendingLease == null
        && fresh.getMetadata().getGeneration().equals(request.getMetadata().getGeneration())) {
      request.setStatus(fresh.getStatus());
      request.getMetadata().setResourceVersion(fresh.getMetadata().getResourceVersion());
    }
    return true;
  }

  /**
   * Writes status before the first AWS call of an iam_user issuance, the way the framework does
   * (server-side apply, the controller's field manager), so that its later writes own these fields.
   */
  void writeAhead(AwsCredentialRequest request) {
    AwsCredentialRequest written = store.applyStatus(request);
    request.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
    crashPoints.passed("WriteAhead");
  }

  /**
   * Writes the built status when it differs from the one the reconcile started from, and puts the
   * result in the controller's cache, so that the next reconcile starts from it.
   */
  void record(RequestOutcome outcome, Context<AwsCredentialRequest> context) {
    if (!outcome.changed()) {
      return;
    }
    AwsCredentialRequest request = outcome.resource();
    String readVersion = request.getMetadata().getResourceVersion();
    write(request)
        .ifPresent(
            written -> {
              AwsCredentialRequest original = new AwsCredentialRequest();
              original.setMetadata(
                  new ObjectMetaBuilder(request.getMetadata())
                      .withResourceVersion(readVersion)
                      .build());
              context
                  .eventSourceRetriever()
                  .getControllerEventSource()
                  .handleRecentResourceUpdate(ResourceID.fromResource(written), written, original);
            });
  }

  /**
   * Writes the request's status; on a conflict, onto the request as the API server has it now.
   * Empty when the request is gone.
   */
  Optional<AwsCredentialRequest> write(AwsCredentialRequest request) {
    AwsCredentialRequest target = request;
    for (int attempt = 1; ; attempt++) {
      try {
        return Optional.of(store.patchStatus(target));
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= MAX_CONFLICTS) {
          throw e;
        }
        Optional<AwsCredentialRequest> fresh = store.read(request);
        if (fresh.isEmpty()) {
          return Optional.empty();
        }
        LOG.debugf(
            "AwsCredentialRequest %s/%s changed while it was reconciled: recording its outcome on"
                + " the current version",
            request.getMetadata().getNamespace(), request.getMetadata().getName());
        fresh.get().setStatus(request.getStatus());
        request.getMetadata().setResourceVersion(fresh.get().getMetadata().getResourceVersion());
        target = fresh.get();
      }
    }
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.3fs", d.toMillis() / 1000.0);
  }

  /** The API server, written as the framework writes: server-side apply, the controller's name. */
  private record ApiServer(KubernetesClient client) implements StatusStore {
    @Override
    public AwsCredentialRequest patchStatus(AwsCredentialRequest request) {
      AwsCredentialRequest copy = new AwsCredentialRequest();
      copy.setMetadata(
          new ObjectMetaBuilder()
              .withName(request.getMetadata().getName())
              .withNamespace(request.getMetadata().getNamespace())
              .withResourceVersion(request.getMetadata().getResourceVersion())
              .build());
      copy.setStatus(request.getStatus());
      return client
          .resource(copy)
          .subresource("status")
          .patch(
              new PatchContext.Builder()
                  .withPatchType(PatchType.SERVER_SIDE_APPLY)
                  .withFieldManager(AwsCredentialRequestReconciler.NAME)
                  .withForce(true)
                  .build(),
              copy);
    }

    @Override
    public Optional<AwsCredentialRequest> read(AwsCredentialRequest request) {
      return Optional.ofNullable(client.resource(request).get());
    }

    @Override
    public AwsCredentialRequest applyStatus(AwsCredentialRequest request) {
      return StatusUpdates.applyStatus(client, request, AwsCredentialRequestReconciler.NAME);
    }
  }
}
