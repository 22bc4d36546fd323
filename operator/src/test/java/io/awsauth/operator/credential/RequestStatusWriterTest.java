package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsReason;
import io.awsauth.operator.faults.CrashPoints;
import io.awsauth.operator.metrics.OperatorMetrics;
import io.awsauth.operator.runtime.TestConfig;
import io.awsauth.operator.testenv.MutableClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/**
 * "Ready" means usable: a failure to issue the next credential leaves a held lease Ready only until
 * the lease expires (CI run of 2026-12-02: a 40 s iam_user lease whose renewal kept failing stayed
 * Ready 147 s past its expiry).
 */
class RequestStatusWriterTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
  private final RequestStatusWriter writer =
      new RequestStatusWriter(
          (RequestStatusWriter.StatusStore) null,
          clock,
          new CrashPoints(TestConfig.defaults()),
          new OperatorMetrics(new SimpleMeterRegistry(), clock));

  @Test
  void aFailedRenewalKeepsAHeldLeaseReadyUntilItExpiresAndNotAfter() {
    AwsCredentialRequest request = holding(clock.instant().plusSeconds(40));

    RequestOutcome beforeExpiry = writer.begin(request);
    writer.notIssued(beforeExpiry, AwsReason.AwsUnavailable, "Rate exceeded");
    beforeExpiry.build(true);
    assertThat(request.getStatus().isTrue("Ready")).isTrue();
    assertThat(request.getStatus().condition("Ready").orElseThrow().getReason())
        .isEqualTo(AwsCredentialRequestReason.CredentialReady.name());
    assertThat(request.getStatus().condition("Ready").orElseThrow().getMessage())
        .contains("the next one cannot be issued yet (AwsUnavailable: Rate exceeded)");

    clock.advance(Duration.ofSeconds(40));
    assertThat(writer.stillUsable(request.getStatus())).isFalse();
    RequestOutcome atExpiry = writer.begin(request);
    writer.notIssued(atExpiry, AwsReason.AwsUnavailable, "Rate exceeded");
    atExpiry.build(true);
    assertThat(request.getStatus().isTrue("Ready")).isFalse();
    assertThat(request.getStatus().condition("Ready").orElseThrow().getReason())
        .isEqualTo(AwsReason.AwsUnavailable.name());
    assertThat(request.getStatus().isTrue("Issued")).isFalse();
    assertThat(RequestStatusWriter.leaseState(request.getStatus()))
        .isEqualTo(OperatorMetrics.State.NOT_ISSUED);
  }

  @Test
  void aHalfIssuedLeaseIsNotUsable() {
    AwsCredentialRequest request = holding(clock.instant().plusSeconds(40));
    request.getStatus().pendingLease = new AwsCredentialRequestStatus.PendingLease();
    assertThat(writer.stillUsable(request.getStatus())).isFalse();
  }

  @Test
  void aRotationOwesOneRestartUntilItIsDoneOrItsLeaseGoes() {
    AwsCredentialRequest request = holding(clock.instant().plusSeconds(40));
    AwsCredentialRequestStatus status = request.getStatus();
    RequestOutcome outcome = writer.begin(request);

    writer.restartDue(outcome, "lease-1");
    assertThat(status.restartPending.leaseId).isEqualTo("lease-1");
    assertThat(status.restartPending.restartAt).as("no time before the spread gives one").isNull();
    writer.restartScheduled(outcome, clock.instant().plusSeconds(10));
    assertThat(status.restartPending.restartAt).isEqualTo("2026-12-03T10:00:10Z");
    writer.restarted(outcome, "lease-1");
    assertThat(status.restartedFor).isEqualTo("lease-1");
    assertThat(status.restartPending).isNull();

    writer.restartDue(outcome, "lease-1");
    assertThat(status.restartPending).as("the lease was restarted for already").isNull();

    writer.restartDue(outcome, "lease-2");
    writer.restartScheduled(outcome, clock.instant().plusSeconds(20));
    writer.restartDue(outcome, "lease-3");
    assertThat(status.restartPending.leaseId).isEqualTo("lease-3");
    assertThat(status.restartPending.restartAt)
        .as("a newer rotation takes a time of its own")
        .isNull();

    writer.revoked(outcome, clock.instant());
    assertThat(status.restartPending).as("nothing is owed for a revoked lease").isNull();
    assertThat(status.restartedFor).isEqualTo("lease-1");
  }

  private AwsCredentialRequest holding(Instant expiresAt) {
    AwsCredentialRequest request = new AwsCredentialRequest();
    request.setMetadata(
        new ObjectMetaBuilder().withName("app").withNamespace("team").withGeneration(1L).build());
    request.setSpec(new AwsCredentialRequestSpec());
    AwsCredentialRequestStatus status = new AwsCredentialRequestStatus();
    status.conditions = new ArrayList<>();
    status.leaseId = "lease-1";
    status.iamUserName = "aao-app";
    status.secretName = "app";
    status.issuedAt = clock.instant().toString();
    status.expiresAt = expiresAt.toString();
    request.setStatus(status);
    RequestOutcome issued = writer.begin(request);
    issued.condition("Issued", true, AwsCredentialRequestReason.Issued, "issued");
    issued.condition("Ready", true, AwsCredentialRequestReason.CredentialReady, "ready");
    issued.build(true);
    assertThat(request.getStatus().isTrue("Ready")).isTrue();
    return request;
  }
}
