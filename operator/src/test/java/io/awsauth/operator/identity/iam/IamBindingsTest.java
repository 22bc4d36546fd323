package io.awsauth.operator.identity.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.identity.BindingDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IamBindingsTest {
  private static final String SECONDARY = "222222222222";

  /** IAM as a fake: role name to (full ARN, unique ID), and the callers it was asked about. */
  private static final class FakeIam implements PrincipalLookup {
    final Map<String, ResolvedPrincipal> roles;
    final List<IamCaller> asked = new ArrayList<>();

    FakeIam(Map<String, ResolvedPrincipal> roles) {
      this.roles = roles;
    }

    @Override
    public Optional<ResolvedPrincipal> roleOf(IamCaller caller) {
      asked.add(caller);
      return Optional.ofNullable(roles.get(caller.arn().name()));
    }
  }

  private static RoleBindings principals(String... arns) {
    RoleBindings b = new RoleBindings();
    b.iamPrincipalArns = List.of(arns);
    return b;
  }

  private static CallerIdentity session(String partition, String role, String uniqueId) {
    return new CallerIdentity(
        SECONDARY,
        "arn:" + partition + ":sts::" + SECONDARY + ":assumed-role/" + role + "/sess",
        uniqueId + ":sess");
  }

  private static CallerIdentity user(String partition, String pathAndName) {
    return new CallerIdentity(
        SECONDARY,
        "arn:" + partition + ":iam::" + SECONDARY + ":user/" + pathAndName,
        "AIDAUSERUNIQUEID0001");
  }

  private static ResolvedPrincipal role(String partition, String pathAndName, String id) {
    return new ResolvedPrincipal(
        "arn:" + partition + ":iam::" + SECONDARY + ":role/" + pathAndName, id);
  }

  @Test
  void assumedRoleSessionMatchesItsRolesWildcard() {
    FakeIam iam =
        new FakeIam(Map.of("vault-secondary-x", role("aws", "vault-secondary-x", "AROAX")));
    BindingDecision decision =
        IamBindings.match(
            principals(
                "arn:aws:iam::222222222222:role/vault-secondary*",
                "arn:aws:iam::222222222222:role/secondary*"),
            session("aws", "vault-secondary-x", "AROAX"),
            iam);
    assertThat(decision.allowed()).isTrue();
    assertThat(iam.asked)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.key()).isEqualTo(new PrincipalKey(SECONDARY, "AROAX"));
              assertThat(c.arn().name()).isEqualTo("vault-secondary-x");
            });
  }

  @Test
  void assumedRoleSessionMatchesItsExactRoleArn() {
    FakeIam iam = new FakeIam(Map.of("deploy", role("aws", "deploy", "AROAD")));
    assertThat(
            IamBindings.match(
                    principals("arn:aws:iam::222222222222:role/deploy"),
                    session("aws", "deploy", "AROAD"),
                    iam)
                .allowed())
        .isTrue();
  }

  @Test
  void exactBindingWithAPathMatchesTheRoleThatHasThatPath() {
    FakeIam iam = new FakeIam(Map.of("b", role("aws", "a/b", "AROAB")));
    assertThat(
            IamBindings.match(
                    principals("arn:aws:iam::222222222222:role/a/b"),
                    session("aws", "b", "AROAB"),
                    iam)
                .allowed())
        .isTrue();
  }

  @Test
  void nameOnlyBindingDoesNotMatchARoleWithAPath() {
    FakeIam iam = new FakeIam(Map.of("b", role("aws", "a/b", "AROAB")));
    BindingDecision decision =
        IamBindings.match(
            principals("arn:aws:iam::222222222222:role/b"), session("aws", "b", "AROAB"), iam);
    assertThat(decision)
        .isEqualTo(
            new BindingDecision.Denied(
                "bindings.iamPrincipalArns",
                "arn:aws:iam::222222222222:role/a/b does not match any of"
                    + " [arn:aws:iam::222222222222:role/b]"));
  }

  @Test
  void pathBindingDoesNotMatchARoleWithoutThePath() {
    FakeIam iam = new FakeIam(Map.of("b", role("aws", "b", "AROAB")));
    assertThat(
            IamBindings.match(
                    principals(
                        "arn:aws:iam::222222222222:role/a/b", "arn:aws:iam::222222222222:role/a/*"),
                    session("aws", "b", "AROAB"),
                    iam)
                .allowed())
        .isFalse();
  }

  @Test
  void wildcardOnThePathMatchesEveryRoleBelowIt() {
    FakeIam iam = new FakeIam(Map.of("runner", role("aws", "ci/gitlab/runner", "AROAR")));
    assertThat(
            IamBindings.match(
                    principals("arn:aws:iam::222222222222:role/ci/*"),
                    session("aws", "runner", "AROAR"),
                    iam)
                .allowed())
        .isTrue();
    assertThat(
            IamBindings.match(
                    principals("arn:aws:iam::222222222222:role/runner*"),
                    session("aws", "runner", "AROAR"),
                    iam)
                .allowed())
        .isFalse();
  }

  @Test
  void aRoleRecreatedUnderTheSameNameIsNotTheSessionsRole() {
    // The session was issued for AROAOLD; the role now named deploy is AROANEW.
    FakeIam iam = new FakeIam(Map.of("deploy", role("aws", "deploy", "AROANEW")));
    BindingDecision decision =
        IamBindings.match(
            principals("arn:aws:iam::222222222222:role/deploy"),
            session("aws", "deploy", "AROAOLD"),
            iam);
    assertThat(decision.allowed()).isFalse();
    assertThat(((BindingDecision.Denied) decision).binding())
        .isEqualTo("bindings.iamPrincipalArns");
    assertThat(((BindingDecision.Denied) decision).message()).contains("deleted or replaced");
  }

  @Test
  void aLookupAnswerForAnotherRoleOrAccountIsNotTrusted() {
    for (ResolvedPrincipal wrong :
        List.of(
            new ResolvedPrincipal("arn:aws:iam::333333333333:role/deploy", "AROAD"),
            new ResolvedPrincipal("arn:aws:iam::222222222222:role/other", "AROAD"),
            new ResolvedPrincipal("arn:aws-us-gov:iam::222222222222:role/deploy", "AROAD"),
            new ResolvedPrincipal("arn:aws:iam::222222222222:user/deploy", "AROAD"),
            new ResolvedPrincipal("not an arn", "AROAD"))) {
      FakeIam iam = new FakeIam(Map.of("deploy", wrong));
      assertThat(
              IamBindings.match(
                      principals("arn:aws:iam::222222222222:role/*"),
                      session("aws", "deploy", "AROAD"),
                      iam)
                  .allowed())
          .as(wrong.toString())
          .isFalse();
    }
  }

  @Test
  void aMissingRoleIsDenied() {
    assertThat(
            IamBindings.match(
                    principals("arn:aws:iam::222222222222:role/*"),
                    session("aws", "gone", "AROAG"),
                    new FakeIam(Map.of()))
                .allowed())
        .isFalse();
  }

  @Test
  void lookupFailuresPropagateSoTheReconcileIsRetried() {
    PrincipalLookup failing =
        caller -> {
          throw new IllegalStateException("throttled");
        };
    assertThatThrownBy(
            () ->
                IamBindings.match(
                    principals("arn:aws:iam::222222222222:role/*"),
                    session("aws", "deploy", "AROAD"),
                    failing))
        .hasMessage("throttled");
  }

  @Test
  void noLookupWhenNoBindingCouldMatch() {
    FakeIam iam = new FakeIam(Map.of());
    BindingDecision decision =
        IamBindings.match(
            principals(
                "arn:aws:iam::111111111111:role/*",
                "arn:aws-us-gov:iam::222222222222:role/*",
                "arn:aws:iam::222222222222:user/*"),
            session("aws", "deploy", "AROAD"),
            iam);
    assertThat(decision.allowed()).isFalse();
    assertThat(iam.asked).isEmpty();
  }

  @Test
  void usersCarryTheirPathAndNeedNoLookup() {
    PrincipalLookup none =
        caller -> {
          throw new AssertionError("users need no lookup");
        };
    assertThat(
            IamBindings.match(
                    principals("arn:aws:iam::222222222222:user/eng/alice"),
                    user("aws", "eng/alice"),
                    none)
                .allowed())
        .isTrue();
    assertThat(
            IamBindings.match(
                    principals("arn:aws:iam::222222222222:user/alice"),
                    user("aws", "eng/alice"),
                    none)
                .allowed())
        .isFalse();
    assertThat(
            IamBindings.match(
                    principals("arn:aws:iam::222222222222:user/eng/*"),
                    user("aws", "eng/alice"),
                    none)
                .allowed())
        .isTrue();
  }

  @Test
  void aUserBindingNeverMatchesARoleAndViceVersa() {
    FakeIam iam = new FakeIam(Map.of("alice", role("aws", "alice", "AROAA")));
    assertThat(
            IamBindings.match(
                    principals("arn:aws:iam::222222222222:user/alice"),
                    session("aws", "alice", "AROAA"),
                    iam)
                .allowed())
        .isFalse();
    assertThat(
            IamBindings.match(
                    principals("arn:aws:iam::222222222222:role/alice"), user("aws", "alice"), iam)
                .allowed())
        .isFalse();
  }

  @Test
  void partitionsNeverMix() {
    FakeIam gov = new FakeIam(Map.of("deploy", role("aws-us-gov", "deploy", "AROAD")));
    assertThat(
            IamBindings.match(
                    principals("arn:aws-us-gov:iam::222222222222:role/deploy"),
                    session("aws-us-gov", "deploy", "AROAD"),
                    gov)
                .allowed())
        .isTrue();
    assertThat(
            IamBindings.match(
                    principals("arn:aws:iam::222222222222:role/deploy"),
                    session("aws-us-gov", "deploy", "AROAD"),
                    gov)
                .allowed())
        .isFalse();
    assertThat(
            IamBindings.match(
                    principals("arn:aws-us-gov:iam::222222222222:user/*"),
                    user("aws", "alice"),
                    PrincipalLookup.NONE)
                .allowed())
        .isFalse();
    assertThat(
            IamBindings.match(
                    principals("arn:aws-cn:iam::222222222222:user/*"),
                    user("aws-cn", "alice"),
                    PrincipalLookup.NONE)
                .allowed())
        .isTrue();
  }

  @Test
  void arnsCompareCaseSensitively() {
    FakeIam iam = new FakeIam(Map.of("Deploy", role("aws", "Deploy", "AROAD")));
    assertThat(
            IamBindings.match(
                    principals("arn:aws:iam::222222222222:role/deploy"),
                    session("aws", "Deploy", "AROAD"),
                    iam)
                .allowed())
        .isFalse();
    assertThat(
            IamBindings.match(
                    principals("arn:aws:iam::222222222222:role/Deploy"),
                    session("aws", "Deploy", "AROAD"),
                    iam)
                .allowed())
        .isTrue();
  }

  @Test
  void accountIdsAloneAdmitAnyPrincipalOfTheAccount() {
    RoleBindings b = new RoleBindings();
    b.accountIds = List.of("111111111111", SECONDARY);
    assertThat(IamBindings.match(b, user("aws", "x"), PrincipalLookup.NONE).allowed()).isTrue();
    b.accountIds = List.of("111111111111");
    assertThat(IamBindings.match(b, user("aws", "x"), PrincipalLookup.NONE))
        .isEqualTo(
            new BindingDecision.Denied(
                "bindings.accountIds", "222222222222 does not match any of [111111111111]"));
  }

  @Test
  void accountIdsAndPrincipalArnsMustBothMatch() {
    RoleBindings b = principals("arn:aws:iam::222222222222:user/*");
    b.accountIds = List.of("111111111111");
    BindingDecision decision = IamBindings.match(b, user("aws", "x"), PrincipalLookup.NONE);
    assertThat(((BindingDecision.Denied) decision).binding()).isEqualTo("bindings.accountIds");
    b.accountIds = List.of(SECONDARY);
    assertThat(IamBindings.match(b, user("aws", "x"), PrincipalLookup.NONE).allowed()).isTrue();
  }

  @Test
  void emptyListsImposeNothing() {
    RoleBindings b = new RoleBindings();
    b.iamPrincipalArns = List.of();
    b.accountIds = List.of();
    assertThat(IamBindings.match(b, user("aws", "x"), PrincipalLookup.NONE).allowed()).isTrue();
    assertThat(IamBindings.match(null, user("aws", "x"), PrincipalLookup.NONE).allowed()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "arn:aws:iam::222222222222:root",
        "arn:aws:sts::222222222222:federated-user/bob",
        "arn:aws:iam::222222222222:instance-profile/web",
        "arn:aws:iam::333333333333:user/other-account",
        "arn:aws:iam::222222222222:user/x\nReady",
        "",
      })
  void principalsThatCannotBeBoundAreDeniedEvenWithOnlyAccountIds(String arn) {
    RoleBindings b = new RoleBindings();
    b.accountIds = List.of(SECONDARY);
    BindingDecision decision =
        IamBindings.match(b, new CallerIdentity(SECONDARY, arn, "AIDAX"), PrincipalLookup.NONE);
    assertThat(decision.allowed()).isFalse();
    assertThat(((BindingDecision.Denied) decision).binding()).isEqualTo("principal");
    assertThat(((BindingDecision.Denied) decision).message()).doesNotContain("\n");
  }

  @Test
  void aCallerWithoutAUniqueIdIsDenied() {
    BindingDecision decision =
        IamBindings.match(
            new RoleBindings(),
            new CallerIdentity(SECONDARY, "arn:aws:iam::222222222222:user/x", ":sess"),
            PrincipalLookup.NONE);
    assertThat(decision.allowed()).isFalse();
    assertThat(IamBindings.match(new RoleBindings(), null, PrincipalLookup.NONE).allowed())
        .isFalse();
  }

  @Test
  void malformedBindingsMatchNothing() {
    assertThat(
            IamBindings.match(
                    principals("*", "arn:aws:iam::*:user/*", "arn:*"),
                    user("aws", "x"),
                    PrincipalLookup.NONE)
                .allowed())
        .isFalse();
  }
}
