package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.fake.Failures;
import io.awsauth.operator.aws.fake.FakeIam;
import io.awsauth.operator.status.UserError;
import io.awsauth.operator.testenv.MutableClock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IamUsersTest {
  private final FakeIam iam =
      new FakeIam("111122223333", new MutableClock(Instant.parse("2026-01-01T00:00:00Z")));

  private static VaultAwsRoleSpec role() {
    VaultAwsRoleSpec spec = new VaultAwsRoleSpec();
    spec.policyArns = List.of("arn:aws:iam::aws:policy/ReadOnlyAccess");
    spec.iamGroups = List.of("readers");
    return spec;
  }

  private void issued(String user) {
    IamUsers.ensureUser(iam, user, role(), Map.of(OwnerTags.UID, "uid-1"), "uid-1");
    IamUsers.syncPermissions(iam, user, role(), true);
    iam.putUserPolicy(user, IamUsers.INLINE_POLICY, "{}");
    iam.createAccessKey(user);
  }

  @Test
  void revokeDeletesKeysPoliciesGroupsAndTheUser() {
    issued("u1");

    IamUsers.revoke(iam, "u1", false);

    assertThat(iam.user("u1")).isNull();
  }

  @Test
  void aRevocationInterruptedByThrottlingFinishesWhenRunAgain() {
    issued("u1");
    iam.failures().once("iam:DetachUserPolicy", Failures.throttled("DetachUserPolicy"));

    assertThatThrownBy(() -> IamUsers.revoke(iam, "u1", false))
        .isInstanceOfSatisfying(AwsFailure.class, f -> assertThat(f.isTerminal()).isFalse());
    assertThat(iam.user("u1").keys).as("keys go first: the credential stopped working").isEmpty();

    IamUsers.revoke(iam, "u1", false);

    assertThat(iam.user("u1")).isNull();
    assertThat(iam.failures().calls("iam:DeleteUser")).isEqualTo(1);
  }

  @Test
  void revokingAUserThatIsGoneCallsNothingElse() {
    IamUsers.revoke(iam, "gone", false);

    assertThat(iam.failures().calls("iam:GetUser")).isEqualTo(1);
    assertThat(iam.failures().calls("iam:ListAccessKeys")).isZero();
  }

  @Test
  void aUserCreatedMomentsAgoThatIamDoesNotShowYetIsRetriedNotTakenForGone() {
    Instant now = Instant.parse("2026-01-01T00:01:00Z");
    AwsCredentialRequestStatus issuing = new AwsCredentialRequestStatus();
    issuing.pendingLease = new AwsCredentialRequestStatus.PendingLease();
    issuing.pendingLease.startedAt = "2026-01-01T00:00:40Z";
    assertThat(IamUsers.mayBeInvisible(issuing, now)).isTrue();
    AwsCredentialRequestStatus issued = new AwsCredentialRequestStatus();
    issued.issuedAt = "2026-01-01T00:00:30Z";
    assertThat(IamUsers.mayBeInvisible(issued, now)).as("exactly 30 s ago").isFalse();
    assertThat(IamUsers.mayBeInvisible(new AwsCredentialRequestStatus(), now)).isFalse();

    assertThatThrownBy(() -> IamUsers.revoke(iam, "not-yet-visible", true))
        .isInstanceOfSatisfying(
            AwsFailure.class,
            f -> {
              assertThat(f.isTerminal()).isFalse();
              assertThat(f.getMessage()).contains("not visible yet");
            });
    IamUsers.revoke(iam, "not-yet-visible", false);
    assertThat(iam.failures().calls("iam:GetUser")).isEqualTo(2);
  }

  @Test
  void anInterruptedCreationIsAdoptedOnlyByItsOwnRequest() {
    IamUsers.ensureUser(iam, "u1", role(), Map.of(OwnerTags.UID, "uid-1"), "uid-1");

    assertThat(IamUsers.ensureUser(iam, "u1", role(), Map.of(), "uid-1")).isFalse();
    assertThatThrownBy(() -> IamUsers.ensureUser(iam, "u1", role(), Map.of(), "uid-2"))
        .isInstanceOfSatisfying(
            UserError.class, e -> assertThat(e.reason().name()).isEqualTo("IamUserNameTaken"));
  }

  @Test
  void deleteKeysExceptKeepsOnlyTheNamedKey() {
    issued("u1");
    String second = iam.createAccessKey("u1").accessKeyId();

    IamUsers.deleteKeysExcept(iam, "u1", java.util.Set.of(second));

    assertThat(iam.user("u1").keys).containsOnlyKeys(second);
  }

  private static AwsCredentialRequestStatus held(String permissions) {
    AwsCredentialRequestStatus s = new AwsCredentialRequestStatus();
    s.leaseId = "lease-1";
    s.iamUserName = "u1";
    s.accessKeyId = "AKIA1";
    s.permissionsFor = permissions;
    return s;
  }

  @Test
  void aRotationOfAUserWithTheRolesPermissionsNeedsOnlyAKey() {
    String given = IamUsers.permissions(role());

    assertThat(IamUsers.keyOnly(held(given), java.util.Optional.of("AKIA1"), given)).isTrue();
  }

  @Test
  void anythingElseTakesTheWholeIssuance() {
    String given = IamUsers.permissions(role());
    java.util.Optional<String> inSecret = java.util.Optional.of("AKIA1");
    assertThat(IamUsers.keyOnly(new AwsCredentialRequestStatus(), inSecret, given))
        .as("a first issuance")
        .isFalse();
    assertThat(IamUsers.keyOnly(held(null), inSecret, given))
        .as("a lease issued before permissionsFor, or resumed after a crash")
        .isFalse();
    assertThat(IamUsers.keyOnly(held("other"), inSecret, given))
        .as("the role's permissions changed")
        .isFalse();
    assertThat(IamUsers.keyOnly(held(given), java.util.Optional.of("AKIA2"), given))
        .as("the Secret holds another key")
        .isFalse();
    assertThat(IamUsers.keyOnly(held(given), java.util.Optional.empty(), given))
        .as("the Secret holds no key")
        .isFalse();
    AwsCredentialRequestStatus interrupted = held(given);
    interrupted.pendingLease = new AwsCredentialRequestStatus.PendingLease();
    assertThat(IamUsers.keyOnly(interrupted, inSecret, given))
        .as("an interrupted attempt, whose key the whole issuance deletes")
        .isFalse();
  }

  @Test
  void thePermissionsFingerprintIgnoresOrderAndSeesEveryPermission() {
    VaultAwsRoleSpec reordered = role();
    reordered.policyArns = List.of("arn:aws:iam::aws:policy/B", "arn:aws:iam::aws:policy/A");
    VaultAwsRoleSpec ordered = role();
    ordered.policyArns = List.of("arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B");
    assertThat(IamUsers.permissions(reordered)).isEqualTo(IamUsers.permissions(ordered));

    VaultAwsRoleSpec group = role();
    group.iamGroups = List.of("writers");
    VaultAwsRoleSpec inline = role();
    inline.policyDocument =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .createObjectNode()
            .put("Version", "2012-10-17");
    VaultAwsRoleSpec none = role();
    none.policyArns = null;
    assertThat(
            java.util.Set.of(
                IamUsers.permissions(role()),
                IamUsers.permissions(group),
                IamUsers.permissions(inline),
                IamUsers.permissions(none)))
        .hasSize(4);
  }
}
