package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.status.UserError;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LeaseTermsTest {
  private static final String OWN = "111111111111";
  private static final String DEPLOY = "arn:aws:iam::111111111111:role/deploy";
  private static final String REMOTE = "arn:aws:iam::222222222222:role/deploy";

  @Test
  void ttlDefaultsToTheRolesDefaultThenToTheTypesDefault() {
    VaultAwsRoleSpec role = role(CredentialType.FEDERATION_TOKEN);
    assertThat(terms(request(null), role).ttl()).isEqualTo(Duration.ofHours(1));
    role.defaultTtl = "30m";
    assertThat(terms(request(null), role).ttl()).isEqualTo(Duration.ofMinutes(30));
    assertThat(terms(request(null), role(CredentialType.IAM_USER)).ttl())
        .isEqualTo(Duration.ofHours(768));
  }

  @Test
  void ttlIsShortenedToMaxTtlAndSaysWhy() {
    VaultAwsRoleSpec role = role(CredentialType.FEDERATION_TOKEN);
    role.maxTtl = "2h";
    LeaseTerms t = terms(request("10h"), role);
    assertThat(t.ttl()).isEqualTo(Duration.ofHours(2));
    assertThat(t.shortenedBecause()).hasValueSatisfying(w -> assertThat(w).contains("maxTtl"));
    assertThat(terms(request("90m"), role).shortenedBecause()).isEmpty();
  }

  @Test
  void ttlIsShortenedToAwsLimitsOfTheType() {
    assertThat(terms(request("40h"), role(CredentialType.SESSION_TOKEN)).ttl())
        .isEqualTo(Duration.ofHours(36));
    VaultAwsRoleSpec assumed = role(CredentialType.ASSUMED_ROLE);
    assumed.roleArns = List.of(DEPLOY);
    assertThat(terms(request("13h"), assumed).ttl()).isEqualTo(Duration.ofHours(12));
  }

  @Test
  void assumingARoleInAnotherAccountIsChainedAndLimitedToOneHour() {
    VaultAwsRoleSpec assumed = role(CredentialType.ASSUMED_ROLE);
    assumed.roleArns = List.of(REMOTE);
    LeaseTerms t = terms(request("2h"), assumed);
    assertThat(t.ttl()).isEqualTo(Duration.ofHours(1));
    assertThat(t.shortenedBecause()).hasValueSatisfying(w -> assertThat(w).contains("chained"));
    assertThat(t.roleArn()).contains(REMOTE);
  }

  @Test
  void stsTtlUnderFifteenMinutesIsRefused() {
    assertThatThrownBy(() -> terms(request("10m"), role(CredentialType.FEDERATION_TOKEN)))
        .isInstanceOfSatisfying(
            UserError.class, e -> assertThat(e.reason().name()).isEqualTo("TtlOutOfRange"))
        .hasMessageContaining("15m");
    assertThat(terms(request("10m"), role(CredentialType.IAM_USER)).ttl())
        .isEqualTo(Duration.ofMinutes(10));
  }

  /**
   * AWS's documented DurationSeconds ranges, in seconds as the STS API Reference writes them:
   * AssumeRole 900..43200 (12 h, the most a role's MaxSessionDuration allows), a chained AssumeRole
   * (from a role session, or into another account through its binding's session) at most 3600;
   * GetFederationToken and GetSessionToken 900..129600 (36 h). IAM access keys do not expire.
   * "refused" is TtlOutOfRange before any AWS call.
   */
  @ParameterizedTest(name = "{0} {1} ttl {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ASSUMED_ROLE     | same account     | 12h   | 43200
          ASSUMED_ROLE     | same account     | 13h   | 43200
          ASSUMED_ROLE     | same account     | 15m   | 900
          ASSUMED_ROLE     | same account     | 14m   | refused
          ASSUMED_ROLE     | other account    | 1h    | 3600
          ASSUMED_ROLE     | other account    | 61m   | 3600
          ASSUMED_ROLE     | from a session   | 2h    | 3600
          FEDERATION_TOKEN | same account     | 36h   | 129600
          FEDERATION_TOKEN | same account     | 37h   | 129600
          FEDERATION_TOKEN | same account     | 15m   | 900
          FEDERATION_TOKEN | same account     | 899s  | refused
          SESSION_TOKEN    | same account     | 36h   | 129600
          SESSION_TOKEN    | same account     | 100h  | 129600
          SESSION_TOKEN    | same account     | 15m   | 900
          SESSION_TOKEN    | same account     | 14m   | refused
          IAM_USER         | same account     | 1000h | 3600000
          IAM_USER         | same account     | 1m    | 60
          """)
  void ttlsFollowAwsDocumentedRanges(
      CredentialType type, String where, String ttl, String expectedSeconds) {
    VaultAwsRoleSpec role = role(type);
    if (type == CredentialType.ASSUMED_ROLE) {
      role.roleArns = List.of(where.equals("other account") ? REMOTE : DEPLOY);
    }
    boolean fromSession = where.equals("from a session");
    if (expectedSeconds.equals("refused")) {
      assertThatThrownBy(() -> LeaseTerms.of(request(ttl), role, OWN, fromSession))
          .isInstanceOfSatisfying(
              UserError.class, e -> assertThat(e.reason().name()).isEqualTo("TtlOutOfRange"));
    } else {
      assertThat(LeaseTerms.of(request(ttl), role, OWN, fromSession).ttl())
          .isEqualTo(Duration.ofSeconds(Long.parseLong(expectedSeconds)));
    }
  }

  @Test
  void roleArnIsRequiredWhenTheRoleHasSeveralAndMustBeOneOfThem() {
    VaultAwsRoleSpec assumed = role(CredentialType.ASSUMED_ROLE);
    assumed.roleArns = List.of(DEPLOY, "arn:aws:iam::111111111111:role/other");
    assertThatThrownBy(() -> terms(request(null), assumed))
        .isInstanceOfSatisfying(
            UserError.class, e -> assertThat(e.reason().name()).isEqualTo("RoleArnRequired"));
    AwsCredentialRequest r = request(null);
    r.getSpec().roleArn = "arn:aws:iam::111111111111:role/not-listed";
    assertThatThrownBy(() -> terms(r, assumed))
        .isInstanceOfSatisfying(
            UserError.class, e -> assertThat(e.reason().name()).isEqualTo("RoleArnNotInRole"));
    r.getSpec().roleArn = DEPLOY;
    assertThat(terms(r, assumed).roleArn()).contains(DEPLOY);
  }

  @Test
  void roleArnOnANonAssumedRoleIsRefused() {
    AwsCredentialRequest r = request(null);
    r.getSpec().roleArn = DEPLOY;
    assertThatThrownBy(() -> terms(r, role(CredentialType.SESSION_TOKEN)))
        .isInstanceOfSatisfying(
            UserError.class, e -> assertThat(e.reason().name()).isEqualTo("RoleArnNotInRole"));
  }

  @Test
  void generatedNamesFitStsLimits() {
    AwsCredentialRequest r = request(null);
    r.getMetadata().setNamespace("a-rather-long-namespace-name-for-some-team");
    r.getMetadata().setName("and-a-very-long-request-name-that-goes-on-and-on");
    LeaseTerms t = terms(r, role(CredentialType.FEDERATION_TOKEN));
    // AWS: RoleSessionName 2..64 characters, GetFederationToken Name 2..32, both [\w+=,.@-]
    assertThat(t.sessionName())
        .isEqualTo("aao-a-rather-long-namespace-name-for-some-team-and-a-very-long-r")
        .hasSize(64)
        .matches("[\\w+=,.@-]{2,64}");
    // cut to 23, then "-" and the first 8 hex digits of SHA-256("<namespace>/<name>")
    assertThat(t.federationName())
        .isEqualTo("a-rather-long-namespace-60db1edc")
        .hasSize(32)
        .matches("[\\w+=,.@-]{2,32}");
    r.getMetadata().setName("other-request-name-that-goes-on-and-on-too");
    assertThat(terms(r, role(CredentialType.FEDERATION_TOKEN)).federationName())
        .hasSize(32)
        .isNotEqualTo(t.federationName());
    r.getMetadata().setNamespace("team");
    r.getMetadata().setName("ledger");
    assertThat(terms(r, role(CredentialType.FEDERATION_TOKEN)).federationName())
        .isEqualTo("team-ledger");
    r.getSpec().roleSessionName = "my-session";
    assertThat(terms(r, role(CredentialType.FEDERATION_TOKEN)).sessionName())
        .isEqualTo("my-session");
  }

  @Test
  void fingerprintChangesWithTheIssuingFieldsOnly() {
    AwsCredentialRequestSpec a = request("1h").getSpec();
    AwsCredentialRequestSpec b = request("1h").getSpec();
    assertThat(LeaseTerms.fingerprint(a)).isEqualTo(LeaseTerms.fingerprint(b));
    b.renewBefore = "10m";
    assertThat(LeaseTerms.fingerprint(a)).isEqualTo(LeaseTerms.fingerprint(b));
    b.ttl = "2h";
    assertThat(LeaseTerms.fingerprint(a)).isNotEqualTo(LeaseTerms.fingerprint(b));
  }

  private static LeaseTerms terms(AwsCredentialRequest r, VaultAwsRoleSpec role) {
    return LeaseTerms.of(r, role, OWN, false);
  }

  private static VaultAwsRoleSpec role(CredentialType type) {
    VaultAwsRoleSpec spec = new VaultAwsRoleSpec();
    spec.credentialType = type;
    return spec;
  }

  private static AwsCredentialRequest request(String ttl) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.setMetadata(
        new ObjectMetaBuilder().withName("app").withNamespace("team-a").withUid("u").build());
    r.setSpec(new AwsCredentialRequestSpec());
    r.getSpec().roleRef = "deploy";
    r.getSpec().ttl = ttl;
    return r;
  }
}
