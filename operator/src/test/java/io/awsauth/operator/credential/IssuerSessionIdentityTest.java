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
import io.awsauth.operator.aws.StsGateway.RoleSession;
import io.awsauth.operator.aws.fake.Failures;
import io.awsauth.operator.aws.fake.FakeAwsClients;
import io.awsauth.operator.aws.sdk.AwsErrors;
import io.awsauth.operator.testenv.MutableClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An assumed_role issuance carries the session identity, and is never refused because of it: what
 * does not fit AWS's packed-size limit is left out, and a trust that does not allow tagging or a
 * source identity gets a session without them, with a note on the credential.
 */
class IssuerSessionIdentityTest {
  private static final String ROLE_ARN = "arn:aws:iam::" + FakeAwsClients.ACCOUNT + ":role/app";
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
  private final FakeAwsClients aws = new FakeAwsClients(clock);

  private Issuer issuer(Map<String, String> properties) {
    return FakeConfigs.issuer(aws, clock, properties);
  }

  private Issuer issuer() {
    return issuer(Map.of("aao.cluster-id", "c1"));
  }

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
    r.getSpec().identity = new AwsCredentialRequestSpec.Identity();
    r.getSpec().identity.serviceAccountName = "ledger-sa";
    r.getSpec().identity.podName = "ledger-0";
    return r;
  }

  private static VaultAwsRole role(Map<String, String> sessionTags, List<String> transitive) {
    VaultAwsRole role = new VaultAwsRole();
    role.setMetadata(new ObjectMetaBuilder().withName("app").build());
    role.setSpec(new VaultAwsRoleSpec());
    role.getSpec().credentialType = CredentialType.ASSUMED_ROLE;
    role.getSpec().roleArns = List.of(ROLE_ARN);
    role.getSpec().authConfigRef = "default";
    role.getSpec().sessionTags = sessionTags;
    role.getSpec().transitiveTagKeys = transitive;
    return role;
  }

  private static ResolvedAuthConfig config() {
    return FakeConfigs.resolved("default");
  }

  private IssuedCredential issue(Issuer issuer, VaultAwsRole role) {
    AwsCredentialRequest request = request();
    LeaseTerms terms = LeaseTerms.of(request, role.getSpec(), FakeAwsClients.ACCOUNT, false);
    return issuer.issueSts(request, role, config(), terms);
  }

  private static AwsFailure refused(String code) {
    return new AwsFailure(
        "sts:AssumeRole",
        AwsFailure.Kind.TERMINAL,
        code,
        AwsErrors.terminalReason(code),
        "sts:AssumeRole failed: " + code,
        null);
  }

  private List<RoleSession> asked() {
    return aws.fakeSts().assumeRoleRequests();
  }

  @Test
  void theSessionNamesItsHolderBesideTheRolesOwnTags() {
    IssuedCredential c = issue(issuer(), role(Map.of("team", "ledger"), List.of("team", "nope")));

    RoleSession s = asked().get(0);
    assertThat(s.sourceIdentity()).contains("ledger-sa@payments");
    assertThat(s.tags())
        .containsEntry("kubernetes-namespace", "payments")
        .containsEntry("kubernetes-service-account", "ledger-sa")
        .containsEntry("kubernetes-cluster", "c1")
        .containsEntry("awsauth-request", "ledger")
        .containsEntry("awsauth-request-uid", "u-1")
        .containsEntry("kubernetes-pod", "ledger-0")
        .containsEntry("team", "ledger");
    assertThat(s.transitiveTagKeys()).containsExactly("team");
    assertThat(c.sourceIdentity()).contains("ledger-sa@payments");
    assertThat(c.note()).isEmpty();
  }

  @Test
  void tagsThatDoNotFitAreLeftOutLastFirstAndSaid() {
    Failures f = aws.fakeSts().failures();
    f.once("sts:AssumeRole", refused("PackedPolicyTooLarge"));
    f.once("sts:AssumeRole", refused("PackedPolicyTooLarge"));

    IssuedCredential c = issue(issuer(), role(Map.of("team", "ledger"), null));

    assertThat(asked()).hasSize(3);
    assertThat(asked().get(2).tags())
        .doesNotContainKeys("kubernetes-pod", "awsauth-request-uid")
        .containsKeys("kubernetes-namespace", "team");
    assertThat(asked().get(2).sourceIdentity()).contains("ledger-sa@payments");
    assertThat(c.note())
        .contains(
            "session tags left out (AWS's size limit for session policies and tags):"
                + " awsauth-request-uid, kubernetes-pod");
  }

  @Test
  void aTrustThatRefusesTheIdentityGetsASessionWithoutIt() {
    aws.fakeSts().failures().once("sts:AssumeRole", refused("AccessDenied"));

    IssuedCredential c = issue(issuer(), role(Map.of("team", "ledger"), null));

    assertThat(asked()).hasSize(2);
    assertThat(asked().get(1).sourceIdentity()).isEmpty();
    assertThat(asked().get(1).tags()).containsExactly(Map.entry("team", "ledger"));
    assertThat(c.sourceIdentity()).isEmpty();
    assertThat(c.note().orElseThrow())
        .contains("no workload identity")
        .contains("sts:TagSession")
        .contains("sts:SetSourceIdentity")
        .contains("the trust policy of " + ROLE_ARN)
        .endsWith(
            "add this statement to it: {\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
                + FakeAwsClients.ACCOUNT
                + ":user/vault-root\"},\"Action\":[\"sts:SetSourceIdentity\",\"sts:TagSession\"]}");
  }

  @Test
  void aRefusalThatIsNotAboutTheIdentityIsTheAnswer() {
    aws.fakeSts().failures().always("sts:AssumeRole", refused("AccessDenied"));

    assertThatThrownBy(() -> issue(issuer(), role(null, null)))
        .isInstanceOfSatisfying(
            AwsFailure.class, e -> assertThat(e.code()).isEqualTo("AccessDenied"));
    assertThat(asked()).hasSize(2);
  }

  @Test
  void packedSizeWithNoIdentityTagLeftIsTheAnswer() {
    aws.fakeSts().failures().always("sts:AssumeRole", refused("PackedPolicyTooLarge"));

    assertThatThrownBy(() -> issue(issuer(), role(null, null)))
        .isInstanceOfSatisfying(
            AwsFailure.class, e -> assertThat(e.code()).isEqualTo("PackedPolicyTooLarge"));
    assertThat(asked()).hasSize(7);
    assertThat(asked().get(6).tags()).isEmpty();
  }

  @Test
  void switchedOffSessionsCarryOnlyTheRolesTags() {
    IssuedCredential c =
        issue(
            issuer(Map.of("aao.cluster-id", "c1", "aao.session-identity.enabled", "false")),
            role(Map.of("team", "ledger"), null));

    assertThat(asked().get(0).sourceIdentity()).isEmpty();
    assertThat(asked().get(0).tags()).containsExactly(Map.entry("team", "ledger"));
    assertThat(c.sourceIdentity()).isEmpty();
  }
}
