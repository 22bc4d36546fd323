package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.status.UserError;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Before an issuance's first AWS call: the Secret-name check and the finalizer are independent API
 * round trips, made at once on a first issuance, and an issuance goes on only when both succeeded.
 */
class IssuancePrepareTest {
  private final Steps steps = new Steps();
  private final Issuance issuance = new Prepared(steps);

  @Test
  void onAFirstIssuanceTheNameCheckAndTheFinalizerAreInFlightAtOnce() throws Exception {
    steps.meet = true;

    issuance.prepare(request(false), CredentialType.ASSUMED_ROLE, Optional.empty(), null);

    assertThat(steps.checkSawFinalizerInFlight)
        .as("the check saw the finalizer write start")
        .isTrue();
    assertThat(steps.finalizerSawCheckInFlight).as("the finalizer saw the check start").isTrue();
    assertThat(steps.done).containsExactlyInAnyOrder("check", "finalizer");
  }

  @Test
  void aTakenSecretNameIsTheAnswerEvenWhenTheFinalizerWasWritten() {
    steps.nameTaken = true;

    assertThatThrownBy(
            () ->
                issuance.prepare(
                    request(false), CredentialType.FEDERATION_TOKEN, Optional.empty(), null))
        .isInstanceOf(UserError.class)
        .satisfies(
            e ->
                assertThat(((UserError) e).reason())
                    .isEqualTo(AwsCredentialRequestReason.SecretNotOwned));
    assertThat(steps.done).containsExactly("finalizer");
  }

  @Test
  void aTakenSecretNameIsTheAnswerWhenTheFinalizerFailedToo() {
    steps.nameTaken = true;
    steps.finalizerFails = true;

    assertThatThrownBy(
            () -> issuance.prepare(request(false), CredentialType.IAM_USER, Optional.empty(), null))
        .isInstanceOf(UserError.class);
  }

  @Test
  void aFailedFinalizerStopsTheIssuanceOnceTheCheckHasEnded() {
    steps.finalizerFails = true;
    steps.slowCheckMillis = 200;

    assertThatThrownBy(
            () ->
                issuance.prepare(
                    request(false), CredentialType.ASSUMED_ROLE, Optional.empty(), null))
        .isInstanceOf(KubernetesClientException.class);
    assertThat(steps.done).as("the check ended before prepare returned").containsExactly("check");
  }

  @Test
  void aSessionTokenOrARequestHoldingItsFinalizerOnlyHasTheNameChecked() {
    issuance.prepare(request(false), CredentialType.SESSION_TOKEN, Optional.empty(), null);
    issuance.prepare(request(true), CredentialType.ASSUMED_ROLE, Optional.empty(), null);

    assertThat(steps.done).containsExactly("check", "check");
    assertThat(steps.threads).containsOnly(Thread.currentThread().getName());
  }

  @Test
  void aSecretThatExistsIsCheckedInMemoryThenTheFinalizerIsWrittenOnTheSameThread() {
    Secret own = new SecretBuilder().withNewMetadata().withName("ledger-aws").endMetadata().build();

    issuance.prepare(request(false), CredentialType.ASSUMED_ROLE, Optional.of(own), null);

    assertThat(steps.done).containsExactly("check", "finalizer");
    assertThat(steps.threads).containsOnly(Thread.currentThread().getName());
  }

  private static AwsCredentialRequest request(boolean holdsFinalizer) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    ObjectMetaBuilder meta =
        new ObjectMetaBuilder().withNamespace("payments").withName("ledger").withUid("u1");
    if (holdsFinalizer) {
      meta.withFinalizers(AwsCredentialRequestReconciler.FINALIZER);
    }
    r.setMetadata(meta.build());
    r.setSpec(new AwsCredentialRequestSpec());
    return r;
  }

  /** The two round trips, recorded (and, with {@code meet}, each waiting to see the other). */
  private static final class Steps {
    final List<String> done = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    final CountDownLatch checkStarted = new CountDownLatch(1);
    final CountDownLatch finalizerStarted = new CountDownLatch(1);
    volatile boolean meet;
    volatile boolean nameTaken;
    volatile boolean finalizerFails;
    volatile long slowCheckMillis;
    volatile boolean checkSawFinalizerInFlight;
    volatile boolean finalizerSawCheckInFlight;

    void check() {
      threads.add(Thread.currentThread().getName());
      checkStarted.countDown();
      if (meet) {
        checkSawFinalizerInFlight = await(finalizerStarted);
      }
      sleep(slowCheckMillis);
      if (nameTaken) {
        throw new UserError(AwsCredentialRequestReason.SecretNotOwned, "taken");
      }
      done.add("check");
    }

    void finalizer() {
      threads.add(Thread.currentThread().getName());
      finalizerStarted.countDown();
      if (meet) {
        finalizerSawCheckInFlight = await(checkStarted);
      }
      if (finalizerFails) {
        throw new KubernetesClientException("the request is gone");
      }
      done.add("finalizer");
    }

    private static boolean await(CountDownLatch latch) {
      try {
        return latch.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    private static void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Issuance with its two round trips replaced by {@link Steps}. */
  private static final class Prepared extends Issuance {
    private final Steps steps;

    Prepared(Steps steps) {
      super(
          null,
          null,
          null,
          new CredentialSecretWriter(null) {
            @Override
            void assertUsable(AwsCredentialRequest request, Optional<Secret> current) {
              steps.check();
            }
          },
          null,
          null,
          null,
          null,
          null);
      this.steps = steps;
    }

    @Override
    void holdFinalizer(AwsCredentialRequest request, Context<AwsCredentialRequest> context) {
      steps.finalizer();
    }
  }
}
