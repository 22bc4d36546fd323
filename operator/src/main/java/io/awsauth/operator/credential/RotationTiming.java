package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.RetiringKey;
import io.awsauth.operator.api.v1alpha1.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Whether a rotated credential reaches a mounted Secret before the SDKs that read it through {@code
 * credential_process} need it, and how long the previous credential stays valid (docs/rotation.md,
 * "Timing"). Pure: every instant comes from the caller's (injected) clock.
 *
 * <p>The new credential is in the Secret at renewAt (plus the issuance); the kubelet copies it into
 * the pod's volume at the pod's next sync; an SDK runs credential_process again only inside its
 * refresh window before the Expiration it was given. So the lead renewAt gives before expiry must
 * cover the kubelet's sync, the largest SDK window and a margin, or an SDK asks while the file
 * still holds the old credential. It then keeps the old one and asks again (every SDK accepts the
 * old credential until its Expiration), so nothing fails as long as the file is updated before the
 * old credential expires: {@link #FLOOR}.
 */
public final class RotationTiming {
  /**
   * The kubelet updates a Secret volume at the pod's next sync: its syncFrequency (default 1m),
   * jittered by up to half of it.
   */
  static final Duration KUBELET_SYNC = Duration.ofSeconds(90);

  /**
   * The widest window before Expiration in which an SDK runs credential_process again: botocore's
   * advisory refresh (15 min; its mandatory refresh is 10 min). The Java SDK v2 prefetches 15 s
   * before Expiration, the Go SDK v2 refreshes at Expiration.
   */
  static final Duration SDK_REFRESH_WINDOW = Duration.ofMinutes(15);

  /** Issuance (iam_user: the new key is proven for up to 30 s), the Secret write, clock skew. */
  static final Duration MARGIN = Duration.ofMinutes(1);

  /** The lead before expiry at which no SDK asks before the rotated file is there: 17m30s. */
  public static final Duration NEEDED = KUBELET_SYNC.plus(SDK_REFRESH_WINDOW).plus(MARGIN);

  /** The least lead at which the file is updated before the old credential expires: 2m30s. */
  public static final Duration FLOOR = KUBELET_SYNC.plus(MARGIN);

  /**
   * iam_user: the previous key is deleted this long after the Expiration it was given to the
   * workloads (the Go SDK uses a credential until that instant; a call signed just before it must
   * still arrive).
   */
  public static final Duration RETIRE_GRACE = Duration.ofSeconds(30);

  private RotationTiming() {}

  /** The verdict on a lease's timing: in time, or why not (a condition message). */
  public record Verdict(boolean inTime, String message) {}

  /** Whether the lease (issuedAt, expiresAt, renewAt) rotates in time for a mounted file. */
  public static Verdict check(
      Instant issuedAt, Instant expiresAt, Instant renewAt, boolean iamUser) {
    Duration lead = Duration.between(renewAt, expiresAt);
    Duration lease = Duration.between(issuedAt, expiresAt);
    String arithmetic =
        " (kubelet sync "
            + human(KUBELET_SYNC)
            + " + SDK refresh window "
            + human(SDK_REFRESH_WINDOW)
            + " + margin "
            + human(MARGIN)
            + ")";
    if (lead.compareTo(FLOOR) < 0) {
      return new Verdict(
          false,
          "the next credential is issued "
              + human(lead)
              + " before this one expires, under the "
              + human(FLOOR)
              + " a mounted Secret needs to be updated before it expires (kubelet sync "
              + human(KUBELET_SYNC)
              + " + margin "
              + human(MARGIN)
              + "): a workload reading it through credential_process may still use the old"
              + " credential when it expires; set renewBefore to at least "
              + human(NEEDED)
              + arithmetic);
    }
    if (iamUser && lease.minus(lead).compareTo(lead.plus(RETIRE_GRACE)) < 0) {
      return new Verdict(
          false,
          "iam_user: renewBefore "
              + human(lead)
              + " leaves less than itself plus "
              + human(RETIRE_GRACE)
              + " between two rotations: IAM allows two keys per user, so the previous key is"
              + " deleted at the next rotation, before the Expiration the workloads were given;"
              + " keep renewBefore under half the lease");
    }
    if (lead.compareTo(NEEDED) < 0) {
      return new Verdict(
          false,
          "the next credential is issued "
              + human(lead)
              + " before this one expires, under the "
              + human(NEEDED)
              + " a mounted Secret needs"
              + arithmetic
              + ": no call fails, but botocore (the AWS CLI, boto3) runs credential_process on"
              + " every call from 15m before expiry until the kubelet updates the file");
    }
    return new Verdict(
        true,
        "the next credential is issued "
            + human(lead)
            + " before this one expires, at least the "
            + human(NEEDED)
            + " a mounted Secret needs"
            + arithmetic);
  }

  /**
   * iam_user, after a rotation: the key the workloads held, kept until the Expiration it was given
   * plus {@link #RETIRE_GRACE}. Empty when there was none, or it is the new one.
   */
  public static Optional<RetiringKey> retiring(
      Optional<String> previousKeyId,
      Optional<Instant> previousExpiresAt,
      String newKeyId,
      Instant now) {
    if (previousKeyId.isEmpty() || previousKeyId.get().equals(newKeyId)) {
      return Optional.empty();
    }
    // (an expiry unknown or past: the workloads may still hold the key; it gets the grace)
    Instant expiry = previousExpiresAt.filter(now::isBefore).orElse(now);
    RetiringKey key = new RetiringKey();
    key.accessKeyId = previousKeyId.get();
    key.deleteAt = expiry.plus(RETIRE_GRACE).truncatedTo(ChronoUnit.SECONDS).toString();
    return Optional.of(key);
  }

  /** Whether the previous key's overlap is over: it is deleted now. */
  public static boolean retireDue(RetiringKey key, Instant now) {
    return key != null && !now.isBefore(Instant.parse(key.deleteAt));
  }

  /** How long until the previous key is deleted (zero: now). */
  public static Duration untilRetire(RetiringKey key, Instant now) {
    Duration wait = Duration.between(now, Instant.parse(key.deleteAt));
    return wait.isNegative() ? Duration.ZERO : wait;
  }

  static String human(Duration d) {
    return Durations.format(d);
  }
}
