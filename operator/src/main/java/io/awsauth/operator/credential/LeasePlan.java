package io.awsauth.operator.credential;

import static io.awsauth.operator.status.Conditions.READY;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.PendingLease;
import io.awsauth.operator.api.v1alpha1.Durations;
import io.awsauth.operator.api.v1alpha1.Reason;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.credential.CredentialSecret.HeldLease;
import io.awsauth.operator.identity.IdentityVerdict;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a reconcile does with a request's lease: a pure decision over what it read (the request's
 * status and spec, its Secret, its role, the identity verdict) and the clock, in the manner of
 * cert-manager's {@code policies.go}. It is asked twice: {@link #beforeIdentity} decides whether
 * the lease must go at once (expired, role deleted) and whether there is anything to verify; {@link
 * #afterIdentity} takes the verdict and decides between keeping, issuing, finishing an interrupted
 * issuance and recording a lease whose status write was lost.
 */
public final class LeasePlan {
  static final Duration WAIT_FOR_DEPENDENCIES = Duration.ofSeconds(20);
  static final Duration RECHECK_IDENTITY = Duration.ofMinutes(1);
  static final Duration POD_RECHECK = Duration.ofSeconds(15);

  /** After a terminal AWS error: the longest wait before looking again. */
  static final Duration AFTER_AWS_REFUSAL = WAIT_FOR_DEPENDENCIES.multipliedBy(3);

  /**
   * After a first terminal AWS error. AWS is eventually consistent: a role created, a trust policy
   * or a policy attached seconds ago is refused (AccessDenied) until it has propagated, so a
   * refusal is looked at again soon, then less often the longer it lasts.
   */
  static final Duration FIRST_AFTER_AWS_REFUSAL = Duration.ofSeconds(5);

  private LeasePlan() {}

  /** How soon to look again after a refusal with this reason (null: only on a change). */
  static Duration waitFor(Reason reason) {
    return switch (reason.recheck()) {
      case WAIT_FOR_DEPENDENCY -> WAIT_FOR_DEPENDENCIES;
      // Tenant Secrets, pods and instances are not watched: look again.
      case POLL -> RECHECK_IDENTITY;
      case AFTER_REFUSAL -> AFTER_AWS_REFUSAL;
      case RETRY_SOON, WAIT_FOR_CHANGE -> null;
    };
  }

  /**
   * How soon to look again after a refusal with this reason, the request having been refused
   * (Issued=False) since {@code refusedSince} (null: not before this reconcile): an AWS refusal
   * after 5 s, then after as long as it has lasted, up to {@link #AFTER_AWS_REFUSAL}; other reasons
   * as {@link #waitFor(Reason)}.
   */
  static Duration waitFor(Reason reason, Instant refusedSince, Instant now) {
    if (reason.recheck() != Reason.Recheck.AFTER_REFUSAL) {
      return waitFor(reason);
    }
    Duration refused = refusedSince == null ? Duration.ZERO : Duration.between(refusedSince, now);
    if (refused.compareTo(FIRST_AFTER_AWS_REFUSAL) < 0) {
      return FIRST_AFTER_AWS_REFUSAL;
    }
    return refused.compareTo(AFTER_AWS_REFUSAL) > 0 ? AFTER_AWS_REFUSAL : refused;
  }

  /**
   * Whether a denial leaves the lease held in place: the proof cannot be checked again right now
   * ({@link AwsCredentialRequestReason#proofUnavailable()}), which says nothing of who asks.
   */
  static boolean keepsLease(Reason denial) {
    return denial instanceof AwsCredentialRequestReason r && r.proofUnavailable();
  }

  /**
   * When to look again, given what the reconcile asked for ({@code next}, null: only on a change).
   * Whatever else happens, the operator looks again when the current credential expires, so that an
   * expired credential never stays in the Secret (when renewal keeps failing, it is revoked), and
   * when the previous iam_user key's overlap ends. Pods are not watched (that would cache every pod
   * of the cluster): a lease bound to a pod looks for it every {@link #POD_RECHECK}, and is revoked
   * when it is gone.
   */
  static Duration lookAgain(
      AwsCredentialRequestStatus status, Duration next, boolean podBound, Instant now) {
    if (status.expiresAt != null) {
      Duration untilExpiry = Renewal.untilNext(now, Instant.parse(status.expiresAt));
      // (already past: revocation is under way, at the pace of its retries)
      if (!untilExpiry.isZero() && (next == null || untilExpiry.compareTo(next) < 0)) {
        next = untilExpiry;
      }
    }
    if (status.retiringKey != null) {
      Duration untilRetire = RotationTiming.untilRetire(status.retiringKey, now);
      if (!untilRetire.isZero() && (next == null || untilRetire.compareTo(next) < 0)) {
        next = untilRetire;
      }
    }
    Optional<Duration> untilDeny = RetiredSessions.untilNext(status.retiredSessions, now);
    if (untilDeny.isPresent() && (next == null || untilDeny.get().compareTo(next) < 0)) {
      next = untilDeny.get().isZero() ? Duration.ofSeconds(1) : untilDeny.get();
    }
    if (podBound && status.leaseId != null && (next == null || next.compareTo(POD_RECHECK) > 0)) {
      next = POD_RECHECK;
    }
    return next;
  }

  /** The role a request names, as far as the plan cares. */
  public record RoleView(String name, boolean exists, boolean ready, String notReadyBecause) {
    public static RoleView missing(String name) {
      return new RoleView(name, false, false, null);
    }

    public static RoleView ready(String name) {
      return new RoleView(name, true, true, null);
    }

    public static RoleView notReady(String name, String because) {
      return new RoleView(name, true, false, because);
    }

    /** Ready means Ready=True for the role's current generation. */
    public static RoleView of(String roleRef, VaultAwsRole role) {
      if (role == null) {
        return missing(roleRef);
      }
      String name = role.getMetadata().getName();
      if (role.getStatus() == null) {
        return notReady(name, "not reconciled yet");
      }
      if (!role.getStatus().isTrue(READY)
          || !role.getMetadata().getGeneration().equals(role.getStatus().observedGeneration)) {
        return notReady(
            name,
            role.getStatus()
                .condition(READY)
                .map(c -> c.getReason() + ": " + c.getMessage())
                .orElse("not reconciled yet"));
      }
      return ready(name);
    }
  }

  /** What the reconcile read: plain values only. */
  public record Facts(
      AwsCredentialRequestStatus status,
      String specFingerprint,
      Optional<Duration> renewBefore,
      Optional<String> leaseInSecret,
      Optional<HeldLease> heldInSecret,
      RoleView role,
      Instant now,
      Optional<Instant> deniedBefore) {

    /** Facts of a Secret no role-wide cutoff marked. */
    public Facts(
        AwsCredentialRequestStatus status,
        String specFingerprint,
        Optional<Duration> renewBefore,
        Optional<String> leaseInSecret,
        Optional<HeldLease> heldInSecret,
        RoleView role,
        Instant now) {
      this(
          status,
          specFingerprint,
          renewBefore,
          leaseInSecret,
          heldInSecret,
          role,
          now,
          Optional.empty());
    }

    public static Facts of(
        AwsCredentialRequest request, Optional<Secret> secret, RoleView role, Instant now) {
      return new Facts(
          request.getStatus(),
          LeaseTerms.fingerprint(request.getSpec()),
          Optional.ofNullable(request.getSpec().renewBefore).map(Durations::parse),
          secret.flatMap(CredentialSecret::leaseId),
          secret.flatMap(CredentialSecret::heldLease),
          role,
          now,
          secret.flatMap(CredentialSecret::deniedBefore));
    }

    /** The same facts once the lease was revoked (the status was cleared). */
    Facts revoked(AwsCredentialRequestStatus cleared) {
      return new Facts(
          cleared,
          specFingerprint,
          renewBefore,
          leaseInSecret,
          heldInSecret,
          role,
          now,
          deniedBefore);
    }

    /**
     * A role-wide cutoff (the deny policy of its role was full) denies the lease held: it is
     * re-issued, once the cutoff's second is over.
     */
    boolean deniedByCutoff() {
      return deniedBefore.isPresent()
          && status.issuedAt != null
          && Instant.parse(status.issuedAt).isBefore(deniedBefore.get());
    }

    boolean holdsLease() {
      return status.leaseId != null || status.iamUserName != null;
    }

    boolean expired() {
      return status.expiresAt != null
          && status.pendingLease == null
          && Renewal.expired(now, Instant.parse(status.expiresAt));
    }

    /** The Secret holds the lease status names. */
    boolean held() {
      return status.leaseId != null && leaseInSecret.filter(status.leaseId::equals).isPresent();
    }

    Instant renewAt() {
      return Renewal.renewAt(
          Instant.parse(status.issuedAt), Instant.parse(status.expiresAt), renewBefore);
    }

    /** A held lease, issued for this spec and not due: nothing to do but look again at renewAt. */
    boolean steady() {
      return status.pendingLease == null
          && held()
          && specFingerprint.equals(status.issuedFor)
          && !deniedByCutoff()
          && !Renewal.due(now, renewAt());
    }
  }

  /** What to do now: first a revocation (or none), then {@link #next}. */
  public record Plan(Optional<Revoke> revoke, Next next) {
    static Plan of(Next next) {
      return new Plan(Optional.empty(), next);
    }

    static Plan revokeThen(Optional<Revoke> revoke, Next next) {
      return new Plan(revoke, next);
    }
  }

  /**
   * End the current lease (delete the IAM user, empty the Secret), saying why ({@code reason}, for
   * the Revoked Event: a condition reason, or LeaseExpired).
   */
  public record Revoke(String reason, String message) {}

  /** The step after any revocation. */
  public sealed interface Next {}

  /** Nothing can be issued: a condition with this reason, and no AWS call. */
  public record Refuse(Reason reason, String message) implements Next {}

  /**
   * Ask who is asking, then {@link #afterIdentity}. {@code fresh}: the proof must be checked now,
   * not from a cache, because a credential is about to be issued.
   */
  public record Verify(boolean fresh) implements Next {}

  /** The lease stays; look again at {@code renewAt}. */
  public record Keep(Instant renewAt, boolean recordVerdict) implements Next {}

  /** Issue a lease; {@code rotation}: one is held and this one replaces it. */
  public record Issue(boolean rotation) implements Next {}

  /** The Secret already holds the iam_user lease being issued: record it, issue nothing. */
  public record Resume(PendingLease pending, boolean rotation) implements Next {}

  /**
   * The Secret holds an STS lease this operator issued whose status write was lost; {@code
   * rotation}: it replaced the lease status still names.
   */
  public record RecordFromSecret(HeldLease lease, boolean rotation) implements Next {}

  /** Before the identity is verified: the lease's expiry and the role. */
  public static Plan beforeIdentity(Facts facts) {
    Optional<Revoke> revoke = Optional.empty();
    Facts f = facts;
    if (f.expired()) {
      revoke = Optional.of(new Revoke("LeaseExpired", "the lease expired before it was renewed"));
      f = f.revoked(cleared(f.status()));
    }
    RoleView role = f.role();
    if (!role.exists()) {
      String message = "VaultAwsRole '" + role.name() + "' (roleRef) does not exist";
      if (revoke.isEmpty() && f.holdsLease()) {
        revoke = Optional.of(new Revoke(AwsCredentialRequestReason.RoleNotFound.name(), message));
      }
      return Plan.revokeThen(revoke, new Refuse(AwsCredentialRequestReason.RoleNotFound, message));
    }
    if (!role.ready()) {
      return Plan.revokeThen(
          revoke,
          new Refuse(
              AwsCredentialRequestReason.RoleNotReady,
              "VaultAwsRole '" + role.name() + "' is not Ready (" + role.notReadyBecause() + ")"));
    }
    return Plan.revokeThen(revoke, new Verify(!f.steady()));
  }

  /**
   * With the identity verdict ({@code sts}: the role issues STS credentials). Call it with the
   * facts as they are after {@link #beforeIdentity}'s revocation, if it had one.
   */
  public static Plan afterIdentity(Facts f, IdentityVerdict verdict, boolean sts) {
    if (!verdict.allowed()) {
      Optional<Revoke> revoke =
          f.holdsLease() && !keepsLease(verdict.reason())
              ? Optional.of(new Revoke(verdict.reason().name(), verdict.message()))
              : Optional.empty();
      return Plan.revokeThen(revoke, new Refuse(verdict.reason(), verdict.message()));
    }
    AwsCredentialRequestStatus status = f.status();
    if (f.steady()) {
      // (a held lease keeps the message of the proof that was verified before it was issued)
      return Plan.of(
          new Keep(f.renewAt(), !status.isTrue(AwsCredentialRequestReconciler.IDENTITY_VERIFIED)));
    }
    if (f.held() && f.deniedByCutoff() && f.now().isBefore(f.deniedBefore().get())) {
      // a session issued in the cutoff's second would be denied too
      return Plan.of(new Keep(f.deniedBefore().get(), false));
    }
    boolean rotation = status.leaseId != null;
    Optional<Instant> successorNotBefore =
        sts && f.held() ? RetiredSessions.successorNotBefore(status, f.now()) : Optional.empty();
    if (successorNotBefore.isPresent()) {
      // the deny statement of the session it replaces would match one issued this soon after it
      return Plan.of(new Keep(successorNotBefore.get(), false));
    }
    PendingLease pending = status.pendingLease;
    if (!sts && pending != null && f.leaseInSecret().filter(pending.leaseId::equals).isPresent()) {
      return Plan.of(new Resume(pending, rotation));
    }
    if (sts && pending == null && !f.held()) {
      Optional<HeldLease> unrecorded =
          f.heldInSecret()
              .filter(l -> l.issuedFor().equals(f.specFingerprint()))
              .filter(
                  l ->
                      !Renewal.due(
                          f.now(), Renewal.renewAt(l.issuedAt(), l.expiresAt(), f.renewBefore())));
      if (unrecorded.isPresent()) {
        return Plan.of(new RecordFromSecret(unrecorded.get(), rotation));
      }
    }
    return Plan.of(new Issue(rotation));
  }

  /** The status fields a revocation clears, on a copy (the plan never changes its input). */
  private static AwsCredentialRequestStatus cleared(AwsCredentialRequestStatus status) {
    AwsCredentialRequestStatus copy = new AwsCredentialRequestStatus();
    copy.conditions = status.conditions;
    copy.secretName = status.secretName;
    copy.credentialType = status.credentialType;
    copy.authConfigRef = status.authConfigRef;
    copy.revokedAt = status.revokedAt;
    return copy;
  }
}
