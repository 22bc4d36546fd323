package io.awsauth.operator.trust;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrincipalsTest {
  @Test
  void userIsItsOwnPrincipal() {
    String user = "arn:aws:iam::111111111111:user/team/vault-primary";
    assertThat(Principals.principalOf(user)).isEqualTo(user);
    assertThat(Principals.userName(user)).contains("vault-primary");
  }

  @Test
  void assumedRoleSessionStandsForItsRole() {
    String session = "arn:aws-us-gov:sts::111111111111:assumed-role/operator-role/i-0abc";
    assertThat(Principals.principalOf(session))
        .isEqualTo("arn:aws-us-gov:iam::111111111111:role/operator-role");
    assertThat(Principals.userName(session)).isEmpty();
  }

  @Test
  void roleArnSplitsIntoPathAndName() {
    assertThat(Principals.roleName("arn:aws:iam::222222222222:role/Role-to-Assume"))
        .isEqualTo(new Principals.RoleName("/", "Role-to-Assume"));
    assertThat(Principals.roleName("arn:aws:iam::222222222222:role/a/b/Role-to-Assume"))
        .isEqualTo(new Principals.RoleName("/a/b/", "Role-to-Assume"));
  }

  @Test
  void theTrustPrincipalKeepsTheCallersPartition() {
    assertThat(
            Principals.principalOf(
                "arn:aws-cn:sts::333333333333:assumed-role/aws-auth-operator/session"))
        .isEqualTo("arn:aws-cn:iam::333333333333:role/aws-auth-operator");
    assertThat(Principals.principalOf("arn:aws-cn:iam::333333333333:user/aao-admin"))
        .isEqualTo("arn:aws-cn:iam::333333333333:user/aao-admin");
    assertThat(
            TrustPolicies.trustStatement(
                    "Sid1",
                    Principals.principalOf(
                        "arn:aws-cn:sts::333333333333:assumed-role/aws-auth-operator/s"),
                    java.util.Optional.empty())
                .toString())
        .isEqualTo(
            "{\"Sid\":\"Sid1\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws-cn:iam::333333333333:role/aws-auth-operator\"},\"Action\":"
                + "[\"sts:AssumeRole\",\"sts:SetSourceIdentity\",\"sts:TagSession\"]}");
  }
}
