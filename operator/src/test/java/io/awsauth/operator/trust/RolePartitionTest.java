package io.awsauth.operator.trust;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The policy the operator attaches to a Role-to-Assume names the role's own partition. */
class RolePartitionTest {
  @Test
  void thePartitionIsTheRoleArnsOwn() {
    assertThat(StsRoleBindingReconciler.partitionOf("arn:aws:iam::222222222222:role/R"))
        .isEqualTo("aws");
    assertThat(StsRoleBindingReconciler.partitionOf("arn:aws-cn:iam::222222222222:role/p/R"))
        .isEqualTo("aws-cn");
    assertThat(StsRoleBindingReconciler.partitionOf("arn:aws-us-gov:iam::222222222222:role/R"))
        .isEqualTo("aws-us-gov");
  }
}
