package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.RetiredSession;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.Revocation;
import io.awsauth.operator.api.v1alpha1.EventReason;
import io.awsauth.operator.authconfig.AuthConfigs;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.IamGateway;
import io.awsauth.operator.aws.fake.Failures;
import io.awsauth.operator.aws.fake.FakeAwsClients;
import io.awsauth.operator.credential.LeasePlan.Revoke;
import io.awsauth.operator.faults.CrashPoints;
import io.awsauth.operator.metrics.OperatorMetrics;
import io.awsauth.operator.runtime.Leadership;
import io.awsauth.operator.runtime.TestConfig;
import io.awsauth.operator.status.EventRecorder;
import io.awsauth.operator.testenv.MutableClock;
import io.awsauth.operator.trust.AccountSessions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
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
 * Issue 18, deliverable 2: revoking an assumed_role or federation_token lease before it expires
 * denies that one session at AWS, recording the intent first; every step can be repeated.
 */
class SessionRevocationTest {
  private static final String ACCOUNT = FakeAwsClients.ACCOUNT;
  private static final String ROLE_ARN = "arn:aws:iam::" + ACCOUNT + ":role/app-role";
  private static final String POLICY = SessionDenials.POLICY_NAME;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00.400Z"));
  private final FakeAwsClients aws = new FakeAwsClients(clock);
  private final List<String> events = new ArrayList<>();
  private final Store store = new Store();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final OperatorMetrics metrics = new OperatorMetrics(registry, clock);
  private final RequestStatusWriter statusWriter =
      new RequestStatusWriter(store, clock, new CrashPoints(TestConfig.defaults()), metrics);
  private final List<Instant> cutoffs = new ArrayList<>();
  private final SessionRevoker revoker =
      new SessionRevoker(aws, new AccountSessions(aws, null, null));
  private final DenyPolicyPrune prune =
      new DenyPolicyPrune(null, new OneConfig(), revoker, clock, new Leadership());
  private final io.awsauth.operator.credential.Revocation revocation =
      new io.awsauth.operator.credential.Revocation(
          null,
          new OneConfig(),
          new Issuer(
              aws, null, null, clock, TestConfig.of(Map.of("aao.iam-user.verify-timeout", "1s"))),
          new CredentialSecretWriter(null),
          statusWriter,
          new EventRecorder(null, clock) {
            @Override
            public void record(HasMetadata about, EventReason reason, String message) {
              events.add(reason.name());
            }
          },
          metrics,
          revoker,
          new CutoffReissue(null) {
            @Override
            int reissueCovered(
                AwsCredentialRequest revoked,
                Revocation r,
                Instant cutoffAt,
                boolean ownLeaseCovered) {
              cutoffs.add(cutoffAt);
              return 2;
            }
          },
          prune,
          new CrashPoints(TestConfig.defaults()),
          clock);

  SessionRevocationTest() {
    aws.fakeIam().putRole(new IamGateway.Role(ROLE_ARN, "AROAAPPROLE", "{}", Map.of()));
    aws.fakeIam().createUser("vault-root", "/", Optional.empty(), Map.of());
  }

  @Test
  void anAssumedRoleSessionIsDeniedOnItsRoleAfterItsIntentIsRecorded() throws Exception {
    AwsCredentialRequest request =
        holding("assumed_role", "arn:aws:sts::" + ACCOUNT + ":assumed-role/app-role/aao-s1");

    revoke(request);

    assertThat(store.writes).as("the write-ahead, before the policy").isNotEmpty();
    assertThat(store.writes.get(0).getStatus().revocation.state).isEqualTo(Revocation.PENDING);
    JsonNode st = statement(aws.fakeIam().rolePolicy("app-role", POLICY), 0);
    assertThat(st.at("/Condition/StringEquals/aws:userid").asText())
        .isEqualTo("AROAAPPROLE:aao-s1");
    // issued at 09:55:00.400 (operator) and expires 10:55:00 after 1h (STS): 09:55:01
    assertThat(st.at("/Condition/DateLessThanEquals/aws:TokenIssueTime").asText())
        .isEqualTo("2026-12-03T09:55:01Z");
    Revocation r = request.getStatus().revocation;
    assertThat(r.state).isEqualTo(Revocation.REVOKED);
    assertThat(r.revokedAt).isEqualTo("2026-12-03T10:00:00Z");
    assertThat(r.policyHolder).isEqualTo(ROLE_ARN);
    assertThat(request.getStatus().leaseId).isNull();
    assertThat(events).containsExactly("Revoked");
    assertThat(
            registry
                .counter("aao.session.revocations", "type", "assumed_role", "outcome", "denied")
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void aFederationTokenIsDeniedOnTheOperatorsOwnUser() throws Exception {
    AwsCredentialRequest request =
        holding("federation_token", "arn:aws:sts::" + ACCOUNT + ":federated-user/team-app");

    revoke(request);

    JsonNode st = statement(aws.fakeIam().user("vault-root").inlinePolicies.get(POLICY), 0);
    assertThat(st.at("/Condition/StringEquals/aws:userid").asText())
        .isEqualTo(ACCOUNT + ":team-app");
    assertThat(request.getStatus().revocation.state).isEqualTo(Revocation.REVOKED);
  }

  @Test
  void aFailedPolicyWriteLeavesTheIntentAndTheNextReconcileFinishesIt() {
    AwsCredentialRequest request =
        holding("assumed_role", "arn:aws:sts::" + ACCOUNT + ":assumed-role/app-role/aao-s1");
    aws.fakeIam().failures().once("iam:PutRolePolicy", Failures.throttled("iam:PutRolePolicy"));

    assertThatThrownBy(() -> revoke(request)).isInstanceOf(AwsFailure.class);
    AwsCredentialRequest onServer = store.read(request).orElseThrow();
    assertThat(onServer.getStatus().revocation.state).isEqualTo(Revocation.PENDING);
    assertThat(aws.fakeIam().rolePolicy("app-role", POLICY)).isNull();

    // the next reconcile starts from what the API server holds; the lease may be gone by then
    clock.advance(Duration.ofSeconds(5));
    revocation.finishPending(statusWriter.begin(onServer));
    assertThat(onServer.getStatus().revocation.state).isEqualTo(Revocation.REVOKED);
    assertThat(aws.fakeIam().rolePolicy("app-role", POLICY)).contains("AROAAPPROLE:aao-s1");

    // and once more changes nothing
    int puts = aws.fakeIam().failures().calls("iam:PutRolePolicy");
    onServer.getStatus().revocation.state = Revocation.PENDING;
    revocation.finishPending(statusWriter.begin(onServer));
    assertThat(aws.fakeIam().failures().calls("iam:PutRolePolicy")).isEqualTo(puts);
  }

  @Test
  void aTerminalRefusalIsRecordedAndDoesNotHoldTheRequest() {
    AwsCredentialRequest request =
        holding("assumed_role", "arn:aws:sts::" + ACCOUNT + ":assumed-role/app-role/aao-s1");
    aws.fakeIam()
        .failures()
        .always("iam:PutRolePolicy", Failures.accessDenied("iam:PutRolePolicy"));

    revoke(request);

    assertThat(request.getStatus().revocation.state).isEqualTo(Revocation.FAILED);
    assertThat(request.getStatus().revocation.message).contains("not authorized");
    assertThat(events).containsExactly("RevocationFailed", "Revoked");
  }

  @Test
  void anExpiredLeaseOrASessionTokenNeedsNoDenial() {
    AwsCredentialRequest expired =
        holding("assumed_role", "arn:aws:sts::" + ACCOUNT + ":assumed-role/app-role/aao-s1");
    expired.getStatus().expiresAt = clock.instant().minusSeconds(1).toString();
    revoke(expired);
    AwsCredentialRequest sessionToken =
        holding("session_token", "arn:aws:iam::" + ACCOUNT + ":user/vault-root");
    revoke(sessionToken);

    assertThat(aws.fakeIam().failures().calls("iam:GetRolePolicy")).isZero();
    assertThat(aws.fakeIam().failures().calls("iam:GetUserPolicy")).isZero();
    assertThat(expired.getStatus().revocation).isNull();
    assertThat(sessionToken.getStatus().revocation).isNull();
  }

  @Test
  void aSessionOfARoleThatIsGoneNeedsNoDenial() {
    AwsCredentialRequest request =
        holding("assumed_role", "arn:aws:sts::" + ACCOUNT + ":assumed-role/gone-role/aao-s1");
    revoke(request);
    assertThat(request.getStatus().revocation).isNull();
    assertThat(aws.fakeIam().failures().calls("iam:PutRolePolicy")).isZero();
  }

  @Test
  void aRoleWhosePoliciesAreFullGetsACutoffAndTheOtherLeasesAreReissued() throws Exception {
    // another inline policy of the role takes most of AWS's 10,240 characters
    aws.fakeIam()
        .putRolePolicy(
            "app-role",
            "admin-policy",
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\""
                + "A".repeat(9_900)
                + "\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}");
    AwsCredentialRequest request =
        holding(
            "assumed_role",
            "arn:aws:sts::" + ACCOUNT + ":assumed-role/app-role/aao-" + "s".repeat(60));

    revoke(request);

    JsonNode st = statement(aws.fakeIam().rolePolicy("app-role", POLICY), 0);
    assertThat(st.at("/Condition/DateLessThan/aws:TokenIssueTime").asText())
        .isEqualTo("2026-12-03T10:00:01Z");
    assertThat(request.getStatus().revocation.cutoffAt).isEqualTo("2026-12-03T10:00:01Z");
    assertThat(cutoffs).containsExactly(Instant.parse("2026-12-03T10:00:01Z"));
    assertThat(events).containsExactly("RevocationCutoff", "Revoked");

    // a crash after the cutoff's write, before the re-issues: the next attempt finds the cutoff
    // and makes them again (marking is idempotent), without a second Event
    request.getStatus().revocation.state = Revocation.PENDING;
    revocation.finishPending(statusWriter.begin(request));
    assertThat(cutoffs).hasSize(2);
    assertThat(request.getStatus().revocation.state).isEqualTo(Revocation.REVOKED);
    assertThat(events).containsExactly("RevocationCutoff", "Revoked");
    assertThat(
            registry
                .counter("aao.session.revocations", "type", "assumed_role", "outcome", "cutoff")
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void pruningRemovesTheStatementOnceTheCredentialHasExpiredAndThenThePolicy() {
    revokeTwoSessionsOfTheRole();
    assertThat(aws.fakeIam().rolePolicy("app-role", POLICY)).contains("aao-s1").contains("aao-s2");

    clock.advance(Duration.between(clock.instant(), Instant.parse("2026-12-03T10:55:00Z")));
    assertThat(revoker.prune(FakeConfigs.resolved("default"), ROLE_ARN, clock.instant()))
        .as("the operator's clock may be ahead of AWS's: a statement outlives its credential")
        .contains(Instant.parse("2026-12-03T10:55:30Z"));
    assertThat(aws.fakeIam().rolePolicy("app-role", POLICY)).contains("aao-s1");

    clock.advance(Duration.ofSeconds(30));
    assertThat(revoker.prune(FakeConfigs.resolved("default"), ROLE_ARN, clock.instant()))
        .contains(Instant.parse("2026-12-03T11:30:30Z"));
    assertThat(aws.fakeIam().rolePolicy("app-role", POLICY))
        .doesNotContain("aao-s1")
        .contains("aao-s2");

    clock.advance(Duration.between(clock.instant(), Instant.parse("2026-12-03T11:30:30Z")));
    assertThat(revoker.prune(FakeConfigs.resolved("default"), ROLE_ARN, clock.instant())).isEmpty();
    assertThat(aws.fakeIam().rolePolicy("app-role", POLICY)).isNull();
  }

  @Test
  void eachStatementIsPrunedOnceItsCredentialHasExpiredWithoutAnotherRevocationOrASweep() {
    revokeTwoSessionsOfTheRole();
    assertThat(prune.scheduled(ROLE_ARN)).contains(Instant.parse("2026-12-03T10:55:30Z"));

    clock.advance(Duration.between(clock.instant(), Instant.parse("2026-12-03T10:55:29Z")));
    assertThat(prune.pruneDue()).isZero();
    assertThat(aws.fakeIam().rolePolicy("app-role", POLICY)).contains("aao-s1");

    clock.advance(Duration.ofSeconds(1));
    assertThat(prune.pruneDue()).isEqualTo(1);
    assertThat(aws.fakeIam().rolePolicy("app-role", POLICY))
        .doesNotContain("aao-s1")
        .contains("aao-s2");
    assertThat(prune.scheduled(ROLE_ARN)).contains(Instant.parse("2026-12-03T11:30:30Z"));

    // a failed read is tried again a minute later, not at the next sweep
    aws.fakeIam().failures().once("iam:GetRolePolicy", Failures.throttled("iam:GetRolePolicy"));
    clock.advance(Duration.between(clock.instant(), Instant.parse("2026-12-03T11:30:30Z")));
    assertThat(prune.pruneDue()).isEqualTo(1);
    assertThat(aws.fakeIam().rolePolicy("app-role", POLICY)).contains("aao-s2");
    assertThat(prune.scheduled(ROLE_ARN)).contains(Instant.parse("2026-12-03T11:31:30Z"));

    clock.advance(DenyPolicyPrune.RETRY);
    assertThat(prune.pruneDue()).isEqualTo(1);
    assertThat(aws.fakeIam().rolePolicy("app-role", POLICY)).isNull();
    assertThat(prune.scheduled(ROLE_ARN)).as("nothing left to prune").isEmpty();
  }

  @Test
  void theLeasesACutoffCoversAreThoseOfItsRoleIssuedBeforeIt() {
    Revocation r = new Revocation();
    r.credentialType = "assumed_role";
    r.policyHolder = ROLE_ARN;
    Instant cutoff = Instant.parse("2026-12-03T10:00:01Z");
    AwsCredentialRequestStatus sibling = new AwsCredentialRequestStatus();
    sibling.leaseId = "L2";
    sibling.credentialType = "assumed_role";
    sibling.principalArn = "arn:aws:sts::" + ACCOUNT + ":assumed-role/app-role/aao-s2";
    sibling.issuedAt = "2026-12-03T09:50:00Z";
    assertThat(CutoffReissue.covered(r, sibling, cutoff)).isTrue();
    sibling.issuedAt = "2026-12-03T10:00:01Z";
    assertThat(CutoffReissue.covered(r, sibling, cutoff)).isFalse();
    sibling.issuedAt = "2026-12-03T09:50:00Z";
    sibling.principalArn = "arn:aws:sts::" + ACCOUNT + ":assumed-role/other-role/aao-s2";
    assertThat(CutoffReissue.covered(r, sibling, cutoff)).isFalse();
  }

  @Test
  void aRotationRecordsThePreviousSessionWithWhyItWasReplaced() {
    AwsCredentialRequest request =
        holding("assumed_role", "arn:aws:sts::" + ACCOUNT + ":assumed-role/app-role/aao-s0");
    request.getStatus().issuedFor = LeaseTerms.fingerprint(request.getSpec());
    assertThat(revocation.retire(request, "L-next").orElseThrow().reason)
        .as("a scheduled rotation")
        .isEqualTo(RetiredSessions.ROTATED);

    request.getStatus().issuedFor = "the spec before its change";
    RetiredSession r = revocation.retire(request, "L-next").orElseThrow();
    assertThat(r.reason).isEqualTo(RetiredSessions.SPEC_CHANGED);
    assertThat(r.state).isEqualTo(Revocation.PENDING);
    assertThat(r.userId).isEqualTo("AROAAPPROLE:aao-s0");
    assertThat(r.policyHolder).isEqualTo(ROLE_ARN);
    assertThat(r.supersededBy).isEqualTo("L-next");
    assertThat(r.denyAt).as("not before the workloads restarted").isNull();
    assertThat(aws.fakeIam().failures().calls("iam:PutRolePolicy")).isZero();

    AwsCredentialRequest sessionToken =
        holding("session_token", "arn:aws:iam::" + ACCOUNT + ":user/vault-root");
    assertThat(revocation.retire(sessionToken, "L-next")).isEmpty();
  }

  @Test
  void aSessionAChangeOfSpecRetiredIsDeniedAfterTheRestartAndItsGraceNotBefore() throws Exception {
    AwsCredentialRequest request = rotatedAfterSpecChange();
    revocation.denyRetired(request, false);
    assertThat(aws.fakeIam().rolePolicy("app-role", POLICY)).as("no restart yet").isNull();

    RetiredSessions.restarted(
        request.getStatus().retiredSessions, clock.instant(), Duration.ofMinutes(5));
    clock.advance(Duration.ofMinutes(4));
    revocation.denyRetired(request, false);
    assertThat(aws.fakeIam().rolePolicy("app-role", POLICY)).as("within the grace").isNull();
    assertThat(LeasePlan.lookAgain(request.getStatus(), null, false, clock.instant()))
        .as("at denyAt, 10:05:00")
        .isEqualTo(Duration.ofSeconds(59).plusMillis(600));

    clock.advance(Duration.ofMinutes(1));
    revocation.denyRetired(request, false);
    JsonNode st = statement(aws.fakeIam().rolePolicy("app-role", POLICY), 0);
    assertThat(st.at("/Condition/StringEquals/aws:userid").asText())
        .as("the previous session, not the current one")
        .isEqualTo("AROAAPPROLE:aao-s0");
    RetiredSession r = request.getStatus().retiredSessions.get(0);
    assertThat(r.state).isEqualTo(Revocation.REVOKED);
    assertThat(request.getStatus().leaseId).as("the current lease stays").isNotNull();
    assertThat(events).containsExactly("Revoked");

    int puts = aws.fakeIam().failures().calls("iam:PutRolePolicy");
    revocation.denyRetired(request, false);
    assertThat(aws.fakeIam().failures().calls("iam:PutRolePolicy")).isEqualTo(puts);

    // once it has expired anyway, it leaves the status
    clock.advance(Duration.ofHours(1));
    revocation.denyRetired(request, false);
    assertThat(request.getStatus().retiredSessions).isNull();
  }

  @Test
  void revokingTheRequestsLeaseDeniesItsRetiredSessionsAtOnce() throws Exception {
    AwsCredentialRequest request = rotatedAfterSpecChange();
    request.getStatus().retiredSessions.get(0).reason = RetiredSessions.ROTATED;

    revoke(request);

    String policy = aws.fakeIam().rolePolicy("app-role", POLICY);
    assertThat(policy).contains("AROAAPPROLE:aao-s0").contains("AROAAPPROLE:aao-s1");
    assertThat(request.getStatus().retiredSessions.get(0).state).isEqualTo(Revocation.REVOKED);
  }

  /** A request holding lease aao-s1, which replaced aao-s0 after a change of its spec. */
  private AwsCredentialRequest rotatedAfterSpecChange() {
    AwsCredentialRequest request =
        holding("assumed_role", "arn:aws:sts::" + ACCOUNT + ":assumed-role/app-role/aao-s0");
    request.getStatus().leaseId = "5e0c2a1b-0000-4000-8000-000000000000";
    request.getStatus().issuedFor = "the spec before its change";
    RetiredSession retired =
        revocation.retire(request, "5e0c2a1b-0000-4000-8000-000000000001").orElseThrow();
    AwsCredentialRequest now =
        holding("assumed_role", "arn:aws:sts::" + ACCOUNT + ":assumed-role/app-role/aao-s1");
    now.getStatus().retiredSessions = new ArrayList<>(List.of(retired));
    store.serverHas(now);
    return now;
  }

  /** Revokes aao-s1 (expires 10:55:00) and aao-s2 (expires 11:30:00), both of app-role. */
  private void revokeTwoSessionsOfTheRole() {
    revoke(holding("assumed_role", "arn:aws:sts::" + ACCOUNT + ":assumed-role/app-role/aao-s1"));
    AwsCredentialRequest two =
        holding("assumed_role", "arn:aws:sts::" + ACCOUNT + ":assumed-role/app-role/aao-s2");
    two.getStatus().leaseId = "5e0c2a1b-0000-4000-8000-000000000002";
    two.getStatus().expiresAt = "2026-12-03T11:30:00Z";
    two.getStatus().ttl = "1h35m";
    revoke(two);
  }

  private void revoke(AwsCredentialRequest request) {
    store.serverHas(request);
    RequestOutcome outcome = statusWriter.begin(request);
    revocation.revoke(
        outcome, Optional.empty(), null, new Revoke("PodNotFound", "the bound pod is gone"));
  }

  private static JsonNode statement(String policy, int i) throws Exception {
    assertThat(policy).isNotNull();
    return JSON.readTree(policy).get("Statement").get(i);
  }

  private AwsCredentialRequest holding(String type, String principalArn) {
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
    status.leaseId = "5e0c2a1b-0000-4000-8000-000000000001";
    status.credentialType = type;
    status.principalArn = principalArn;
    status.issuedAt = "2026-12-03T09:55:00.400Z";
    status.expiresAt = "2026-12-03T10:55:00Z";
    status.ttl = "1h";
    status.authConfigRef = "default";
    request.setStatus(status);
    return request;
  }

  /** The API server's side: what was written, in order. */
  private static final class Store implements RequestStatusWriter.StatusStore {
    final List<AwsCredentialRequest> writes = new ArrayList<>();
    private AwsCredentialRequest onServer;

    void serverHas(AwsCredentialRequest request) {
      onServer = copy(request);
    }

    @Override
    public AwsCredentialRequest patchStatus(AwsCredentialRequest request) {
      writes.add(copy(request));
      onServer = copy(request);
      return copy(onServer);
    }

    @Override
    public Optional<AwsCredentialRequest> read(AwsCredentialRequest request) {
      return Optional.ofNullable(onServer).map(Store::copy);
    }

    @Override
    public AwsCredentialRequest applyStatus(AwsCredentialRequest request) {
      return patchStatus(request);
    }

    private static AwsCredentialRequest copy(AwsCredentialRequest r) {
      return Serialization.jsonMapper().convertValue(r, AwsCredentialRequest.class);
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
