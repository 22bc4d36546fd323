package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.EventReason;
import io.awsauth.operator.authconfig.AuthConfigs;
import io.awsauth.operator.aws.fake.FakeAwsClients;
import io.awsauth.operator.credential.LeasePlan.Facts;
import io.awsauth.operator.credential.LeasePlan.Plan;
import io.awsauth.operator.credential.LeasePlan.Refuse;
import io.awsauth.operator.credential.LeasePlan.RoleView;
import io.awsauth.operator.faults.CrashPoints;
import io.awsauth.operator.metrics.OperatorMetrics;
import io.awsauth.operator.runtime.Leadership;
import io.awsauth.operator.runtime.TestConfig;
import io.awsauth.operator.status.EventRecorder;
import io.awsauth.operator.testenv.MutableClock;
import io.awsauth.operator.trust.AccountSessions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, bug 3: the status write after a revocation met {@code 409 Conflict}, the reconcile was
 * run again from the cached status, and the lease was revoked a second time (two {@code Revoked}
 * Events). A conflict must re-read the request and record the same outcome; the next reconcile then
 * finds nothing left to revoke.
 */
class RevocationConflictTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
  private final FakeAwsClients aws = new FakeAwsClients(clock);
  private final RecordingEvents events = new RecordingEvents(clock);
  private final ConflictingStore store = new ConflictingStore();
  private final RequestStatusWriter statusWriter =
      new RequestStatusWriter(
          store,
          clock,
          new CrashPoints(TestConfig.defaults()),
          new OperatorMetrics(new SimpleMeterRegistry(), clock));
  private final Revocation revocation =
      new Revocation(
          null,
          new OneConfig(),
          new Issuer(
              aws, null, null, clock, TestConfig.of(Map.of("aao.iam-user.verify-timeout", "1s"))),
          new CredentialSecretWriter(null),
          statusWriter,
          events,
          new OperatorMetrics(new SimpleMeterRegistry(), clock),
          new SessionRevoker(aws, new AccountSessions(aws, null, null)),
          new CutoffReissue(null),
          new DenyPolicyPrune(null, new OneConfig(), null, clock, new Leadership()),
          new CrashPoints(TestConfig.defaults()),
          clock);

  @Test
  void aConflictOnTheStatusWriteRecordsTheRevocationOnceAndNeverRevokesAgain() {
    aws.fakeIam().createUser("aao-user", "/", Optional.empty(), Map.of());
    aws.fakeIam().createAccessKey("aao-user");
    AwsCredentialRequest request = holdingLease();
    store.serverHas(request);
    store.conflictsLeft = 1;

    RequestOutcome outcome = statusWriter.begin(request);
    Plan plan =
        LeasePlan.beforeIdentity(
            Facts.of(request, Optional.empty(), RoleView.missing("r"), clock.instant()));
    assertThat(plan.revoke()).isPresent();
    revocation.revoke(outcome, Optional.empty(), null, plan.revoke().get());
    outcome.build(true);
    assertThat(outcome.changed()).isTrue();

    Optional<AwsCredentialRequest> written = statusWriter.write(request);

    assertThat(store.patches)
        .as("the write, then the same status on the re-read request")
        .hasSize(2);
    assertThat(store.patches.get(1).getMetadata().getResourceVersion()).isEqualTo("8");
    assertThat(written).isPresent();
    AwsCredentialRequestStatus recorded = written.get().getStatus();
    assertThat(recorded.leaseId).isNull();
    assertThat(recorded.iamUserName).isNull();
    assertThat(recorded.revokedAt).isEqualTo("2026-11-21T10:00:00Z");
    assertThat(aws.fakeIam().user("aao-user")).isNull();
    assertThat(aws.fakeIam().failures().calls("iam:DeleteUser")).isEqualTo(1);
    assertThat(events.reasons).containsExactly("Revoked");

    // The next reconcile starts from what was recorded: nothing is left to revoke.
    AwsCredentialRequest next = store.read(request).orElseThrow();
    Plan again =
        LeasePlan.beforeIdentity(
            Facts.of(next, Optional.empty(), RoleView.missing("r"), clock.instant()));
    assertThat(again.revoke()).isEmpty();
    assertThat(again.next()).isInstanceOf(Refuse.class);
    assertThat(aws.fakeIam().failures().calls("iam:GetUser")).isEqualTo(1);
  }

  @Test
  void aRequestDeletedDuringTheConflictIsNotWritten() {
    AwsCredentialRequest request = holdingLease();
    store.conflictsLeft = 1;

    assertThat(statusWriter.write(request)).isEmpty();
    assertThat(store.patches).hasSize(1);
  }

  @Test
  void aConflictThatPersistsIsRethrownForTheFrameworkToRetry() {
    AwsCredentialRequest request = holdingLease();
    store.serverHas(request);
    store.conflictsLeft = 10;

    assertThatThrownBy(() -> statusWriter.write(request))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(store.patches).hasSize(3);
  }

  private AwsCredentialRequest holdingLease() {
    AwsCredentialRequest request = new AwsCredentialRequest();
    request.setMetadata(
        new ObjectMetaBuilder()
            .withName("app")
            .withNamespace("team")
            .withUid("uid-1")
            .withGeneration(1L)
            .withResourceVersion("7")
            .build());
    AwsCredentialRequestSpec spec = new AwsCredentialRequestSpec();
    spec.roleRef = "r";
    request.setSpec(spec);
    AwsCredentialRequestStatus status = new AwsCredentialRequestStatus();
    status.conditions = new ArrayList<>();
    status.leaseId = "L1";
    status.iamUserName = "aao-user";
    status.issuedAt = clock.instant().minus(Duration.ofMinutes(5)).toString();
    status.expiresAt = clock.instant().plus(Duration.ofHours(1)).toString();
    status.authConfigRef = "default";
    request.setStatus(status);
    return request;
  }

  /**
   * The API server's side of the status write: the first {@code conflictsLeft} patches fail with
   * 409, as they do when the request changed (another writer bumped its resourceVersion to 8).
   */
  private static final class ConflictingStore implements RequestStatusWriter.StatusStore {
    final List<AwsCredentialRequest> patches = new ArrayList<>();
    int conflictsLeft;
    private AwsCredentialRequest onServer;

    void serverHas(AwsCredentialRequest request) {
      onServer = copy(request);
      onServer.getMetadata().setResourceVersion("8");
    }

    @Override
    public AwsCredentialRequest patchStatus(AwsCredentialRequest request) {
      patches.add(copy(request));
      if (conflictsLeft > 0) {
        conflictsLeft--;
        throw new KubernetesClientException("the object has been modified", 409, null);
      }
      onServer = copy(request);
      return copy(onServer);
    }

    @Override
    public Optional<AwsCredentialRequest> read(AwsCredentialRequest request) {
      return Optional.ofNullable(onServer).map(ConflictingStore::copy);
    }

    @Override
    public AwsCredentialRequest applyStatus(AwsCredentialRequest request) {
      return patchStatus(request);
    }

    private static AwsCredentialRequest copy(AwsCredentialRequest r) {
      return Serialization.jsonMapper().convertValue(r, AwsCredentialRequest.class);
    }
  }

  /** The Events a reconcile emits, by reason. */
  private static final class RecordingEvents extends EventRecorder {
    final List<String> reasons = new ArrayList<>();

    RecordingEvents(MutableClock clock) {
      super(null, clock);
    }

    @Override
    public void record(HasMetadata about, EventReason reason, String message) {
      reasons.add(reason.name());
    }
  }

  /** One AwsAuthConfig, in the fake account. */
  private static final class OneConfig extends AuthConfigs {
    OneConfig() {
      super(null, null, null);
    }

    @Override
    public ResolvedAuthConfig resolve(String name) {
      return FakeConfigs.resolved(name);
    }
  }
}
