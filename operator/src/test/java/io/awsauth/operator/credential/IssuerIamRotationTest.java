package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.fake.Failures;
import io.awsauth.operator.aws.fake.FakeAwsClients;
import io.awsauth.operator.aws.fake.FakeIam;
import io.awsauth.operator.testenv.MutableClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * An iam_user rotation of a user that has its role's permissions creates the new key and nothing
 * else (every IAM call is paced, and AWS limits them per account); whatever it cannot do alone (the
 * user has two keys, or is gone) the whole issuance does.
 */
class IssuerIamRotationTest {
  private static final String USER = "aao-app-u-1";
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
  private final FakeAwsClients aws = new FakeAwsClients(clock);
  private final FakeIam iam = aws.fakeIam();
  private final Issuer issuer = FakeConfigs.issuer(aws, clock, Map.of("aao.cluster-id", "c1"));

  private static AwsCredentialRequest request() {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("payments")
            .withName("ledger")
            .withUid("u-1")
            .build());
    r.setSpec(new AwsCredentialRequestSpec());
    r.getSpec().roleRef = "app";
    return r;
  }

  private static VaultAwsRole role() {
    VaultAwsRole role = new VaultAwsRole();
    role.setMetadata(new ObjectMetaBuilder().withName("app").build());
    role.setSpec(new VaultAwsRoleSpec());
    role.getSpec().credentialType = CredentialType.IAM_USER;
    role.getSpec().authConfigRef = "default";
    role.getSpec().policyArns = List.of("arn:aws:iam::aws:policy/ReadOnlyAccess");
    role.getSpec().iamGroups = List.of("readers");
    return role;
  }

  private static ResolvedAuthConfig config() {
    return FakeConfigs.resolved("default");
  }

  private Issuer.UserKey issue(Optional<String> keep, boolean keyOnly) {
    return issue(keep, keyOnly, Optional.empty());
  }

  private Issuer.UserKey issue(Optional<String> keep, boolean keyOnly, Optional<String> retiring) {
    AwsCredentialRequest request = request();
    VaultAwsRole role = role();
    LeaseTerms terms = LeaseTerms.of(request, role.getSpec(), FakeAwsClients.ACCOUNT, false);
    return issuer.issueIamUser(request, role, config(), terms, USER, keep, keyOnly, retiring);
  }

  private int iamCalls() {
    return iam.failures().callsOf("iam:");
  }

  @Test
  void aKeyOnlyRotationMakesOneIamCall() {
    Issuer.UserKey first = issue(Optional.empty(), false);
    int before = iamCalls();

    Issuer.UserKey rotated = issue(Optional.of(first.credential().accessKeyId()), true);

    assertThat(iamCalls() - before).as("CreateAccessKey only").isEqualTo(1);
    assertThat(iam.user(USER).keys)
        .containsOnlyKeys(first.credential().accessKeyId(), rotated.credential().accessKeyId());
    assertThat(rotated.onlyKey()).as("the user has the previous key too").isFalse();
  }

  @Test
  void aShortLeaseRotatingWithinItsOverlapDeletesTheRetiringKeyThenCreatesOne() {
    Issuer.UserKey first = issue(Optional.empty(), false);
    Issuer.UserKey second = issue(Optional.of(first.credential().accessKeyId()), true);
    int before = iamCalls();

    Issuer.UserKey third =
        issue(
            Optional.of(second.credential().accessKeyId()),
            true,
            Optional.of(first.credential().accessKeyId()));

    assertThat(iamCalls() - before).as("DeleteAccessKey and CreateAccessKey").isEqualTo(2);
    assertThat(iam.user(USER).keys)
        .containsOnlyKeys(second.credential().accessKeyId(), third.credential().accessKeyId());
  }

  @Test
  void theWholeIssuanceOfARotationListsAndSyncsTheUser() {
    Issuer.UserKey first = issue(Optional.empty(), false);
    int before = iamCalls();

    issue(Optional.of(first.credential().accessKeyId()), false);

    assertThat(iamCalls() - before).isGreaterThan(1);
    assertThat(iam.failures().calls("iam:ListAccessKeys")).isEqualTo(1);
  }

  @Test
  void aUserWithTwoKeysAlreadyTakesTheWholeWayWhichKeepsOnlyTheHeldKey() {
    Issuer.UserKey first = issue(Optional.empty(), false);
    String leftOver = iam.createAccessKey(USER).accessKeyId();

    Issuer.UserKey rotated = issue(Optional.of(first.credential().accessKeyId()), true);

    assertThat(iam.user(USER).keys)
        .as("the key of the interrupted attempt went, the held one stays")
        .containsOnlyKeys(first.credential().accessKeyId(), rotated.credential().accessKeyId())
        .doesNotContainKey(leftOver);
    assertThat(iam.failures().calls("iam:CreateAccessKey")).isEqualTo(4);
  }

  @Test
  void aUserThatIsGoneIsCreatedAgainWithItsPermissions() {
    issue(Optional.empty(), false);
    IamUsers.revoke(iam, USER, false);

    Issuer.UserKey rotated = issue(Optional.empty(), true);

    assertThat(iam.user(USER).keys).containsOnlyKeys(rotated.credential().accessKeyId());
    assertThat(rotated.onlyKey()).isTrue();
    assertThat(iam.failures().calls("iam:AddUserToGroup")).isEqualTo(2);
  }

  @Test
  void anyOtherFailureOfTheNewKeyIsTheIssuancesFailure() {
    Issuer.UserKey first = issue(Optional.empty(), false);
    iam.failures().once("iam:CreateAccessKey", Failures.throttled("CreateAccessKey"));

    assertThatThrownBy(() -> issue(Optional.of(first.credential().accessKeyId()), true))
        .isInstanceOfSatisfying(AwsFailure.class, f -> assertThat(f.isTerminal()).isFalse());
    assertThat(iam.failures().calls("iam:GetUser") + iam.failures().calls("iam:ListAccessKeys"))
        .as("nothing else was tried")
        .isZero();
  }
}
