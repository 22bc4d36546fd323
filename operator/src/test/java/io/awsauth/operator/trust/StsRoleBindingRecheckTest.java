package io.awsauth.operator.trust;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.AwsReason;
import io.awsauth.operator.api.v1alpha1.DependencyReason;
import io.awsauth.operator.api.v1alpha1.StsRoleBindingReason;
import io.awsauth.operator.aws.AwsFailure;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a binding whose trust failed is looked at again, and what AWS's AccessDenied means. */
class StsRoleBindingRecheckTest {
  private static AwsFailure denied(String operation) {
    return new AwsFailure(
        operation,
        AwsFailure.Kind.TERMINAL,
        "AccessDenied",
        AwsReason.AccessDenied,
        operation + " failed: AccessDenied",
        null);
  }

  @Test
  void aMissingOrUnreadyConfigAndAnAwsRefusalAreLookedAtAgain() {
    assertThat(StsRoleBindingReconciler.lookAgain(DependencyReason.AuthConfigNotReady))
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(StsRoleBindingReconciler.lookAgain(DependencyReason.AuthConfigNotFound))
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(StsRoleBindingReconciler.lookAgain(StsRoleBindingReason.AssumeRoleDenied))
        .isEqualTo(Duration.ofSeconds(15));
    assertThat(StsRoleBindingReconciler.lookAgain(AwsReason.MalformedPolicyDocument))
        .isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void whatOnlyTheUserCanFixWaitsForAChange() {
    assertThat(StsRoleBindingReconciler.lookAgain(StsRoleBindingReason.AccountMismatch)).isNull();
    assertThat(StsRoleBindingReconciler.lookAgain(DependencyReason.SecretNotFound)).isNull();
    assertThat(StsRoleBindingReconciler.lookAgain(AwsReason.AwsUnavailable)).isNull();
  }

  @Test
  void accessDeniedSaysWhatWasDenied() {
    assertThat(StsRoleBindingReconciler.reasonFor(denied("sts:AssumeRole")))
        .isEqualTo(StsRoleBindingReason.AssumeRoleDenied);
    assertThat(StsRoleBindingReconciler.reasonFor(denied("iam:CreateRole")))
        .isEqualTo(StsRoleBindingReason.TrustNotManageable);
    assertThat(
            StsRoleBindingReconciler.reasonFor(
                new AwsFailure(
                    AwsFailure.Kind.TERMINAL,
                    "LimitExceeded",
                    AwsReason.LimitExceeded,
                    "iam:CreateRole failed",
                    null)))
        .isEqualTo(AwsReason.LimitExceeded);
  }
}
