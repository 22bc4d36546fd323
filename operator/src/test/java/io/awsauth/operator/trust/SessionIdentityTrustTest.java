package io.awsauth.operator.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.TrustGap;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which trust policies let the operator's principal name a session's holder, read as IAM does. */
class SessionIdentityTrustTest {
  private static final String ROLE = "arn:aws:iam::222222222222:role/ops/aao-binding";
  private static final String SOURCE = "sts:SetSourceIdentity";
  private static final String TAG = "sts:TagSession";

  private static String trust(String... statements) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
  }

  private static String allow(String principal, String actions) {
    return "{\"Effect\":\"Allow\",\"Principal\":" + principal + ",\"Action\":" + actions + "}";
  }

  @Test
  void theStatementTheOperatorManagesAllowsBoth() {
    String managed =
        TrustPolicies.document(TrustPolicies.trustStatement("Sid", ROLE, Optional.of("ext")));
    assertThat(SessionIdentityTrust.missing(managed, ROLE)).isEmpty();
  }

  @Test
  void aTrustForAssumeRoleAloneLacksBothAndTheStatementToAddFillsTheGap() {
    String plain = trust(allow("{\"AWS\":\"" + ROLE + "\"}", "\"sts:AssumeRole\""));
    assertThat(SessionIdentityTrust.missing(plain, ROLE)).containsExactly(SOURCE, TAG);

    String fixed =
        trust(
            allow("{\"AWS\":\"" + ROLE + "\"}", "\"sts:AssumeRole\""),
            TrustPolicies.sessionIdentityStatement(ROLE));
    assertThat(SessionIdentityTrust.missing(fixed, ROLE)).isEmpty();
  }

  @Test
  void oneActionAloneLeavesTheOtherMissing() {
    String tagsOnly =
        trust(allow("{\"AWS\":\"" + ROLE + "\"}", "[\"sts:AssumeRole\",\"sts:TagSession\"]"));
    assertThat(SessionIdentityTrust.missing(tagsOnly, ROLE)).containsExactly(SOURCE);
  }

  @Test
  void theAccountItsRootOrAnyoneAdmitTheRoleAsIamDoes() {
    String actions = "[\"sts:AssumeRole\",\"sts:TagSession\",\"sts:SetSourceIdentity\"]";
    for (String principal :
        List.of(
            "{\"AWS\":\"arn:aws:iam::222222222222:root\"}",
            "{\"AWS\":\"222222222222\"}",
            "{\"AWS\":[\"arn:aws:iam::999999999999:root\",\"" + ROLE + "\"]}",
            "{\"AWS\":\"*\"}",
            "\"*\"",
            // The role's ARN without its path names the same role.
            "{\"AWS\":\"arn:aws:iam::222222222222:role/aao-binding\"}")) {
      assertThat(SessionIdentityTrust.missing(trust(allow(principal, actions)), ROLE))
          .as(principal)
          .isEmpty();
    }
    for (String principal :
        List.of(
            "{\"AWS\":\"arn:aws:iam::333333333333:root\"}",
            "{\"AWS\":\"arn:aws:iam::222222222222:role/other\"}",
            "{\"Service\":\"ec2.amazonaws.com\"}")) {
      assertThat(SessionIdentityTrust.missing(trust(allow(principal, actions)), ROLE))
          .as(principal)
          .containsExactly(SOURCE, TAG);
    }
  }

  @Test
  void actionWildcardsAndNotActionAreHonouredCaseInsensitively() {
    String me = "{\"AWS\":\"" + ROLE + "\"}";
    assertThat(SessionIdentityTrust.missing(trust(allow(me, "\"sts:*\"")), ROLE)).isEmpty();
    assertThat(SessionIdentityTrust.missing(trust(allow(me, "\"*\"")), ROLE)).isEmpty();
    assertThat(SessionIdentityTrust.missing(trust(allow(me, "\"STS:tagsession\"")), ROLE))
        .containsExactly(SOURCE);
    assertThat(SessionIdentityTrust.missing(trust(allow(me, "\"sts:Set?ourceIdentity\"")), ROLE))
        .containsExactly(TAG);
    String notAction =
        "{\"Effect\":\"Allow\",\"Principal\":" + me + ",\"NotAction\":\"sts:TagSession\"}";
    assertThat(SessionIdentityTrust.missing(trust(notAction), ROLE)).containsExactly(TAG);
  }

  @Test
  void aDenyTakesTheActionAwayWhateverItsConditions() {
    String me = "{\"AWS\":\"" + ROLE + "\"}";
    String deny =
        "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:TagSession\","
            + "\"Condition\":{\"StringNotEquals\":{\"aws:RequestTag/team\":\"x\"}}}";
    assertThat(SessionIdentityTrust.missing(trust(allow(me, "\"sts:*\""), deny), ROLE))
        .containsExactly(TAG);
    // A Deny with NotPrincipal applies to everyone it does not name.
    String denyOthers = "{\"Effect\":\"Deny\",\"NotPrincipal\":" + me + ",\"Action\":\"sts:*\"}";
    assertThat(SessionIdentityTrust.missing(trust(allow(me, "\"sts:*\""), denyOthers), ROLE))
        .isEmpty();
    // An Allow with NotPrincipal is not read as admitting the role.
    String allowOthers =
        "{\"Effect\":\"Allow\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::1:root\"},"
            + "\"Action\":\"sts:*\"}";
    assertThat(SessionIdentityTrust.missing(trust(allowOthers), ROLE)).containsExactly(SOURCE, TAG);
  }

  @Test
  void aSingleStatementObjectIsReadLikeAList() {
    String single =
        "{\"Version\":\"2012-10-17\",\"Statement\":"
            + allow("{\"AWS\":\"" + ROLE + "\"}", "\"sts:*\"")
            + "}";
    assertThat(SessionIdentityTrust.missing(single, ROLE)).isEmpty();
    assertThatThrownBy(() -> SessionIdentityTrust.missing("not json", ROLE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aBindingShowsTheGapsItsConfigsRolesFoundInItsAccountOncePerRole() {
    String inB = "arn:aws:iam::222222222222:role/deploy";
    String inC = "arn:aws:iam::333333333333:role/deploy";
    TrustGap gapB = new TrustGap(inB, List.of(SOURCE, TAG), "{}");
    VaultAwsRole first = role("first", "config", CredentialType.ASSUMED_ROLE, inB, inC);
    first.getStatus().sessionIdentityGaps = List.of(gapB, new TrustGap(inC, List.of(TAG), "{}"));
    VaultAwsRole second = role("second", "config", CredentialType.ASSUMED_ROLE, inB);
    second.getStatus().sessionIdentityGaps = List.of(gapB);
    VaultAwsRole otherConfig = role("third", "other", CredentialType.ASSUMED_ROLE, inB);
    VaultAwsRole keys = role("fourth", "config", CredentialType.IAM_USER);

    assertThat(
            SessionIdentityTrust.gapsIn(
                "222222222222", "config", List.of(first, second, otherConfig, keys)))
        .contains(List.of(gapB));
    assertThat(SessionIdentityTrust.gapsIn("222222222222", "config", List.of(second)))
        .contains(List.of(gapB));
    // Named and without a gap: the condition is True; not named at all: no condition.
    second.getStatus().sessionIdentityGaps = null;
    assertThat(SessionIdentityTrust.gapsIn("222222222222", "config", List.of(second)))
        .contains(List.of());
    assertThat(SessionIdentityTrust.gapsIn("222222222222", "other", List.of(second))).isEmpty();
    assertThat(SessionIdentityTrust.gapsIn("444444444444", "config", List.of(first))).isEmpty();
  }

  private static VaultAwsRole role(
      String name, String config, CredentialType type, String... roleArns) {
    VaultAwsRole role = new VaultAwsRole();
    role.setMetadata(new ObjectMetaBuilder().withName(name).build());
    role.setSpec(new VaultAwsRoleSpec());
    role.getSpec().authConfigRef = config;
    role.getSpec().credentialType = type;
    role.getSpec().roleArns = roleArns.length == 0 ? null : List.of(roleArns);
    role.setStatus(new VaultAwsRoleStatus());
    return role;
  }
}
