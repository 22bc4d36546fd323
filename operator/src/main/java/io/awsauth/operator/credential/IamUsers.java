package io.awsauth.operator.credential;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsReason;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.aws.AccessKey;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.IamGateway;
import io.awsauth.operator.aws.IamGateway.User;
import io.awsauth.operator.status.UserError;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The IAM users of iam_user leases, every step idempotent so that an issuance interrupted anywhere
 * can be run again from the start: Vault's CreateUser → policies → groups → CreateAccessKey, and
 * its revocation in reverse.
 */
final class IamUsers {
  /** Name of the inline policy the role's policyDocument becomes. */
  static final String INLINE_POLICY = "aws-auth-operator";

  private static final ObjectMapper JSON = new ObjectMapper();

  private IamUsers() {}

  /**
   * Creates the user, or adopts it when it already exists and carries this request's UID tag (an
   * earlier attempt that was interrupted). Returns whether the user is new.
   */
  static boolean ensureUser(
      IamGateway iam,
      String userName,
      VaultAwsRoleSpec role,
      Map<String, String> tags,
      String requestUid) {
    try {
      iam.createUser(
          userName,
          role.userPath == null ? "/" : role.userPath,
          Optional.ofNullable(role.permissionsBoundaryArn),
          tags);
      return true;
    } catch (AwsFailure e) {
      if (!"EntityAlreadyExists".equals(e.code())) {
        throw e;
      }
      User existing = iam.getUser(userName).orElseThrow(() -> e);
      if (!requestUid.equals(existing.tags().get(OwnerTags.UID))) {
        throw new UserError(
            AwsCredentialRequestReason.IamUserNameTaken,
            "IAM user "
                + userName
                + " exists and was not created for this request; change the AwsAuthConfig's"
                + " usernameTemplate or remove that user");
      }
      return false;
    }
  }

  /**
   * Gives the user exactly the role's inline policy, managed policies and groups. A new user has
   * none yet, so nothing is listed.
   */
  static void syncPermissions(
      IamGateway iam, String userName, VaultAwsRoleSpec role, boolean fresh) {
    if (role.policyDocument != null) {
      iam.putUserPolicy(userName, INLINE_POLICY, compact(role));
    } else if (!fresh && iam.listUserPolicies(userName).contains(INLINE_POLICY)) {
      iam.deleteUserPolicy(userName, INLINE_POLICY);
    }
    Set<String> wantedPolicies =
        new HashSet<>(role.policyArns == null ? List.of() : role.policyArns);
    Set<String> attached = fresh ? Set.of() : new HashSet<>(iam.listAttachedUserPolicies(userName));
    wantedPolicies.stream()
        .filter(p -> !attached.contains(p))
        .forEach(p -> iam.attachUserPolicy(userName, p));
    attached.stream()
        .filter(p -> !wantedPolicies.contains(p))
        .forEach(p -> iam.detachUserPolicy(userName, p));
    Set<String> wantedGroups = new HashSet<>(role.iamGroups == null ? List.of() : role.iamGroups);
    Set<String> groups = fresh ? Set.of() : new HashSet<>(iam.listGroupsForUser(userName));
    wantedGroups.stream()
        .filter(g -> !groups.contains(g))
        .forEach(g -> iam.addUserToGroup(userName, g));
    groups.stream()
        .filter(g -> !wantedGroups.contains(g))
        .forEach(g -> iam.removeUserFromGroup(userName, g));
  }

  /**
   * A fingerprint of what {@link #syncPermissions} gives a user: the role's inline policy, managed
   * policies and groups (in any order). Recorded as status.permissionsFor with each lease.
   */
  static String permissions(VaultAwsRoleSpec role) {
    String joined =
        String.join(
            "\n",
            role.policyDocument == null ? "-" : compact(role),
            String.join(",", sorted(role.policyArns)),
            String.join(",", sorted(role.iamGroups)));
    return LeaseTerms.sha256Hex(joined, 8);
  }

  private static List<String> sorted(List<String> values) {
    return values == null ? List.of() : values.stream().sorted().toList();
  }

  /**
   * Whether an iam_user issuance needs only a new access key for the user the request holds (one
   * IAM call, against seven to create or adopt the user and give it its permissions): a rotation
   * that starts afresh (no interrupted attempt to clean up after, status.pendingLease), of the user
   * status names, whose current key the Secret holds, while the role gives the permissions the user
   * was last given ({@code permissions}, status.permissionsFor). Pure.
   */
  static boolean keyOnly(
      AwsCredentialRequestStatus status, Optional<String> keyInSecret, String permissions) {
    return status.pendingLease == null
        && status.leaseId != null
        && status.iamUserName != null
        && status.accessKeyId != null
        && keyInSecret.filter(status.accessKeyId::equals).isPresent()
        && permissions.equals(status.permissionsFor);
  }

  /**
   * Whether a key-only rotation's CreateAccessKey failed for a reason the full issuance deals with:
   * the user has two keys already (one left by an earlier lease or attempt: the full issuance
   * deletes all but the current one) or is gone (it creates it again).
   */
  static boolean needsFullIssuance(AwsFailure failure) {
    return "LimitExceeded".equals(failure.code()) || "NoSuchEntity".equals(failure.code());
  }

  /** Deletes every access key of the user but {@code keep}: keys of interrupted attempts. */
  static void deleteKeysExcept(IamGateway iam, String userName, Set<String> keep) {
    for (AccessKey key : iam.listAccessKeys(userName)) {
      if (!keep.contains(key.accessKeyId())) {
        iam.deleteAccessKey(userName, key.accessKeyId());
      }
    }
  }

  /**
   * How long after its creation IAM may still answer NoSuchEntity for a new user: IAM is eventually
   * consistent ("Changes that I make are not always immediately visible"), usually for seconds.
   */
  static final Duration MAY_BE_INVISIBLE = Duration.ofSeconds(30);

  /**
   * Whether the request's user may have been created so recently that IAM does not show it yet: the
   * lease being issued, or the last one, started less than {@link #MAY_BE_INVISIBLE} ago.
   */
  static boolean mayBeInvisible(AwsCredentialRequestStatus status, Instant now) {
    Instant since = now.minus(MAY_BE_INVISIBLE);
    return Stream.of(
            status.pendingLease == null ? null : status.pendingLease.startedAt, status.issuedAt)
        .filter(Objects::nonNull)
        .map(Instant::parse)
        .anyMatch(t -> t.isAfter(since));
  }

  /**
   * Revokes the user: keys first (the credential stops working), then inline and managed policies,
   * groups, and the user. A user that is already gone is revoked, unless it {@code mayBeInvisible}
   * (created moments ago): then IAM's NoSuchEntity may only mean that it has not propagated, and
   * the revocation is retried rather than the user left behind.
   */
  static void revoke(IamGateway iam, String userName, boolean mayBeInvisible) {
    if (iam.getUser(userName).isEmpty()) {
      if (mayBeInvisible) {
        throw new AwsFailure(
            "iam:GetUser",
            AwsFailure.Kind.TRANSIENT,
            "NoSuchEntity",
            AwsReason.NotFound,
            "IAM user "
                + userName
                + " was created less than "
                + MAY_BE_INVISIBLE.toSeconds()
                + "s ago and is not visible yet; its revocation waits for it",
            null);
      }
      return;
    }
    deleteKeysExcept(iam, userName, Set.of());
    iam.listUserPolicies(userName).forEach(p -> iam.deleteUserPolicy(userName, p));
    iam.listAttachedUserPolicies(userName).forEach(p -> iam.detachUserPolicy(userName, p));
    iam.listGroupsForUser(userName).forEach(g -> iam.removeUserFromGroup(userName, g));
    iam.deleteUser(userName);
  }

  private static String compact(VaultAwsRoleSpec role) {
    try {
      return JSON.writeValueAsString(role.policyDocument);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
