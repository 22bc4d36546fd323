package io.awsauth.operator.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.StsRoleBindingReason;
import io.awsauth.operator.aws.Partition;
import io.awsauth.operator.status.UserError;
import org.junit.jupiter.api.Test;

/**
 * A Role-to-Assume is in the partition of the operator's caller, and the policy the operator
 * attaches to it names that partition.
 */
class RolePartitionTest {
  @Test
  void aRoleOfTheCallersPartitionIsAccepted() {
    assertThatCode(
            () ->
                StsRoleBindingReconciler.checkPartition(
                    "arn:aws-cn:iam::444444444444:role/p/R", Partition.AWS_CN))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                StsRoleBindingReconciler.checkPartition(
                    "arn:aws:iam::222222222222:role/R", Partition.AWS))
        .doesNotThrowAnyException();
  }

  @Test
  void aRoleOfAnotherPartitionIsRefusedBeforeAnyCall() {
    assertThatThrownBy(
            () ->
                StsRoleBindingReconciler.checkPartition(
                    "arn:aws:iam::222222222222:role/R", Partition.AWS_CN))
        .isInstanceOfSatisfying(
            UserError.class,
            e -> assertThat(e.reason()).isEqualTo(StsRoleBindingReason.PartitionMismatch))
        .hasMessage(
            "spec.roleArn arn:aws:iam::222222222222:role/R is in partition aws, the"
                + " AwsAuthConfig's caller in aws-cn: a role is assumable only from its own"
                + " partition");
    assertThatThrownBy(
            () ->
                StsRoleBindingReconciler.checkPartition(
                    "arn:aws-us-gov:iam::222222222222:role/R", Partition.AWS))
        .isInstanceOf(UserError.class);
  }

  @Test
  void thePolicyAttachedToTheRoleNamesTheCallersPartition() {
    assertThat(StsRoleBindingReconciler.roleToAssumePolicyIn("aws-cn"))
        .contains("\"Resource\": \"arn:aws-cn:iam::*:role/*\"")
        .doesNotContain("arn:aws:")
        .doesNotContain("${partition}");
    assertThat(StsRoleBindingReconciler.roleToAssumePolicyIn("aws-us-gov"))
        .contains("\"Resource\": \"arn:aws-us-gov:iam::*:role/*\"");
  }

  @Test
  void theDocumentsAnAdministratorIsAskedToApplyNameTheCallersPartition() {
    io.awsauth.operator.api.v1alpha1.StsRoleBinding binding =
        new io.awsauth.operator.api.v1alpha1.StsRoleBinding();
    binding.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("cn")
            .withUid("0b7c1f4e-aaaa-bbbb-cccc-000000000000")
            .build());
    binding.setSpec(new io.awsauth.operator.api.v1alpha1.StsRoleBindingSpec());
    binding.getSpec().accountId = "444444444444";
    binding.getSpec().roleArn = "arn:aws-cn:iam::444444444444:role/Role-to-Assume";
    binding.getSpec().externalId = "ext";

    StsRoleBindingReconciler.TrustPlan plan =
        StsRoleBindingReconciler.TrustPlan.of(
            binding, "arn:aws-cn:sts::333333333333:assumed-role/aws-auth-operator/i-0abc");

    assertThat(plan.trustDocument())
        .isEqualTo(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":"
                + "\"AwsAuthOperator0b7c1f4eaaaa\",\"Effect\":\"Allow\",\"Principal\":"
                + "{\"AWS\":\"arn:aws-cn:iam::333333333333:role/aws-auth-operator\"},"
                + "\"Action\":[\"sts:AssumeRole\",\"sts:SetSourceIdentity\",\"sts:TagSession\"],"
                + "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"ext\"}}}]}");
    assertThat(plan.callerDocument())
        .isEqualTo(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":"
                + "\"AwsAuthOperator0b7c1f4eaaaa\",\"Effect\":\"Allow\",\"Action\":"
                + "\"sts:AssumeRole\",\"Resource\":"
                + "\"arn:aws-cn:iam::444444444444:role/Role-to-Assume\"}]}");
    assertThat(plan.operatorUserName()).isEmpty();
  }
}
