package io.awsauth.operator.role;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleReason;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.aws.Partition;
import io.awsauth.operator.status.UserError;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoleChecksTest {
  private static VaultAwsRoleSpec role(CredentialType type) {
    VaultAwsRoleSpec spec = new VaultAwsRoleSpec();
    spec.credentialType = type;
    return spec;
  }

  private static ObjectNode policyOfActions(int n) {
    ObjectNode doc = new ObjectMapper().createObjectNode();
    doc.put("Version", "2012-10-17");
    var statement = doc.putArray("Statement").addObject();
    statement.put("Effect", "Allow");
    var actions = statement.putArray("Action");
    for (int i = 0; i < n; i++) {
      actions.add("ec2:DescribeSomething" + i);
    }
    statement.put("Resource", "*");
    return doc;
  }

  @Test
  void federationWithSessionCredentialsIsRefusedAsTheSeedSays() {
    assertThatThrownBy(
            () -> RoleChecks.check(role(CredentialType.FEDERATION_TOKEN), true, "222222222222"))
        .isInstanceOfSatisfying(
            UserError.class,
            e -> {
              org.assertj.core.api.Assertions.assertThat(e.reason().name())
                  .isEqualTo("SessionCredentialsCannotFederate");
              org.assertj.core.api.Assertions.assertThat(e.getMessage())
                  .contains("Cannot call GetFederationToken with session credentials");
            });
    assertThatCode(
            () -> RoleChecks.check(role(CredentialType.FEDERATION_TOKEN), false, "222222222222"))
        .doesNotThrowAnyException();
  }

  @Test
  void chainedAssumeRoleIsLimitedToOneHour() {
    VaultAwsRoleSpec spec = role(CredentialType.ASSUMED_ROLE);
    spec.roleArns = List.of("arn:aws:iam::222222222222:role/deploy");
    spec.maxTtl = "2h";
    assertThatThrownBy(() -> RoleChecks.check(spec, true, "222222222222"))
        .hasMessageContaining("1h")
        .isInstanceOfSatisfying(
            UserError.class,
            e ->
                org.assertj.core.api.Assertions.assertThat(e.reason().name())
                    .isEqualTo("ChainedRoleTtlTooLong"));
    assertThatCode(() -> RoleChecks.check(spec, false, "222222222222")).doesNotThrowAnyException();
    spec.maxTtl = "1h";
    assertThatCode(() -> RoleChecks.check(spec, true, "222222222222")).doesNotThrowAnyException();
  }

  @Test
  void assumeRoleIntoAnotherAccountIsChainedThroughItsBinding() {
    VaultAwsRoleSpec spec = role(CredentialType.ASSUMED_ROLE);
    spec.roleArns = List.of("arn:aws:iam::222222222222:role/deploy");
    spec.defaultTtl = "2h";
    assertThatThrownBy(() -> RoleChecks.check(spec, false, "111111111111"))
        .hasMessageContaining("another account")
        .hasMessageContaining("1h");
    assertThatCode(() -> RoleChecks.check(spec, false, "222222222222")).doesNotThrowAnyException();
  }

  @Test
  void policyOverTheSizeLimitIsRefused() {
    VaultAwsRoleSpec spec = role(CredentialType.IAM_USER);
    spec.policyDocument = policyOfActions(100);
    assertThatThrownBy(() -> RoleChecks.check(spec, false, "222222222222"))
        .isInstanceOfSatisfying(
            UserError.class,
            e ->
                org.assertj.core.api.Assertions.assertThat(e.reason().name())
                    .isEqualTo("PolicyTooLarge"));
    spec.policyDocument = policyOfActions(5);
    assertThatCode(() -> RoleChecks.check(spec, false, "222222222222")).doesNotThrowAnyException();
  }

  /** A compact policy document of exactly {@code length} characters (its Sid pads it). */
  private static ObjectNode policyOfLength(int length) throws Exception {
    String head = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"";
    String tail = "\",\"Effect\":\"Allow\",\"Action\":\"ec2:*\",\"Resource\":\"*\"}]}";
    String doc = head + "S".repeat(length - head.length() - tail.length()) + tail;
    org.assertj.core.api.Assertions.assertThat(doc).hasSize(length);
    return (ObjectNode) new ObjectMapper().readTree(doc);
  }

  /**
   * AWS: an IAM user's inline policies may hold 2,048 characters, and a session policy's plaintext
   * 2,048 characters; whitespace does not count for IAM.
   */
  @Test
  void policiesUpTo2048CharactersAreAcceptedAnd2049Refused() throws Exception {
    for (CredentialType type :
        List.of(
            CredentialType.IAM_USER,
            CredentialType.FEDERATION_TOKEN,
            CredentialType.SESSION_TOKEN)) {
      VaultAwsRoleSpec spec = role(type);
      spec.policyDocument = policyOfLength(2048);
      assertThatCode(() -> RoleChecks.check(spec, false, "222222222222"))
          .as("%s with 2048 characters", type)
          .doesNotThrowAnyException();
      spec.policyDocument = policyOfLength(2049);
      assertThatThrownBy(() -> RoleChecks.check(spec, false, "222222222222"))
          .as("%s with 2049 characters", type)
          .hasMessageContaining("2049")
          .hasMessageContaining("2048")
          .isInstanceOfSatisfying(
              UserError.class,
              e ->
                  org.assertj.core.api.Assertions.assertThat(e.reason().name())
                      .isEqualTo("PolicyTooLarge"));
    }
  }

  @Test
  void arnsOfAnotherPartitionThanTheCallersAreRefused() {
    VaultAwsRoleSpec spec = role(CredentialType.ASSUMED_ROLE);
    spec.roleArns = List.of("arn:aws-cn:iam::333333333333:role/deploy");
    spec.policyArns = List.of("arn:aws-cn:iam::aws:policy/ReadOnlyAccess");
    spec.permissionsBoundaryArn = "arn:aws-cn:iam::333333333333:policy/boundary";
    assertThatCode(() -> RoleChecks.checkPartition(spec, Partition.AWS_CN))
        .doesNotThrowAnyException();

    spec.policyArns = List.of("arn:aws:iam::aws:policy/ReadOnlyAccess");
    assertThatThrownBy(() -> RoleChecks.checkPartition(spec, Partition.AWS_CN))
        .isInstanceOfSatisfying(
            UserError.class,
            e ->
                org.assertj.core.api.Assertions.assertThat(e.reason())
                    .isEqualTo(VaultAwsRoleReason.PartitionMismatch))
        .hasMessage(
            "arn:aws:iam::aws:policy/ReadOnlyAccess is in partition aws, the AwsAuthConfig's"
                + " caller in aws-cn: write the ARN of partition aws-cn (arn:aws-cn:...)");

    VaultAwsRoleSpec none = role(CredentialType.SESSION_TOKEN);
    assertThatCode(() -> RoleChecks.checkPartition(none, Partition.AWS_US_GOV))
        .doesNotThrowAnyException();
  }
}
