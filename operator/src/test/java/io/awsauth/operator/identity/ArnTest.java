package io.awsauth.operator.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArnTest {
  @Test
  void userWithPath() {
    IamArn arn = IamArn.parse("arn:aws:iam::111111111111:user/eng/ci/alice").orElseThrow();
    assertThat(arn)
        .isEqualTo(new IamArn("aws", "111111111111", IamArn.Kind.USER, "/eng/ci/", "alice", ""));
    assertThat(arn.resource()).isEqualTo("eng/ci/alice");
    assertThat(arn).hasToString("arn:aws:iam::111111111111:user/eng/ci/alice");
  }

  @Test
  void roleWithoutPath() {
    IamArn arn = IamArn.parse("arn:aws-us-gov:iam::222222222222:role/deploy").orElseThrow();
    assertThat(arn.partition()).isEqualTo("aws-us-gov");
    assertThat(arn.path()).isEqualTo("/");
    assertThat(arn.resource()).isEqualTo("deploy");
  }

  @Test
  void assumedRoleHasNoPathButASession() {
    IamArn arn =
        IamArn.parse("arn:aws-cn:sts::222222222222:assumed-role/vault-secondary-x/i-0abc")
            .orElseThrow();
    assertThat(arn.kind()).isEqualTo(IamArn.Kind.ASSUMED_ROLE);
    assertThat(arn.name()).isEqualTo("vault-secondary-x");
    assertThat(arn.sessionName()).isEqualTo("i-0abc");
    assertThat(arn.path()).isEmpty();
    assertThat(arn)
        .hasToString("arn:aws-cn:sts::222222222222:assumed-role/vault-secondary-x/i-0abc");
    assertThat(arn.roleWithPath("/a/"))
        .hasToString("arn:aws-cn:iam::222222222222:role/a/vault-secondary-x");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "arn:aws:iam::111111111111:root",
        "arn:aws:sts::111111111111:federated-user/bob",
        "arn:aws:iam::111111111111:group/admins",
        "arn:aws:iam::11111111111:user/short-account",
        "arn:aws:iam:us-east-1:111111111111:user/regional",
        "arn:aws:sts::111111111111:assumed-role/no-session",
        "arn:aws:sts::111111111111:assumed-role/a/b/c",
        "arn:aws-mars:iam::111111111111:user/x",
        "arn:aws:iam::111111111111:user/",
        "arn:aws:iam::111111111111:user//x",
        "arn:aws:iam::111111111111:user/x\n",
        "arn:aws:iam::111111111111:user/x y",
        "arn:aws:iam::111111111111:role/a*",
        "ARN:AWS:IAM::111111111111:USER/X",
      })
  void notAnIamPrincipal(String arn) {
    assertThat(IamArn.parse(arn)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    // binding, concrete, matches
    "arn:aws:iam::111111111111:role/deploy, arn:aws:iam::111111111111:role/deploy, true",
    "arn:aws:iam::111111111111:role/deploy, arn:aws:iam::111111111111:role/deployer, false",
    "arn:aws:iam::111111111111:role/deploy*, arn:aws:iam::111111111111:role/deployer, true",
    "arn:aws:iam::111111111111:role/*, arn:aws:iam::111111111111:role/a/b/c, true",
    "arn:aws:iam::111111111111:role/a/*, arn:aws:iam::111111111111:role/a/b/c, true",
    "arn:aws:iam::111111111111:role/a/*, arn:aws:iam::111111111111:role/b, false",
    // Paths: an exact binding is the whole path and name.
    "arn:aws:iam::111111111111:role/b, arn:aws:iam::111111111111:role/a/b, false",
    "arn:aws:iam::111111111111:role/a/b, arn:aws:iam::111111111111:role/b, false",
    // Partition, account and type are parts, never prefixes.
    "arn:aws:iam::111111111111:role/x, arn:aws-us-gov:iam::111111111111:role/x, false",
    "arn:aws-us-gov:iam::111111111111:role/*, arn:aws:iam::111111111111:role/x, false",
    "arn:aws:iam::111111111111:role/*, arn:aws-cn:iam::111111111111:role/x, false",
    "arn:aws:iam::111111111111:role/x, arn:aws:iam::111111111112:role/x, false",
    "arn:aws:iam::111111111111:user/x, arn:aws:iam::111111111111:role/x, false",
    "arn:aws:iam::111111111111:role/*, arn:aws:iam::111111111111:instance-profile/x, false",
    // Case-sensitive, as in Vault and IAM policies.
    "arn:aws:iam::111111111111:role/Deploy, arn:aws:iam::111111111111:role/deploy, false",
    "arn:aws:iam::111111111111:role/dep*, arn:aws:iam::111111111111:role/Deploy, false",
    // A * before the end is a literal character.
    "arn:aws:iam::111111111111:role/a*b, arn:aws:iam::111111111111:role/axb, false",
  })
  void boundArnMatching(String binding, String concrete, boolean matches) {
    assertThat(BindingMatcher.boundArn(binding, concrete)).isEqualTo(matches);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "*",
        "arn:*",
        "arn:aws:iam::*:role/x",
        "arn:aws:iam::111111111111:*",
        "arn:aws*",
        "arn:aws:iam::111111111111:role",
        "arn:aws:iam::111111111111:group/x",
      })
  void bindingsThatAreNotBoundArnsMatchNothing(String binding) {
    assertThat(BoundArn.parse(binding)).isEmpty();
    assertThat(BindingMatcher.boundArn(binding, "arn:aws:iam::111111111111:role/x")).isFalse();
  }
}
