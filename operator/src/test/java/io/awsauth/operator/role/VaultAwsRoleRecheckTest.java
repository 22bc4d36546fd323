package io.awsauth.operator.role;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.DependencyReason;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleReason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A role waiting for its config, a binding or an IAM principal looks again soon; others wait. */
class VaultAwsRoleRecheckTest {
  @Test
  void waitingRolesLookAgainSoon() {
    assertThat(VaultAwsRoleReconciler.lookAgain(DependencyReason.AuthConfigNotReady))
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(VaultAwsRoleReconciler.lookAgain(DependencyReason.NoTrustForAccount))
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(VaultAwsRoleReconciler.lookAgain(DependencyReason.TrustNotReady))
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(VaultAwsRoleReconciler.lookAgain(VaultAwsRoleReason.PrincipalNotFound))
        .isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void whatOnlyTheUserCanFixWaitsForAChange() {
    assertThat(VaultAwsRoleReconciler.lookAgain(VaultAwsRoleReason.PolicyTooLarge)).isNull();
    assertThat(VaultAwsRoleReconciler.lookAgain(VaultAwsRoleReason.InvalidPrincipalArn)).isNull();
    assertThat(VaultAwsRoleReconciler.lookAgain(VaultAwsRoleReason.ChainedRoleTtlTooLong)).isNull();
  }
}
