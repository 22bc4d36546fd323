package io.awsauth.operator.credential;

import static io.awsauth.operator.status.Conditions.READY;

import com.fasterxml.jackson.databind.JsonNode;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.PendingLease;
import io.awsauth.operator.api.v1alpha1.Durations;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.authconfig.AuthConfigs;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.sdk.AwsErrors;
import io.awsauth.operator.cache.LeanItemStore;
import io.awsauth.operator.faults.CrashPoints;
import io.awsauth.operator.identity.IdentityVerdict;
import io.awsauth.operator.identity.IdentityVerification;
import io.awsauth.operator.metrics.OperatorMetrics;
import io.awsauth.operator.status.Conditions;
import io.awsauth.operator.status.EventRecorder;
import io.awsauth.operator.status.StatusUpdates;
import io.awsauth.operator.status.UserError;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * One lease per AwsCredentialRequest (Vault's {@code aws/creds/<role>} and {@code aws/sts/<role>}):
 * verifies who asks, issues the credential, writes it to the request's Secret, renews it at
 * renewAt, and revokes it on expiry, denial, role deletion and request deletion.
 *
 * <p>Crash safety: for iam_user the user name and the lease being issued are written to status
 * before the first AWS call, every step is idempotent, and keys of an interrupted attempt are
 * deleted by the next one. A lease that is held and not yet due costs no AWS call, so a restart
 * re-issues nothing.
 */
@ControllerConfiguration(
    name = AwsCredentialRequestReconciler.NAME,
    informer = @Informer(itemStore = AwsCredentialRequestReconciler.RequestStore.class),
    // The reconciler keeps its own finalizer, on iam_user requests only (see FINALIZER), and is
    // called for deletions: JOSDK's automatic finalizer cost every request a write and a watch
    // round trip before its first issuance (wired by io.awsauth.operator.OperatorRegistration).
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
   * user is deleted before the request goes. STS credentials cannot be revoked at AWS: they go with
   * the Secret, which the request owns, so STS requests carry no finalizer. (The name is the one
   * JOSDK gave every request before, so requests of earlier versions are released the same way.)
   */
  public static final String FINALIZER = "awscredentialrequests.awsauth.io/finalizer";

  public static final String IDENTITY_VERIFIED = "IdentityVerified";
  public static final String ISSUED = "Issued";
  public static final String REVOCATION_FAILED = "RevocationFailed";
  static final String ROLE_INDEX = "role-ref";
  private static final Duration WAIT_FOR_DEPENDENCIES = Duration.ofSeconds(20);
  private static final Duration RECHECK_IDENTITY = Duration.ofMinutes(1);
  private static final Duration RETRY_REVOCATION = Duration.ofSeconds(15);
  private static final Duration POD_RECHECK = Duration.ofSeconds(15);

  /**
   * Denials that say the workload's proof cannot be checked again (it aged past what STS accepts,
   * or its Secret is gone), not that the workload is someone else: the lease held stays until it
   * expires, and the next one waits for a fresh proof.
   */
  private static final Set<String> PROOF_UNAVAILABLE =
      Set.of(
          "ProofRefused",
          "ProofExpired",
          "ProofSecretNotFound",
          "ProofIncomplete",
          "StsAnswerInvalid",
          "IdentityDocumentSecretNotFound");

  private static final Logger LOG = Logger.getLogger(AwsCredentialRequestReconciler.class);

  private final KubernetesClient client;
  private final AuthConfigs configs;
  private final Issuer issuer;
  private final IdentityVerification identities;
  private final RolloutRestarts restarts;
  private final CrashPoints crashPoints;
  private final EventRecorder events;
  private final Clock clock;
  private final Conditions conditions;
  private final OperatorMetrics metrics;

  public AwsCredentialRequestReconciler(
      KubernetesClient client,
      AuthConfigs configs,
      Issuer issuer,
      IdentityVerification identities,
      RolloutRestarts restarts,
      CrashPoints crashPoints,
      EventRecorder events,
      OperatorMetrics metrics,
      Clock clock) {
    this.metrics = metrics;
    this.client = client;
    this.configs = configs;
    this.issuer = issuer;
    this.identities = identities;
    this.restarts = restarts;
    this.crashPoints = crashPoints;
    this.events = events;
    this.clock = clock;
    this.conditions = new Conditions(clock);
  }

  @Override
  public UpdateControl<AwsCredentialRequest> reconcile(
      AwsCredentialRequest request, Context<AwsCredentialRequest> context) {
    if (context.isPrimaryResourceDeleted()) {
      // Gone from the API server: nothing held it back, so it held no IAM user.
      metrics.forget(key(request));
      return UpdateControl.noUpdate();
    }
    if (request.isMarkedForDeletion()) {
      return deleting(request);
    }
    Optional<Secret> secret = ownSecret(request, context);
    Optional<String> leaseInSecret = secret.flatMap(CredentialSecret::leaseId);
    AwsCredentialRequestStatus cached = request.getStatus();
    if ((cached != null && cached.pendingLease != null)
        || (leaseInSecret.isPresent()
            && (cached == null || !leaseInSecret.get().equals(cached.leaseId)))) {
      // The cache may still hold the status from before the last issuance finished (the
      // write-ahead version, or the one before the status patch) while the Secret already holds
      // the new lease; the API server knows, and asking it is cheaper than issuing twice.
      AwsCredentialRequest fresh = client.resource(request).get();
      if (fresh == null) {
        return UpdateControl.noUpdate();
      }
      if (fresh.getStatus() != null
          && fresh.getStatus().pendingLease == null
          && fresh.getMetadata().getGeneration().equals(request.getMetadata().getGeneration())) {
        request.setStatus(fresh.getStatus());
        request.getMetadata().setResourceVersion(fresh.getMetadata().getResourceVersion());
      }
    }
    JsonNode before = StatusUpdates.snapshot(request.getStatus());
    AwsCredentialRequestStatus status = statusOf(request);
    if (status.secretName != null && !status.secretName.equals(secretName(request))) {
      emptyAbandoned(request, status.secretName);
    }
    status.secretName = secretName(request);
    Duration next;
    try {
      next = lifecycle(request, secret, context);
    } catch (UserError e) {
      notIssued(request, e.reason(), e.getMessage());
      next = waitsFor(e.reason());
    } catch (AwsFailure e) {
      if (!e.isTerminal()) {
        throw e;
      }
      notIssued(request, e.reason(), e.getMessage());
      next = WAIT_FOR_DEPENDENCIES.multipliedBy(3);
    }
    status.observedGeneration = request.getMetadata().getGeneration();
    if (!issuedNow(before, status)) {
      // (an issuance announces itself: Issued or Rotated; one Event per issuance is enough)
      events.announceTransition(request, before, status, READY, "Issue");
    }
    UpdateControl<AwsCredentialRequest> control = StatusUpdates.patchIfChanged(request, before);
    next = notAfterExpiry(status, next);
    if (request.getSpec().identity != null
        && request.getSpec().identity.podName != null
        && status.leaseId != null
        && (next == null || next.compareTo(POD_RECHECK) > 0)) {
      // Pods are not watched (that would cache every pod of the cluster): a lease bound to a pod
      // looks for it this often, and is revoked when it is gone.
      next = POD_RECHECK;
    }
    metrics.lease(key(request), stateOf(status), expiry(status));
    return next == null ? control : control.rescheduleAfter(next.toMillis());
  }

  /** Whether this reconcile issued (or finished issuing) the lease that makes the request Ready. */
  private static boolean issuedNow(JsonNode before, AwsCredentialRequestStatus status) {
    return status.isTrue(READY)
        && status.leaseId != null
        && (before == null || !status.leaseId.equals(before.path("leaseId").asText(null)));
  }

  private static String key(AwsCredentialRequest request) {
    return request.getMetadata().getNamespace() + "/" + request.getMetadata().getName();
  }

  private static OperatorMetrics.State stateOf(AwsCredentialRequestStatus status) {
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

  private static Instant expiry(AwsCredentialRequestStatus status) {
    return status.expiresAt == null ? null : Instant.parse(status.expiresAt);
  }

  /**
   * Whatever else happens, the operator looks again when the current credential expires, so that an
   * expired credential never stays in the Secret (when renewal keeps failing, it is revoked).
   */
  private Duration notAfterExpiry(AwsCredentialRequestStatus status, Duration next) {
    if (status.expiresAt == null) {
      return next;
    }
    Duration untilExpiry = Renewal.untilNext(clock.instant(), Instant.parse(status.expiresAt));
    if (untilExpiry.isZero()) {
      return next; // already past: revocation is under way, at the pace of its retries
    }
    return next == null || untilExpiry.compareTo(next) < 0 ? untilExpiry : next;
  }

  /** Returns when to look again (null: only on a change). */
  private Duration lifecycle(
      AwsCredentialRequest request,
      Optional<Secret> secret,
      Context<AwsCredentialRequest> context) {
    AwsCredentialRequestStatus status = request.getStatus();
    Instant now = clock.instant();
    if (status.expiresAt != null
        && status.pendingLease == null
        && Renewal.expired(now, Instant.parse(status.expiresAt))) {
      revoke(request, secret, context, "LeaseExpired", "the lease expired before it was renewed");
    }

    VaultAwsRole role = context.getSecondaryResource(VaultAwsRole.class).orElse(null);
    if (role == null) {
      String message = "VaultAwsRole '" + request.getSpec().roleRef + "' (roleRef) does not exist";
      if (holdsLease(status)) {
        revoke(request, secret, context, "RoleNotFound", message);
      }
      throw new UserError("RoleNotFound", message);
    }
    if (role.getStatus() == null
        || !role.getStatus().isTrue(READY)
        || !role.getMetadata().getGeneration().equals(role.getStatus().observedGeneration)) {
      String why =
          role.getStatus() == null
              ? "not reconciled yet"
              : role.getStatus()
                  .condition(READY)
                  .map(c -> c.getReason() + ": " + c.getMessage())
                  .orElse("not reconciled yet");
      throw new UserError(
          "RoleNotReady",
          "VaultAwsRole '" + role.getMetadata().getName() + "' is not Ready (" + why + ")");
    }
    ResolvedAuthConfig config = configs.resolve(role.getSpec().authConfigRef);
    LeaseTerms terms =
        LeaseTerms.of(
            request,
            role.getSpec(),
            config.accountId(),
            Boolean.TRUE.equals(config.config().getStatus().sessionCredentials));

    boolean held =
        status.leaseId != null
            && secret.flatMap(CredentialSecret::leaseId).filter(status.leaseId::equals).isPresent();
    boolean sameSpec = LeaseTerms.fingerprint(request.getSpec()).equals(status.issuedFor);
    boolean steady =
        status.pendingLease == null
            && held
            && sameSpec
            && !Renewal.due(now, renewAt(request, status));
    if (!steady && LOG.isDebugEnabled()) {
      LOG.debugf(
          "AwsCredentialRequest %s: issuing (lease %s, held %s, same spec %s, pending %s)",
          key(request), status.leaseId, held, sameSpec, status.pendingLease != null);
    }
    IdentityVerdict verdict = identities.verify(request, role, !steady);
    long generation = request.getMetadata().getGeneration();
    if (!(steady && verdict.allowed() && status.isTrue(IDENTITY_VERIFIED))) {
      // (a held lease keeps the message of the proof that was verified before it was issued)
      conditions.set(
          status,
          generation,
          IDENTITY_VERIFIED,
          verdict.allowed(),
          verdict.reason(),
          verdict.message());
    }
    if (!verdict.allowed()) {
      if (holdsLease(status) && !PROOF_UNAVAILABLE.contains(verdict.reason())) {
        revoke(request, secret, context, verdict.reason(), verdict.message());
      }
      throw new UserError(verdict.reason(), verdict.message());
    }

    if (steady) {
      Instant renewAt = renewAt(request, status);
      status.renewAt = renewAt.toString();
      markReady(request, terms);
      return Renewal.untilNext(now, renewAt);
    }
    Optional<CredentialSecret.HeldLease> unrecorded =
        terms.type().isSts() && status.pendingLease == null && !held
            ? secret
                .flatMap(CredentialSecret::heldLease)
                .filter(l -> l.issuedFor().equals(LeaseTerms.fingerprint(request.getSpec())))
                .filter(
                    l ->
                        !Renewal.due(
                            now,
                            Renewal.renewAt(l.issuedAt(), l.expiresAt(), renewBefore(request))))
            : Optional.empty();
    if (unrecorded.isPresent()) {
      // The Secret holds an STS lease this operator issued whose status write was lost (a
      // conflict, a crash): record it rather than issue another.
      return adoptSts(request, terms, role, unrecorded.get(), now);
    }
    return issue(request, role, config, terms, secret, context, now);
  }

  /**
   * Issues a lease (or finishes the one recorded in status.pendingLease), writes it to the Secret,
   * then retires the previous one.
   */
  private Duration issue(
      AwsCredentialRequest request,
      VaultAwsRole role,
      ResolvedAuthConfig config,
      LeaseTerms terms,
      Optional<Secret> secret,
      Context<AwsCredentialRequest> context,
      Instant now) {
    Instant started = clock.instant();
    try {
      Duration next = issueTimed(request, role, config, terms, secret, context, now);
      metrics.issued(terms.type().wireName(), Duration.between(started, clock.instant()), true);
      return next;
    } catch (RuntimeException e) {
      metrics.issued(terms.type().wireName(), Duration.between(started, clock.instant()), false);
      throw e;
    }
  }

  private Duration issueTimed(
      AwsCredentialRequest request,
      VaultAwsRole role,
      ResolvedAuthConfig config,
      LeaseTerms terms,
      Optional<Secret> secret,
      Context<AwsCredentialRequest> context,
      Instant now) {
    AwsCredentialRequestStatus status = request.getStatus();
    boolean rotation = status.leaseId != null;
    String secretName = secretName(request);
    if (secret.isPresent() && !CredentialSecret.ownedBy(secret.get(), request)) {
      throw secretNotOwned(request, secretName);
    }
    if (secret.isEmpty()) {
      assertNameFree(request, secretName);
    }
    Optional<String> keyInSecret = secret.flatMap(CredentialSecret::accessKeyId);
    IssuedCredential credential;
    String leaseId;
    if (terms.type().isSts()) {
      leaseId = UUID.randomUUID().toString();
      credential = issuer.issueSts(request, role, config, terms);
    } else {
      PendingLease pending = status.pendingLease;
      if (pending != null
          && secret
              .flatMap(CredentialSecret::leaseId)
              .filter(pending.leaseId::equals)
              .isPresent()) {
        return adopt(request, role, config, terms, secret.get(), pending, rotation);
      }
      leaseId = pending != null ? pending.leaseId : UUID.randomUUID().toString();
      if (status.iamUserName == null) {
        status.iamUserName = issuer.userName(request, role, config);
      }
      if (pending == null) {
        pending = new PendingLease();
        pending.leaseId = leaseId;
        pending.startedAt = now.truncatedTo(ChronoUnit.SECONDS).toString();
        pending.ttl = Durations.format(terms.ttl());
        status.pendingLease = pending;
      }
      status.authConfigRef = role.getSpec().authConfigRef;
      holdFinalizer(request, context);
      writeAhead(request);
      credential =
          issuer.issueIamUser(request, role, config, terms, status.iamUserName, keyInSecret);
    }
    writeSecret(
        request,
        context,
        secret,
        CredentialSecret.render(request, secretName, leaseId, credential));
    crashPoints.passed("WriteSecret");
    record(request, terms, leaseId, credential, role);
    if (rotation) {
      restarts.restart(request, clock.instant());
    }
    if (!terms.type().isSts()) {
      issuer.retireOtherKeys(config, status.iamUserName, credential.accessKeyId());
    }
    events.normal(
        request,
        rotation ? "Rotated" : "Issued",
        rotation ? "Rotate" : "Issue",
        (rotation ? "renewed " : "issued ")
            + terms.type().wireName()
            + " credential for "
            + credential.principalArn()
            + ", expires "
            + credential.expiresAt());
    return Renewal.untilNext(clock.instant(), Instant.parse(status.renewAt));
  }

  /**
   * The Secret already holds the pending lease (the operator stopped after writing it): keep it,
   * delete the keys of earlier attempts, and record it. Its expiry is never later than the lease
   * recorded before the first AWS call allows, whatever the Secret's annotation says.
   */
  private Duration adopt(
      AwsCredentialRequest request,
      VaultAwsRole role,
      ResolvedAuthConfig config,
      LeaseTerms terms,
      Secret secret,
      PendingLease pending,
      boolean rotation) {
    AwsCredentialRequestStatus status = request.getStatus();
    String keyId = CredentialSecret.accessKeyId(secret).orElseThrow();
    Instant issuedAt = Instant.parse(pending.startedAt);
    Instant limit = issuedAt.plus(Durations.parse(pending.ttl));
    Instant expiresAt =
        CredentialSecret.expiresAt(secret).filter(e -> e.isBefore(limit)).orElse(limit);
    issuer.retireOtherKeys(config, status.iamUserName, keyId);
    IssuedCredential credential =
        new IssuedCredential(
            keyId,
            "",
            Optional.empty(),
            issuedAt,
            expiresAt,
            issuer.userArn(config, status.iamUserName),
            Optional.empty());
    record(request, terms, pending.leaseId, credential, role);
    if (rotation) {
      restarts.restart(request, clock.instant());
    }
    events.normal(
        request,
        "IssuanceResumed",
        "Issue",
        // Not the key ID: it belongs in status.accessKeyId only, not in Events.
        "finished the interrupted issuance of lease " + pending.leaseId);
    return Renewal.untilNext(clock.instant(), Instant.parse(status.renewAt));
  }

  private Duration adoptSts(
      AwsCredentialRequest request,
      LeaseTerms terms,
      VaultAwsRole role,
      CredentialSecret.HeldLease lease,
      Instant now) {
    record(
        request,
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
        role);
    events.normal(
        request,
        "IssuanceResumed",
        "Issue",
        "recorded lease " + lease.leaseId() + " from its Secret (its status write was lost)");
    return Renewal.untilNext(now, Instant.parse(request.getStatus().renewAt));
  }

  private static Optional<Duration> renewBefore(AwsCredentialRequest request) {
    return Optional.ofNullable(request.getSpec().renewBefore).map(Durations::parse);
  }

  private void record(
      AwsCredentialRequest request,
      LeaseTerms terms,
      String leaseId,
      IssuedCredential credential,
      VaultAwsRole role) {
    AwsCredentialRequestStatus status = request.getStatus();
    status.leaseId = leaseId;
    status.credentialType = terms.type().wireName();
    status.accessKeyId = credential.accessKeyId();
    status.principalArn = credential.principalArn();
    status.issuedAt = credential.issuedAt().truncatedTo(ChronoUnit.SECONDS).toString();
    status.expiresAt = credential.expiresAt().truncatedTo(ChronoUnit.SECONDS).toString();
    status.ttl = Durations.format(terms.ttl());
    status.authConfigRef = role.getSpec().authConfigRef;
    status.issuedFor = LeaseTerms.fingerprint(request.getSpec());
    status.pendingLease = null;
    status.revokedAt = null;
    status.usableAfter =
        credential.usableAfter().map(AwsCredentialRequestReconciler::seconds).orElse(null);
    status.renewAt = renewAt(request, status).toString();
    status.conditions.removeIf(c -> REVOCATION_FAILED.equals(c.getType()));
    markReady(request, terms);
  }

  private void markReady(AwsCredentialRequest request, LeaseTerms terms) {
    AwsCredentialRequestStatus status = request.getStatus();
    long generation = request.getMetadata().getGeneration();
    String ttl =
        "ttl "
            + status.ttl
            + terms.shortenedBecause().map(why -> " (shortened: " + why + ")").orElse("");
    conditions.set(
        status,
        generation,
        ISSUED,
        true,
        "Issued",
        terms.type().wireName() + " credential for " + status.principalArn + ", " + ttl);
    conditions.set(
        status,
        generation,
        READY,
        true,
        "CredentialReady",
        "Secret " + status.secretName + " holds a working credential until " + status.expiresAt);
  }

  private static Instant renewAt(AwsCredentialRequest request, AwsCredentialRequestStatus status) {
    return Renewal.renewAt(
        Instant.parse(status.issuedAt),
        Instant.parse(status.expiresAt),
        Optional.ofNullable(request.getSpec().renewBefore).map(Durations::parse));
  }

  /**
   * Ends the current lease: the IAM user (iam_user) is deleted with its keys, policies and groups,
   * and the Secret no longer holds the credential. STS credentials cannot be revoked at AWS; they
   * leave the Secret and stay valid until they expire.
   */
  private void revoke(
      AwsCredentialRequest request,
      Optional<Secret> secret,
      Context<AwsCredentialRequest> context,
      String reason,
      String why) {
    AwsCredentialRequestStatus status = request.getStatus();
    Instant started = clock.instant();
    if (status.iamUserName != null) {
      issuer.revokeUser(configFor(status), status.iamUserName);
      status.iamUserName = null;
    }
    if (secret.isPresent()
        && CredentialSecret.ownedBy(secret.get(), request)
        && CredentialSecret.leaseId(secret.get()).isPresent()) {
      writeSecret(
          request,
          context,
          secret,
          CredentialSecret.revoked(request, secretName(request), clock.instant()));
    }
    String revoked = status.leaseId == null ? "" : " of lease " + status.leaseId;
    status.leaseId = null;
    status.accessKeyId = null;
    status.principalArn = null;
    status.issuedAt = null;
    status.expiresAt = null;
    status.renewAt = null;
    status.usableAfter = null;
    status.issuedFor = null;
    status.pendingLease = null;
    status.revokedAt = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    status.conditions.removeIf(c -> REVOCATION_FAILED.equals(c.getType()));
    events.normal(
        request,
        "Revoked",
        "Revoke",
        "revoked the credential" + revoked + " (" + reason + "): " + why);
  }

  private ResolvedAuthConfig configFor(AwsCredentialRequestStatus status) {
    return configs.resolve(
        status.authConfigRef == null
            ? io.awsauth.operator.api.v1alpha1.Groups.DEFAULT_AUTH_CONFIG
            : status.authConfigRef);
  }

  private static boolean holdsLease(AwsCredentialRequestStatus status) {
    return status.leaseId != null || status.iamUserName != null;
  }

  /**
   * A request being deleted: its IAM user (the only credential AWS can revoke) is deleted before
   * the finalizer is removed; STS credentials go with the Secret, which the request owns.
   */
  private UpdateControl<AwsCredentialRequest> deleting(AwsCredentialRequest request) {
    if (!request.hasFinalizer(FINALIZER)) {
      metrics.forget(key(request));
      return UpdateControl.noUpdate();
    }
    AwsCredentialRequestStatus status = statusOf(request);
    if (status.iamUserName == null) {
      // The cache may predate the write-ahead that named the user: ask before letting go.
      AwsCredentialRequest fresh = client.resource(request).get();
      if (fresh == null) {
        return UpdateControl.noUpdate();
      }
      request = fresh;
      status = statusOf(request);
    }
    if (status.iamUserName != null) {
      try {
        Instant started = clock.instant();
        issuer.revokeUser(configFor(status), status.iamUserName);
        metrics.revoked("iam_user", Duration.between(started, clock.instant()));
        events.normal(
            request,
            "Revoked",
            "Revoke",
            "request deleted: deleted IAM user " + status.iamUserName + " and its keys");
      } catch (UserError | AwsFailure e) {
        String reason = e instanceof UserError u ? u.reason() : ((AwsFailure) e).reason();
        LOG.infof(
            "AwsCredentialRequest %s: revocation failed (%s), will retry",
            key(request), e.getMessage());
        revocationFailed(request, reason, e.getMessage());
        return UpdateControl.<AwsCredentialRequest>noUpdate()
            .rescheduleAfter(RETRY_REVOCATION.toMillis());
      }
    }
    PrimaryUpdateAndCacheUtils.removeFinalizer(client, request, FINALIZER);
    metrics.forget(key(request));
    return UpdateControl.noUpdate();
  }

  /**
   * Before the first IAM call of a request: the request keeps a finalizer, so that it cannot go
   * before its user does.
   */
  private void holdFinalizer(AwsCredentialRequest request, Context<AwsCredentialRequest> context) {
    if (request.hasFinalizer(FINALIZER)) {
      return;
    }
    AwsCredentialRequest held =
        PrimaryUpdateAndCacheUtils.addFinalizerWithSSA(
            client, request, FINALIZER, context.getControllerConfiguration().fieldManager());
    request.getMetadata().setFinalizers(held.getMetadata().getFinalizers());
    request.getMetadata().setResourceVersion(held.getMetadata().getResourceVersion());
    crashPoints.passed("HoldFinalizer");
  }

  /** The finalizer stays until the user is gone; status and an Event say why it waits. */
  private void revocationFailed(AwsCredentialRequest request, String reason, String message) {
    AwsCredentialRequestStatus status = statusOf(request);
    JsonNode before = StatusUpdates.snapshot(status);
    conditions.set(
        status,
        request.getMetadata().getGeneration(),
        REVOCATION_FAILED,
        true,
        reason,
        "IAM user " + status.iamUserName + " is not revoked yet: " + message);
    if (StatusUpdates.changed(before, status)) {
      events.warning(request, "RevocationFailed", "Revoke", message);
      try {
        applyStatus(request);
      } catch (KubernetesClientException e) {
        LOG.debugf("could not record RevocationFailed: %s", e.getCode());
      }
    }
  }

  @Override
  public ErrorStatusUpdateControl<AwsCredentialRequest> updateErrorStatus(
      AwsCredentialRequest request, Context<AwsCredentialRequest> context, Exception e) {
    JsonNode before = StatusUpdates.snapshot(request.getStatus());
    AwsFailure failure = AwsErrors.classify("reconcile", e);
    LOG.infof(
        "AwsCredentialRequest %s/%s: %s (will retry)",
        request.getMetadata().getNamespace(),
        request.getMetadata().getName(),
        failure.getMessage());
    AwsCredentialRequestStatus status = statusOf(request);
    if (!status.isTrue(READY)) {
      notIssued(request, failure.reason(), failure.getMessage() + " (will retry)");
    }
    events.announceTransition(request, before, status, READY, "Issue");
    return StatusUpdates.changed(before, status)
        ? ErrorStatusUpdateControl.patchStatus(request)
        : ErrorStatusUpdateControl.noStatusUpdate();
  }

  private void notIssued(AwsCredentialRequest request, String reason, String message) {
    metrics.reconcileError("AwsCredentialRequest", reason);
    AwsCredentialRequestStatus status = statusOf(request);
    long generation = request.getMetadata().getGeneration();
    if (holdsLease(status) && status.pendingLease == null) {
      // The current credential still works; the problem is with the next one.
      conditions.set(
          status,
          generation,
          READY,
          true,
          "CredentialReady",
          renewalBlocked(status, reason, message));
      return;
    }
    conditions.set(status, generation, ISSUED, false, reason, message);
    conditions.set(status, generation, READY, false, reason, message);
  }

  private static String renewalBlocked(
      AwsCredentialRequestStatus status, String reason, String message) {
    return "Secret "
        + status.secretName
        + " holds a working credential until "
        + status.expiresAt
        + "; the next one cannot be issued yet ("
        + reason
        + ": "
        + message
        + ")";
  }

  private static Duration waitsFor(String reason) {
    return switch (reason) {
      case "RoleNotReady",
          "AuthConfigNotReady",
          "AuthConfigNotFound",
          "TrustNotReady",
          "NoTrustForAccount" ->
          WAIT_FOR_DEPENDENCIES;
      case "ServiceAccountNotFound",
          "PodNotFound",
          "PodNotScheduled",
          "NodeNotFound",
          "InstanceNotFound",
          "SecretNotOwned",
          "ProofSecretNotFound",
          "ProofIncomplete",
          "ProofRefused",
          "ProofExpired",
          "StsAnswerInvalid",
          "IdentityDocumentSecretNotFound" ->
          // Tenant Secrets, pods and instances are not watched: look again.
          RECHECK_IDENTITY;
      default -> null;
    };
  }

  /** The request's Secret, when the operator's cache has it (it caches only its own). */
  private Optional<Secret> ownSecret(
      AwsCredentialRequest request, Context<AwsCredentialRequest> context) {
    String name = secretName(request);
    return context
        .getSecondaryResourcesAsStream(Secret.class)
        .filter(s -> name.equals(s.getMetadata().getName()))
        .findFirst();
  }

  /**
   * Creates the Secret, or replaces the one the operator owns. Creating never overwrites: a Secret
   * of that name that the operator does not own (and has not cached) makes the create fail, and the
   * operator never reads it.
   */
  @SuppressWarnings("unchecked")
  private void writeSecret(
      AwsCredentialRequest request,
      Context<AwsCredentialRequest> context,
      Optional<Secret> current,
      Secret desired) {
    var secrets =
        (InformerEventSource<Secret, AwsCredentialRequest>)
            context.eventSourceRetriever().getEventSourceFor(Secret.class);
    ResourceID primary = ResourceID.fromResource(request);
    if (current.isPresent()) {
      desired.getMetadata().setResourceVersion(current.get().getMetadata().getResourceVersion());
      Secret updated = client.secrets().resource(desired).update();
      secrets.handleRecentResourceUpdate(primary, updated, current.get());
      return;
    }
    try {
      Secret created = client.secrets().resource(desired).create();
      secrets.handleRecentResourceCreate(primary, created);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw secretNotOwned(request, desired.getMetadata().getName());
      }
      throw e;
    }
  }

  /**
   * A Secret the request used before and no longer names (secretName is fixed at admission, so only
   * an object admitted before that rule gets here): if the request still owns it and it holds a
   * lease, its keys are removed, as at revocation, before anything goes to the new name.
   */
  private void emptyAbandoned(AwsCredentialRequest request, String previous) {
    Secret old =
        client.secrets().inNamespace(request.getMetadata().getNamespace()).withName(previous).get();
    if (old != null
        && CredentialSecret.ownedBy(old, request)
        && CredentialSecret.leaseId(old).isPresent()) {
      Secret emptied = CredentialSecret.revoked(request, previous, clock.instant());
      emptied.getMetadata().setResourceVersion(old.getMetadata().getResourceVersion());
      client.secrets().resource(emptied).update();
      LOG.infof(
          "AwsCredentialRequest %s: emptied Secret %s, which it no longer names",
          key(request), previous);
    }
  }

  /**
   * Before anything is issued: a Secret of that name that the operator does not own (and has not
   * cached) exists when a dry-run create of it conflicts. The Secret is neither read nor written.
   */
  private void assertNameFree(AwsCredentialRequest request, String secretName) {
    Secret probe =
        new SecretBuilder()
            .withNewMetadata()
            .withName(secretName)
            .withNamespace(request.getMetadata().getNamespace())
            .endMetadata()
            .withType("Opaque")
            .build();
    try {
      client.secrets().resource(probe).dryRun().create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw secretNotOwned(request, secretName);
      }
      throw e;
    }
  }

  private static UserError secretNotOwned(AwsCredentialRequest request, String secretName) {
    return new UserError(
        "SecretNotOwned",
        "Secret "
            + request.getMetadata().getNamespace()
            + "/"
            + secretName
            + " exists and is not owned by this request; the operator never writes into a Secret"
            + " it does not own: delete it or choose another spec.secretName");
  }

  /**
   * Writes status before the first AWS call of an iam_user issuance, the way the framework does
   * (server-side apply, the controller's field manager), so that its later writes own these fields.
   */
  private void writeAhead(AwsCredentialRequest request) {
    AwsCredentialRequest written = applyStatus(request);
    request.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
    crashPoints.passed("WriteAhead");
  }

  private AwsCredentialRequest applyStatus(AwsCredentialRequest request) {
    return StatusUpdates.applyStatus(client, request, NAME);
  }

  static String secretName(AwsCredentialRequest request) {
    return request.getSpec().secretName != null
        ? request.getSpec().secretName
        : request.getMetadata().getName();
  }

  private static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.3fs", d.toMillis() / 1000.0);
  }

  private static AwsCredentialRequestStatus statusOf(AwsCredentialRequest request) {
    if (request.getStatus() == null) {
      request.setStatus(new AwsCredentialRequestStatus());
    }
    return request.getStatus();
  }

  /**
   * The request's own Secrets (label-selected: the operator never caches other Secrets), and the
   * roles requests name, so that a role change or deletion reaches its requests.
   */
  @Override
  public List<EventSource<?, AwsCredentialRequest>> prepareEventSources(
      EventSourceContext<AwsCredentialRequest> context) {
    context
        .getPrimaryCache()
        .addIndexer(
            ROLE_INDEX,
            r ->
                r.getSpec() == null || r.getSpec().roleRef == null
                    ? List.of()
                    : List.of(r.getSpec().roleRef));
    var secrets =
        InformerEventSourceConfiguration.from(Secret.class, AwsCredentialRequest.class)
            .withName("credential-secrets")
            .withLabelSelector(
                CredentialSecret.MANAGED_BY_LABEL + "=" + CredentialSecret.MANAGED_BY)
            .withNamespacesInheritedFromController()
            .withItemStore(new CredentialSecretStore())
            .withSecondaryToPrimaryMapper(
                Mappers.fromOwnerReferences(AwsCredentialRequest.class, false))
            .build();
    var roles =
        InformerEventSourceConfiguration.from(VaultAwsRole.class, AwsCredentialRequest.class)
            .withName("roles")
            .withWatchAllNamespaces()
            .withPrimaryToSecondaryMapper(
                (AwsCredentialRequest r) -> Set.of(new ResourceID(r.getSpec().roleRef)))
            .withSecondaryToPrimaryMapper(
                (VaultAwsRole role) ->
                    context
                        .getPrimaryCache()
                        .byIndex(ROLE_INDEX, role.getMetadata().getName())
                        .stream()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .build();
    return List.of(
        new InformerEventSource<>(secrets, context), new InformerEventSource<>(roles, context));
  }
}
