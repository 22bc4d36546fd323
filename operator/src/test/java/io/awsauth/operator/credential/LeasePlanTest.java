package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.PendingLease;
import io.awsauth.operator.api.v1alpha1.AwsReason;
import io.awsauth.operator.api.v1alpha1.DependencyReason;
import io.awsauth.operator.credential.CredentialSecret.HeldLease;
import io.awsauth.operator.credential.LeasePlan.Facts;
import io.awsauth.operator.credential.LeasePlan.Issue;
import io.awsauth.operator.credential.LeasePlan.Keep;
import io.awsauth.operator.credential.LeasePlan.Plan;
import io.awsauth.operator.credential.LeasePlan.RecordFromSecret;
import io.awsauth.operator.credential.LeasePlan.Refuse;
import io.awsauth.operator.credential.LeasePlan.Resume;
import io.awsauth.operator.credential.LeasePlan.RoleView;
import io.awsauth.operator.credential.LeasePlan.Verify;
import io.awsauth.operator.identity.IdentityVerdict;
import io.awsauth.operator.status.Conditions;
import io.awsauth.operator.testenv.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lease decision as a table, over a clock the test moves: each row is what a reconcile read
 * (status, Secret, role, verdict, time since issuance) and what it must do.
 */
class LeasePlanTest {
  private static final Instant ISSUED = Instant.parse("2026-11-21T10:00:00Z");
  private static final Instant EXPIRES = ISSUED.plus(Duration.ofHours(3)); // renewAt = ISSUED + 2h
  private static final String SPEC = "spec-v1";
  private static final IdentityVerdict ALLOWED =
      IdentityVerdict.allow(AwsCredentialRequestReason.ServiceAccountBound, "ok");

  /** A row of the table: the facts, made from a few switches. */
  private record Row(
      String name,
      Consumer<AwsCredentialRequestStatus> status,
      Optional<String> leaseInSecret,
      Optional<HeldLease> heldInSecret,
      RoleView role,
      Duration elapsed,
      String spec) {
    Facts facts() {
      AwsCredentialRequestStatus s = new AwsCredentialRequestStatus();
      s.conditions = new java.util.ArrayList<>();
      status.accept(s);
      MutableClock clock = new MutableClock(ISSUED);
      clock.advance(elapsed);
      return new Facts(
          s, spec, Optional.empty(), leaseInSecret, heldInSecret, role, clock.instant());
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static Consumer<AwsCredentialRequestStatus> none() {
    return s -> {};
  }

  private static Consumer<AwsCredentialRequestStatus> holding(String leaseId) {
    return s -> {
      s.leaseId = leaseId;
      s.issuedAt = ISSUED.toString();
      s.expiresAt = EXPIRES.toString();
      s.issuedFor = SPEC;
    };
  }

  private static Consumer<AwsCredentialRequestStatus> holdingIamUser(String leaseId) {
    return holding(leaseId).andThen(s -> s.iamUserName = "aao-user");
  }

  private static Consumer<AwsCredentialRequestStatus> pending(String leaseId) {
    return s -> {
      s.iamUserName = "aao-user";
      s.pendingLease = new PendingLease();
      s.pendingLease.leaseId = leaseId;
      s.pendingLease.startedAt = ISSUED.toString();
      s.pendingLease.ttl = "3h";
    };
  }

  private static Row row(
      String name,
      Consumer<AwsCredentialRequestStatus> status,
      Optional<String> leaseInSecret,
      RoleView role,
      Duration elapsed) {
    return new Row(name, status, leaseInSecret, Optional.empty(), role, elapsed, SPEC);
  }

  private static final RoleView READY = RoleView.ready("r");
  private static final Optional<String> L1 = Optional.of("L1");

  static Stream<Arguments> beforeIdentity() {
    return Stream.of(
        // name, facts, revocation reason (or null), next
        Arguments.of(
            row("nothing held, role ready", none(), Optional.empty(), READY, Duration.ZERO),
            null,
            new Verify(true)),
        Arguments.of(
            row("held, not due: verify from cache", holding("L1"), L1, READY, Duration.ofHours(1)),
            null,
            new Verify(false)),
        Arguments.of(
            row("held, due", holding("L1"), L1, READY, Duration.ofHours(2)),
            null,
            new Verify(true)),
        Arguments.of(
            row("held, Secret lost it", holding("L1"), Optional.empty(), READY, Duration.ZERO),
            null,
            new Verify(true)),
        Arguments.of(
            new Row(
                "held, spec changed",
                holding("L1"),
                L1,
                Optional.empty(),
                READY,
                Duration.ZERO,
                "spec-v2"),
            null,
            new Verify(true)),
        Arguments.of(
            row("held, expired", holding("L1"), L1, READY, Duration.ofHours(3)),
            "LeaseExpired",
            new Verify(true)),
        Arguments.of(
            row(
                "expired and role gone: one revocation",
                holdingIamUser("L1"),
                L1,
                RoleView.missing("r"),
                Duration.ofHours(4)),
            "LeaseExpired",
            new Refuse(
                AwsCredentialRequestReason.RoleNotFound,
                "VaultAwsRole 'r' (roleRef) does not exist")),
        Arguments.of(
            row("held, role deleted", holding("L1"), L1, RoleView.missing("r"), Duration.ZERO),
            "RoleNotFound",
            new Refuse(
                AwsCredentialRequestReason.RoleNotFound,
                "VaultAwsRole 'r' (roleRef) does not exist")),
        Arguments.of(
            row(
                "nothing held, role missing",
                none(),
                Optional.empty(),
                RoleView.missing("r"),
                Duration.ZERO),
            null,
            new Refuse(
                AwsCredentialRequestReason.RoleNotFound,
                "VaultAwsRole 'r' (roleRef) does not exist")),
        Arguments.of(
            row(
                "held, role not Ready: lease stays",
                holding("L1"),
                L1,
                RoleView.notReady("r", "InvalidPolicy: bad"),
                Duration.ZERO),
            null,
            new Refuse(
                AwsCredentialRequestReason.RoleNotReady,
                "VaultAwsRole 'r' is not Ready (InvalidPolicy: bad)")),
        Arguments.of(
            row(
                "pending issuance is never expired",
                pending("L2"),
                Optional.empty(),
                READY,
                Duration.ofHours(5)),
            null,
            new Verify(true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void beforeIdentity(Row row, String revokedBecause, LeasePlan.Next next) {
    Plan plan = LeasePlan.beforeIdentity(row.facts());

    assertThat(plan.revoke().map(LeasePlan.Revoke::reason).orElse(null)).isEqualTo(revokedBecause);
    assertThat(plan.next()).isEqualTo(next);
  }

  static Stream<Arguments> afterIdentity() {
    HeldLease fresh =
        new HeldLease("L9", "ASIAKEY", "arn:p", ISSUED, ISSUED.plus(Duration.ofHours(1)), SPEC);
    HeldLease otherSpec =
        new HeldLease("L9", "ASIAKEY", "arn:p", ISSUED, ISSUED.plus(Duration.ofHours(1)), "old");
    PendingLease pendingL2 = new PendingLease();
    return Stream.of(
        // name, facts, verdict, sts, revocation reason (or null), next
        Arguments.of(
            row("nothing held: issue", none(), Optional.empty(), READY, Duration.ZERO),
            ALLOWED,
            true,
            null,
            new Issue(false)),
        Arguments.of(
            row("held, not due: keep", holding("L1"), L1, READY, Duration.ofHours(1)),
            ALLOWED,
            true,
            null,
            new Keep(ISSUED.plus(Duration.ofHours(2)), true)),
        Arguments.of(
            row("held, due: rotate", holding("L1"), L1, READY, Duration.ofHours(2)),
            ALLOWED,
            false,
            null,
            new Issue(true)),
        Arguments.of(
            row("held, denied: revoke", holding("L1"), L1, READY, Duration.ofMinutes(5)),
            IdentityVerdict.deny(AwsCredentialRequestReason.ServiceAccountNotFound, "gone"),
            true,
            "ServiceAccountNotFound",
            new Refuse(AwsCredentialRequestReason.ServiceAccountNotFound, "gone")),
        Arguments.of(
            row(
                "held, proof expired: lease stays",
                holding("L1"),
                L1,
                READY,
                Duration.ofMinutes(5)),
            IdentityVerdict.deny(AwsCredentialRequestReason.ProofExpired, "old proof"),
            true,
            null,
            new Refuse(AwsCredentialRequestReason.ProofExpired, "old proof")),
        Arguments.of(
            row("nothing held, denied", none(), Optional.empty(), READY, Duration.ZERO),
            IdentityVerdict.deny(AwsCredentialRequestReason.NamespaceNotBound, "no"),
            true,
            null,
            new Refuse(AwsCredentialRequestReason.NamespaceNotBound, "no")),
        Arguments.of(
            new Row(
                "STS lease in Secret, status lost",
                none(),
                Optional.of("L9"),
                Optional.of(fresh),
                READY,
                Duration.ofMinutes(10),
                SPEC),
            ALLOWED,
            true,
            null,
            new RecordFromSecret(fresh, false)),
        Arguments.of(
            new Row(
                "STS rotation in Secret, status lost: recorded as the rotation it was",
                holding("L1"),
                Optional.of("L9"),
                Optional.of(fresh),
                READY,
                Duration.ofMinutes(10),
                SPEC),
            ALLOWED,
            true,
            null,
            new RecordFromSecret(fresh, true)),
        Arguments.of(
            new Row(
                "STS lease in Secret for another spec: issue",
                none(),
                Optional.of("L9"),
                Optional.of(otherSpec),
                READY,
                Duration.ofMinutes(10),
                SPEC),
            ALLOWED,
            true,
            null,
            new Issue(false)),
        Arguments.of(
            new Row(
                "STS lease in Secret, due: issue",
                none(),
                Optional.of("L9"),
                Optional.of(fresh),
                READY,
                Duration.ofMinutes(50),
                SPEC),
            ALLOWED,
            true,
            null,
            new Issue(false)),
        Arguments.of(
            row(
                "iam_user pending, Secret holds it: resume",
                pending("L2"),
                Optional.of("L2"),
                READY,
                Duration.ofMinutes(1)),
            ALLOWED,
            false,
            null,
            new Resume(pendingL2, false)),
        Arguments.of(
            row(
                "iam_user pending, Secret does not hold it: issue",
                pending("L2"),
                L1,
                READY,
                Duration.ofMinutes(1)),
            ALLOWED,
            false,
            null,
            new Issue(false)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void afterIdentity(
      Row row, IdentityVerdict verdict, boolean sts, String revokedBecause, LeasePlan.Next next) {
    Plan plan = LeasePlan.afterIdentity(row.facts(), verdict, sts);

    assertThat(plan.revoke().map(LeasePlan.Revoke::reason).orElse(null)).isEqualTo(revokedBecause);
    if (next instanceof Resume expected) {
      assertThat(plan.next())
          .isInstanceOfSatisfying(
              Resume.class,
              r -> {
                assertThat(r.pending().leaseId).isEqualTo("L2");
                assertThat(r.rotation()).isEqualTo(expected.rotation());
              });
    } else {
      assertThat(plan.next()).isEqualTo(next);
    }
  }

  @Test
  void aHeldLeaseWhoseIdentityIsRecordedKeepsItsVerdictMessage() {
    Facts facts = row("held", holding("L1"), L1, READY, Duration.ofHours(1)).facts();
    new Conditions(new MutableClock(ISSUED))
        .set(
            facts.status(),
            1,
            AwsCredentialRequestReconciler.IDENTITY_VERIFIED,
            true,
            AwsCredentialRequestReason.ServiceAccountBound,
            "verified before issuance");

    assertThat(LeasePlan.afterIdentity(facts, ALLOWED, true).next())
        .isEqualTo(new Keep(ISSUED.plus(Duration.ofHours(2)), false));
  }

  @Test
  void theClockDecidesWhenAKeptLeaseTurnsIntoARotationAndThenARevocation() {
    MutableClock clock = new MutableClock(ISSUED);
    AwsCredentialRequestStatus status = new AwsCredentialRequestStatus();
    holding("L1").accept(status);
    List<String> seen = new java.util.ArrayList<>();
    for (Duration step :
        List.of(Duration.ofMinutes(119), Duration.ofMinutes(1), Duration.ofMinutes(60))) {
      clock.advance(step);
      Facts f =
          new Facts(status, SPEC, Optional.empty(), L1, Optional.empty(), READY, clock.instant());
      Plan before = LeasePlan.beforeIdentity(f);
      seen.add(
          before.revoke().map(r -> "revoke:" + r.reason()).orElse("")
              + (before.next() instanceof Verify v && v.fresh() ? "fresh" : "cached"));
    }
    assertThat(seen).containsExactly("cached", "fresh", "revoke:LeaseExpiredfresh");
  }

  /**
   * Issue 18: a change of spec right after an STS issuance waits until a successor of the same
   * session name is issued after the second the retired one's deny statement matches.
   */
  @Test
  void aChangeOfSpecRightAfterAnStsIssuanceWaitsUntilTheSuccessorIsNotDeniedWithIt() {
    MutableClock clock = new MutableClock(ISSUED.plusMillis(400));
    AwsCredentialRequestStatus status = new AwsCredentialRequestStatus();
    status.conditions = new java.util.ArrayList<>();
    holding("L1").accept(status);
    status.issuedAt = clock.instant().toString();
    status.expiresAt = ISSUED.plus(Duration.ofHours(1)).toString(); // STS: whole seconds
    status.ttl = "1h";
    status.credentialType = "assumed_role";
    status.principalArn = "arn:aws:sts::111111111111:assumed-role/target/aao-web";
    clock.advance(Duration.ofMillis(500));
    Facts f =
        new Facts(
            status, "spec-v2", Optional.empty(), L1, Optional.empty(), READY, clock.instant());

    // issuedBy: 10:00:01 (the operator's clock, rounded up); a session issued at 10:00:01 matches
    assertThat(LeasePlan.afterIdentity(f, ALLOWED, true).next())
        .isEqualTo(new Keep(ISSUED.plusSeconds(2), false));
    assertThat(LeasePlan.afterIdentity(f, ALLOWED, false).next())
        .as("an iam_user key has no session to be denied")
        .isEqualTo(new Issue(true));

    clock.advance(Duration.ofMillis(1100));
    Facts later =
        new Facts(
            status, "spec-v2", Optional.empty(), L1, Optional.empty(), READY, clock.instant());
    assertThat(LeasePlan.afterIdentity(later, ALLOWED, true).next()).isEqualTo(new Issue(true));
  }

  static Stream<Arguments> lookAgain() {
    return Stream.of(
        // name, held until (null: none), asked, pod-bound, expected
        Arguments.of("nothing held, only on a change", null, null, false, null),
        Arguments.of(
            "nothing held, asked 20s", null, Duration.ofSeconds(20), false, Duration.ofSeconds(20)),
        Arguments.of(
            "renewal later than expiry: expiry wins",
            Duration.ofMinutes(10),
            Duration.ofHours(1),
            false,
            Duration.ofMinutes(10)),
        Arguments.of(
            "held, only on a change: expiry",
            Duration.ofMinutes(10),
            null,
            false,
            Duration.ofMinutes(10)),
        Arguments.of(
            "already expired: the retries' pace",
            Duration.ZERO,
            Duration.ofSeconds(3),
            false,
            Duration.ofSeconds(3)),
        Arguments.of(
            "bound to a pod: every 15s",
            Duration.ofMinutes(10),
            Duration.ofMinutes(5),
            true,
            Duration.ofSeconds(15)),
        Arguments.of(
            "bound to a pod, sooner asked",
            Duration.ofMinutes(10),
            Duration.ofSeconds(2),
            true,
            Duration.ofSeconds(2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void lookAgain(
      String name, Duration heldFor, Duration asked, boolean podBound, Duration expected) {
    AwsCredentialRequestStatus status = new AwsCredentialRequestStatus();
    if (heldFor != null) {
      holding("L1").accept(status);
      status.expiresAt = ISSUED.plus(heldFor).toString();
    }
    assertThat(LeasePlan.lookAgain(status, asked, podBound, ISSUED)).isEqualTo(expected);
  }

  @Test
  void refusalsThatNoWatchReportAreLookedAtAgain() {
    assertThat(LeasePlan.waitFor(AwsCredentialRequestReason.RoleNotReady))
        .isEqualTo(LeasePlan.WAIT_FOR_DEPENDENCIES);
    assertThat(LeasePlan.waitFor(DependencyReason.AuthConfigNotFound))
        .isEqualTo(LeasePlan.WAIT_FOR_DEPENDENCIES);
    assertThat(LeasePlan.waitFor(AwsCredentialRequestReason.PodNotFound))
        .isEqualTo(LeasePlan.RECHECK_IDENTITY);
    assertThat(LeasePlan.waitFor(AwsReason.MalformedPolicyDocument))
        .isEqualTo(LeasePlan.AFTER_AWS_REFUSAL);
    assertThat(LeasePlan.waitFor(AwsCredentialRequestReason.ProofMalformed)).isNull();
    assertThat(LeasePlan.waitFor(AwsReason.AwsUnavailable)).as("retried by the framework").isNull();
  }

  @Test
  void anAwsRefusalIsLookedAtAgainSoonThenLessOften() {
    Instant now = ISSUED;
    assertThat(LeasePlan.waitFor(AwsReason.AccessDenied, null, now))
        .as("a first refusal: AWS may still be propagating")
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(LeasePlan.waitFor(AwsReason.AccessDenied, now.minusSeconds(2), now))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(LeasePlan.waitFor(AwsReason.AccessDenied, now.minusSeconds(20), now))
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(LeasePlan.waitFor(AwsReason.MalformedPolicyDocument, now.minusSeconds(3600), now))
        .isEqualTo(LeasePlan.AFTER_AWS_REFUSAL);
    assertThat(LeasePlan.waitFor(AwsCredentialRequestReason.RoleNotReady, null, now))
        .as("not an AWS refusal")
        .isEqualTo(LeasePlan.WAIT_FOR_DEPENDENCIES);
    assertThat(LeasePlan.waitFor(AwsCredentialRequestReason.ProofMalformed, null, now)).isNull();
  }
}
