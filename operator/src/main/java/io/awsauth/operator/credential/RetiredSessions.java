package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.RetiredSession;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.Revocation;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The previous STS credentials of a request that a rotation replaced while they were still valid
 * (status.retiredSessions), as pure decisions over the status and the clock.
 *
 * <p>Every one is denied at AWS when the request is deleted or denied, so that no credential
 * outlives its request. One that a change of spec replaced ({@link #SPEC_CHANGED}: it may do what
 * the request no longer asks for) is also denied once the workloads no longer need it: after the
 * restart of the rolloutRestartTargets on its successor, plus a grace for the rollout. Without that
 * restart an SDK reading the Secret through credential_process switches only near the old
 * credential's Expiration ({@link RotationTiming}), so denying it earlier would cut the workload
 * off: it stays valid until it expires. A credential replaced by a scheduled rotation expires
 * within the rotation's lead anyway and is only denied with its request.
 */
final class RetiredSessions {
  /** The reason of a session a change of spec retired. */
  static final String SPEC_CHANGED = "SpecChanged";

  /** The reason of a session a scheduled rotation retired. */
  static final String ROTATED = "Rotated";

  private RetiredSessions() {}

  /**
   * Whether the lease {@code status} holds is retired by a rotation to another one: an assumed_role
   * or federation_token credential that is still valid. {@code specChanged}: the rotation was for a
   * changed spec.
   */
  static Optional<String> retires(
      AwsCredentialRequestStatus status, String fingerprint, Instant now) {
    if (!SessionRevoker.revocable(status, now)) {
      return Optional.empty();
    }
    boolean specChanged = status.issuedFor != null && !status.issuedFor.equals(fingerprint);
    return Optional.of(specChanged ? SPEC_CHANGED : ROTATED);
  }

  /**
   * The first instant a successor of the lease {@code status} holds may be issued, when that is
   * still to come: the deny statement of the retired session matches its session name issued at or
   * before {@link SessionDenials#issuedBy} (whole seconds, rounded up), so a successor of the same
   * name issued in that second or the one before would be denied with it.
   */
  static Optional<Instant> successorNotBefore(AwsCredentialRequestStatus status, Instant now) {
    if (!SessionRevoker.revocable(status, now)) {
      return Optional.empty();
    }
    Instant notBefore = SessionRevoker.issuedBy(status).plusSeconds(1);
    return now.isBefore(notBefore) ? Optional.of(notBefore) : Optional.empty();
  }

  /** The retired session recorded from the denial intent of the lease it was. */
  static RetiredSession of(Revocation intent, String supersededBy) {
    RetiredSession r = new RetiredSession();
    r.state = Revocation.PENDING;
    r.leaseId = intent.leaseId;
    r.credentialType = intent.credentialType;
    r.reason = intent.reason;
    r.userId = intent.userId;
    r.policyHolder = intent.policyHolder;
    r.authConfigRef = intent.authConfigRef;
    r.issuedBy = intent.issuedBy;
    r.expiresAt = intent.expiresAt;
    r.requestedAt = intent.requestedAt;
    r.supersededBy = supersededBy;
    return r;
  }

  /** The list with {@code added} (when present) and without what has expired by {@code now}. */
  static List<RetiredSession> with(
      List<RetiredSession> current, Optional<RetiredSession> added, Instant now) {
    List<RetiredSession> out = new ArrayList<>();
    if (current != null) {
      for (RetiredSession r : current) {
        if (Instant.parse(r.expiresAt).isAfter(now)
            && added.map(a -> !a.leaseId.equals(r.leaseId)).orElse(true)) {
          out.add(r);
        }
      }
    }
    added.ifPresent(out::add);
    return out.isEmpty() ? null : out;
  }

  /**
   * The rolloutRestartTargets were restarted on the current lease at {@code now}: each session a
   * change of spec retired that has no time yet is denied after {@code grace}.
   */
  static void restarted(List<RetiredSession> sessions, Instant now, Duration grace) {
    if (sessions == null) {
      return;
    }
    Instant at = now.plus(grace).truncatedTo(ChronoUnit.SECONDS);
    for (RetiredSession r : sessions) {
      if (pending(r) && SPEC_CHANGED.equals(r.reason) && r.denyAt == null) {
        r.denyAt = at.toString();
      }
    }
  }

  /** The sessions to deny now: all pending ones ({@code all}), or those whose time has come. */
  static List<RetiredSession> due(List<RetiredSession> sessions, Instant now, boolean all) {
    List<RetiredSession> out = new ArrayList<>();
    if (sessions == null) {
      return out;
    }
    for (RetiredSession r : sessions) {
      if (pending(r)
          && Instant.parse(r.expiresAt).isAfter(now)
          && (all || (r.denyAt != null && !now.isBefore(Instant.parse(r.denyAt))))) {
        out.add(r);
      }
    }
    return out;
  }

  /** How long until the next pending session is due (empty: none waits for a time). */
  static Optional<Duration> untilNext(List<RetiredSession> sessions, Instant now) {
    Optional<Duration> next = Optional.empty();
    if (sessions == null) {
      return next;
    }
    for (RetiredSession r : sessions) {
      if (pending(r) && r.denyAt != null) {
        Duration d = Duration.between(now, Instant.parse(r.denyAt));
        d = d.isNegative() ? Duration.ZERO : d;
        if (next.isEmpty() || d.compareTo(next.get()) < 0) {
          next = Optional.of(d);
        }
      }
    }
    return next;
  }

  private static boolean pending(RetiredSession r) {
    return Revocation.PENDING.equals(r.state);
  }
}
