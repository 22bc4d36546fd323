package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.PendingLease;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.RetiredSession;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.RetiringKey;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.Durations;
import io.awsauth.operator.api.v1alpha1.EventReason;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.faults.CrashPoints;
import io.awsauth.operator.metrics.OperatorMetrics;
import io.awsauth.operator.status.EventRecorder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/**
 * Issues a lease, writes it to the request's Secret, then retires the previous one (iam_user: its
 * key is recorded as status.retiringKey and deleted after the overlap, {@link RotationTiming}); or
 * finishes an issuance that was interrupted. A rotation records the restart of the workloads it
 * makes due (status.restartPending, {@link RestartPlan}); the reconcile does it. Crash safety: for
 * iam_user the user name and the lease being issued are written to status (and the request holds
 * its finalizer) before the first AWS call, every step is idempotent, and keys of an interrupted
 * attempt are deleted by the next one.
 */
@ApplicationScoped
public class Issuance {
  /** The Secret-name checks made beside a finalizer write (at most one per reconcile thread). */
  private static final ExecutorService CHECKS = Timers.daemonPool("aao-secret-check");

  private final KubernetesClient client;
  private final Issuer issuer;
  private final Revocation revocation;
  private final CredentialSecretWriter secrets;
  private final RequestStatusWriter statusWriter;
  private final CrashPoints crashPoints;
  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final Clock clock;

  public Issuance(
      KubernetesClient client,
      Issuer issuer,
      Revocation revocation,
      CredentialSecretWriter secrets,
      RequestStatusWriter statusWriter,
      CrashPoints crashPoints,
      EventRecorder events,
      OperatorMetrics metrics,
      Clock clock) {
    this.client = client;
    this.issuer = issuer;
    this.revocation = revocation;
    this.secrets = secrets;
    this.statusWriter = statusWriter;
    this.crashPoints = crashPoints;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Issues a lease (or the one recorded in status.pendingLease); returns when to renew it.
   *
   * <p>{@code aao_issuance_seconds} times the issuance of the type it names and nothing else: from
   * the first step that belongs to issuing the credential (the STS call; for iam_user the
   * write-ahead record before CreateUser) to the Secret holding it. What comes before it ({@link
   * #prepare}: may this request's Secret be written at all, and the finalizer) and what follows it
   * (status, retiring the previous key, the Event) are not part of it.
   */
  Duration issue(
      RequestOutcome outcome,
      VaultAwsRole role,
      ResolvedAuthConfig config,
      LeaseTerms terms,
      Optional<Secret> secret,
      Context<AwsCredentialRequest> context,
      boolean rotation) {
    AwsCredentialRequest request = outcome.resource();
    AwsCredentialRequestStatus status = request.getStatus();
    prepare(request, terms.type(), secret, context);
    Optional<String> keyInSecret = secret.flatMap(CredentialSecret::accessKeyId);
    String leaseId = terms.type().isSts() ? UUID.randomUUID().toString() : pendingLease(status);
    Instant started = clock.instant();
    Issuer.UserKey delivered;
    try {
      delivered = deliver(request, role, config, terms, secret, context, leaseId, keyInSecret);
    } catch (RuntimeException e) {
      metrics.issued(terms.type().wireName(), Duration.between(started, clock.instant()), false);
      throw e;
    }
    metrics.issued(terms.type().wireName(), Duration.between(started, clock.instant()), true);
    return record(
        outcome,
        role,
        config,
        terms,
        secret,
        rotation,
        leaseId,
        keyInSecret,
        delivered.credential(),
        delivered.onlyKey());
  }

  /** iam_user: the lease being issued, as status.pendingLease records it (or a new one). */
  private String pendingLease(AwsCredentialRequestStatus status) {
    return status.pendingLease != null ? status.pendingLease.leaseId : UUID.randomUUID().toString();
  }

  /**
   * The timed part of an issuance: the credential issued and in its Secret (STS credentials come as
   * a {@link Issuer.UserKey} too, with {@code onlyKey} false, which they never read).
   */
  private Issuer.UserKey deliver(
      AwsCredentialRequest request,
      VaultAwsRole role,
      ResolvedAuthConfig config,
      LeaseTerms terms,
      Optional<Secret> secret,
      Context<AwsCredentialRequest> context,
      String leaseId,
      Optional<String> keyInSecret) {
    AwsCredentialRequestStatus status = request.getStatus();
    IssuedCredential credential;
    boolean onlyKey = false;
    if (terms.type().isSts()) {
      credential = issuer.issueSts(request, role, config, terms);
    } else {
      if (status.iamUserName == null) {
        status.iamUserName = issuer.userName(request, role, config);
      }
      // (decided before the write-ahead record: a pending lease in status means an interrupted
      // attempt, whose keys the whole issuance cleans up)
      boolean keyOnly = IamUsers.keyOnly(status, keyInSecret, IamUsers.permissions(role.getSpec()));
      if (status.pendingLease == null) {
        PendingLease pending = new PendingLease();
        pending.leaseId = leaseId;
        pending.startedAt = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        pending.ttl = Durations.format(terms.ttl());
        status.pendingLease = pending;
      }
      status.authConfigRef = role.getSpec().authConfigRef;
      statusWriter.writeAhead(request);
      Issuer.UserKey key =
          issuer.issueIamUser(
              request,
              role,
              config,
              terms,
              status.iamUserName,
              keyInSecret,
              keyOnly,
              Optional.ofNullable(status.retiringKey).map(k -> k.accessKeyId));
      credential = key.credential();
      onlyKey = key.onlyKey();
    }
    secrets.write(
        request,
        context,
        secret,
        CredentialSecret.render(
            request,
            CredentialSecretWriter.secretName(request),
            leaseId,
            credential,
            config.config().getSpec().region));
    crashPoints.passed("WriteSecret");
    return new Issuer.UserKey(credential, onlyKey);
  }

  /** After the Secret holds the credential: status, the previous key, the Event. */
  private Duration record(
      RequestOutcome outcome,
      VaultAwsRole role,
      ResolvedAuthConfig config,
      LeaseTerms terms,
      Optional<Secret> secret,
      boolean rotation,
      String leaseId,
      Optional<String> keyInSecret,
      IssuedCredential credential,
      boolean onlyKey) {
    AwsCredentialRequest request = outcome.resource();
    AwsCredentialRequestStatus status = request.getStatus();
    // iam_user: the key the workloads held stays until the Expiration they were given (STS
    // sessions simply live to theirs); a key of an earlier lease was deleted before
    // CreateAccessKey.
    Optional<RetiringKey> retiring =
        terms.type().isSts()
            ? Optional.empty()
            : RotationTiming.retiring(
                keyInSecret,
                secret.flatMap(CredentialSecret::expiresAt),
                credential.accessKeyId(),
                clock.instant());
    Optional<RetiredSession> retired = retire(request, terms, rotation, leaseId);
    // (read before the status names the new lease: whether a cutoff denied the one it replaces)
    Optional<Instant> cutoff =
        secret
            .flatMap(CredentialSecret::deniedBefore)
            .filter(at -> status.issuedAt != null && Instant.parse(status.issuedAt).isBefore(at));
    statusWriter.issued(outcome, terms, leaseId, credential, role, retiring, true);
    statusWriter.retiredSession(outcome, retired, clock.instant());
    if (cutoff.isPresent()) {
      statusWriter.reissuedAfterCutoff(outcome, terms, cutoff.get());
    }
    if (rotation) {
      statusWriter.restartDue(outcome, leaseId);
    }
    // A user created by this issuance has no other key: nothing to list (an IAM call, paced).
    if (!terms.type().isSts() && retiring.isEmpty() && !onlyKey) {
      issuer.retireOtherKeys(config, status.iamUserName, credential.accessKeyId());
    }
    events.record(
        request,
        rotation ? EventReason.Rotated : EventReason.Issued,
        (rotation ? "renewed " : "issued ")
            + terms.type().wireName()
            + " credential for "
            + credential.principalArn()
            + ", expires "
            + credential.expiresAt()
            + cutoff
                .map(
                    at ->
                        " (re-issued: a role-wide cutoff denies every session issued before "
                            + at
                            + ")")
                .orElse(""));
    return Renewal.untilNext(clock.instant(), Instant.parse(status.renewAt));
  }

  /**
   * The Secret already holds the pending lease (the operator stopped after writing it): keep it,
   * delete the keys of earlier attempts, and record it. Its expiry is never later than the lease
   * recorded before the first AWS call allows, whatever the Secret's annotation says.
   */
  Duration resume(
      RequestOutcome outcome,
      VaultAwsRole role,
      ResolvedAuthConfig config,
      LeaseTerms terms,
      Secret secret,
      PendingLease pending,
      boolean rotation) {
    AwsCredentialRequest request = outcome.resource();
    secrets.assertUsable(request, Optional.of(secret));
    AwsCredentialRequestStatus status = request.getStatus();
    String keyId = CredentialSecret.accessKeyId(secret).orElseThrow();
    Instant issuedAt = Instant.parse(pending.startedAt);
    Instant limit = issuedAt.plus(Durations.parse(pending.ttl));
    Instant expiresAt =
        CredentialSecret.expiresAt(secret).filter(e -> e.isBefore(limit)).orElse(limit);
    // The status still describes the lease the Secret held before: its key stays for the overlap.
    Optional<RetiringKey> retiring =
        RotationTiming.retiring(
            Optional.ofNullable(status.accessKeyId),
            Optional.ofNullable(status.expiresAt).map(Instant::parse),
            keyId,
            clock.instant());
    issuer.retireOtherKeys(config, status.iamUserName, keyId, retiring.map(k -> k.accessKeyId));
    IssuedCredential credential =
        new IssuedCredential(
            keyId,
            "",
            Optional.empty(),
            issuedAt,
            expiresAt,
            issuer.userArn(config, status.iamUserName),
            Optional.empty());
    statusWriter.issued(outcome, terms, pending.leaseId, credential, role, retiring, false);
    if (rotation) {
      statusWriter.restartDue(outcome, pending.leaseId);
    }
    events.record(
        request,
        // Not the key ID: it belongs in status.accessKeyId only, not in Events.
        EventReason.IssuanceResumed,
        "finished the interrupted issuance of lease " + pending.leaseId);
    return Renewal.untilNext(clock.instant(), Instant.parse(status.renewAt));
  }

  /**
   * Records an STS lease found in the Secret, whose status write was lost (a conflict, a crash);
   * {@code rotation}: it replaced the lease status still names, so the restart it made due is owed.
   */
  Duration recordFromSecret(
      RequestOutcome outcome,
      LeaseTerms terms,
      VaultAwsRole role,
      CredentialSecret.HeldLease lease,
      boolean rotation) {
    AwsCredentialRequest request = outcome.resource();
    Optional<RetiredSession> retired = retire(request, terms, rotation, lease.leaseId());
    statusWriter.issued(
        outcome,
        terms,
        lease.leaseId(),
        new IssuedCredential(
            lease.accessKeyId(),
            "",
            Optional.empty(),
            lease.issuedAt(),
            lease.expiresAt(),
            lease.principalArn(),
            Optional.empty()),
        role,
        Optional.empty(),
        false);
    statusWriter.retiredSession(outcome, retired, clock.instant());
    if (rotation) {
      statusWriter.restartDue(outcome, lease.leaseId());
    }
    events.record(
        request,
        EventReason.IssuanceResumed,
        "recorded lease " + lease.leaseId() + " from its Secret (its status write was lost)");
    return Renewal.untilNext(clock.instant(), Instant.parse(request.getStatus().renewAt));
  }

  /**
   * An STS rotation to {@code successor}: the previous credential, still valid, is recorded to be
   * denied ({@link RetiredSessions}); read before the status names the new lease.
   */
  private Optional<RetiredSession> retire(
      AwsCredentialRequest request, LeaseTerms terms, boolean rotation, String successor) {
    return rotation && terms.type().isSts()
        ? revocation.retire(request, successor)
        : Optional.empty();
  }

  /**
   * Before the first AWS call of an issuance: the request's Secret may be written ({@link
   * CredentialSecretWriter#assertUsable}: a dry-run create while it does not exist), and the types
   * revoked at AWS hold the request's finalizer ({@link #holdFinalizer}). Both are API round trips
   * and neither needs the other, so a first issuance makes them at once; both have succeeded before
   * anything is issued, so a Secret name that is taken still costs no AWS call (its refusal is
   * thrown first, whatever the finalizer did). A refused request may keep the finalizer: its
   * deletion releases it, with nothing to revoke.
   */
  void prepare(
      AwsCredentialRequest request,
      CredentialType type,
      Optional<Secret> secret,
      Context<AwsCredentialRequest> context) {
    boolean needsFinalizer =
        type != CredentialType.SESSION_TOKEN
            && !request.hasFinalizer(AwsCredentialRequestReconciler.FINALIZER);
    if (!needsFinalizer || secret.isPresent()) {
      // (a Secret that exists is checked in memory: one round trip at most, nothing to overlap)
      secrets.assertUsable(request, secret);
      if (needsFinalizer) {
        holdFinalizer(request, context);
      }
      return;
    }
    CompletableFuture<Void> check =
        CompletableFuture.runAsync(() -> secrets.assertUsable(request, secret), CHECKS);
    RuntimeException finalizerFailed = null;
    try {
      holdFinalizer(request, context);
    } catch (RuntimeException e) {
      finalizerFailed = e;
    }
    try {
      check.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
    if (finalizerFailed != null) {
      throw finalizerFailed;
    }
  }

  /**
   * Before the first IAM call of a request (or STS call of an assumed_role or federation_token
   * request): the request keeps a finalizer, so that it cannot go before its user does, or before
   * its credential is denied at AWS.
   */
  void holdFinalizer(AwsCredentialRequest request, Context<AwsCredentialRequest> context) {
    if (request.hasFinalizer(AwsCredentialRequestReconciler.FINALIZER)) {
      return;
    }
    AwsCredentialRequest held =
        PrimaryUpdateAndCacheUtils.addFinalizerWithSSA(
            client,
            request,
            AwsCredentialRequestReconciler.FINALIZER,
            context.getControllerConfiguration().fieldManager());
    request.getMetadata().setFinalizers(held.getMetadata().getFinalizers());
    request.getMetadata().setResourceVersion(held.getMetadata().getResourceVersion());
    crashPoints.passed("HoldFinalizer");
  }
}
