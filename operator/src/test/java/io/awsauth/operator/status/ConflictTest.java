package io.awsauth.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.OperatorException;
import org.junit.jupiter.api.Test;

/** A reconcile that failed on 409 Conflict records nothing; every other failure is recorded. */
class ConflictTest {
  @Test
  void aConflictAnywhereInTheCausesIsAConflict() {
    assertThat(StatusUpdates.isConflict(new KubernetesClientException("conflict", 409, null)))
        .isTrue();
    assertThat(
            StatusUpdates.isConflict(
                new OperatorException(
                    new IllegalStateException(
                        new KubernetesClientException("conflict", 409, null)))))
        .isTrue();
  }

  @Test
  void otherFailuresAreNot() {
    assertThat(StatusUpdates.isConflict(new KubernetesClientException("gone", 410, null)))
        .isFalse();
    assertThat(StatusUpdates.isConflict(new KubernetesClientException("boom", 500, null)))
        .isFalse();
    assertThat(StatusUpdates.isConflict(new IllegalStateException("AWS said no"))).isFalse();
    assertThat(StatusUpdates.isConflict(null)).isFalse();
  }
}
