package io.awsauth.operator.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.RoleBindings;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BindingMatcherKubernetesTest {
  private static RoleBindings bindings(List<String> namespaces, List<String> serviceAccounts) {
    RoleBindings b = new RoleBindings();
    b.namespaces = namespaces;
    b.serviceAccounts = serviceAccounts;
    return b;
  }

  @Test
  void noBindingsOrEmptyListsImposeNothing() {
    assertThat(BindingMatcher.kubernetes(null, "team-a", "ci").allowed()).isTrue();
    assertThat(BindingMatcher.kubernetes(new RoleBindings(), "team-a", "ci").allowed()).isTrue();
    assertThat(BindingMatcher.kubernetes(bindings(List.of(), List.of()), "team-a", "ci").allowed())
        .isTrue();
  }

  @ParameterizedTest
  @CsvSource({
    "team-a, team-a, true",
    "team-*, team-a, true",
    "team-*, team-, true",
    "*, anything, true",
    "team-a, team-ab, false",
    "team-a*, team-b, false",
    "team, team-a, false",
    // A * only counts at the end; elsewhere it is a character no namespace has.
    "t*m-a, team-a, false",
    "TEAM-A, team-a, false",
  })
  void namespaceBinding(String binding, String namespace, boolean allowed) {
    assertThat(
            BindingMatcher.kubernetes(bindings(List.of(binding), null), namespace, "sa").allowed())
        .isEqualTo(allowed);
  }

  @ParameterizedTest
  @CsvSource({
    "team-a/ci, team-a, ci, true",
    "team-*/ci, team-b, ci, true",
    "team-a/ci-*, team-a, ci-deploy, true",
    "team-*/ci-*, team-x, ci-y, true",
    "*/*, any, thing, true",
    "*/ci, any, ci, true",
    "team-a/*, team-a, whatever, true",
    "team-a/ci, team-a, cd, false",
    "team-a/ci, team-b, ci, false",
    "team-a/*, team-ab, ci, false",
    // The prefix of one part never spans the slash.
    "team*, team-a, ci, false",
    "team-a/c*, team-a/c, i, false",
    "team-a, team-a, ci, false",
    "/ci, team-a, ci, false",
  })
  void serviceAccountBinding(String binding, String ns, String sa, boolean allowed) {
    assertThat(BindingMatcher.kubernetes(bindings(null, List.of(binding)), ns, sa).allowed())
        .isEqualTo(allowed);
  }

  @Test
  void deniedNamesTheBindingAndWhatDidNotMatch() {
    BindingDecision decision =
        BindingMatcher.kubernetes(
            bindings(List.of("team-*"), List.of("team-a/deploy", "team-b/*")), "team-a", "ci");
    assertThat(decision)
        .isEqualTo(
            new BindingDecision.Denied(
                "bindings.serviceAccounts",
                "team-a/ci does not match any of [team-a/deploy, team-b/*]"));
  }

  @Test
  void everySetListMustMatch() {
    RoleBindings b = bindings(List.of("team-a"), List.of("*/ci"));
    assertThat(BindingMatcher.kubernetes(b, "team-a", "ci").allowed()).isTrue();
    assertThat(BindingMatcher.kubernetes(b, "team-b", "ci"))
        .isEqualTo(
            new BindingDecision.Denied(
                "bindings.namespaces", "team-b does not match any of [team-a]"));
    assertThat(BindingMatcher.kubernetes(b, "team-a", "cd"))
        .extracting(d -> ((BindingDecision.Denied) d).binding())
        .isEqualTo("bindings.serviceAccounts");
  }

  @Test
  void anyEntryOfAListMayMatch() {
    RoleBindings b = bindings(List.of("prod", "team-*"), null);
    assertThat(BindingMatcher.kubernetes(b, "prod", "x").allowed()).isTrue();
    assertThat(BindingMatcher.kubernetes(b, "team-z", "x").allowed()).isTrue();
    assertThat(BindingMatcher.kubernetes(b, "dev", "x").allowed()).isFalse();
  }

  @Test
  void unknownValuesAreDeniedWhenAListIsSet() {
    assertThat(BindingMatcher.kubernetes(bindings(List.of("*"), null), null, "ci").allowed())
        .isFalse();
    assertThat(BindingMatcher.kubernetes(bindings(null, List.of("*/*")), "team-a", null).allowed())
        .isFalse();
  }

  @Test
  void injectionLikeValuesAreComparedLiterallyAndQuotedSafely() {
    RoleBindings b = bindings(List.of("team-a"), null);
    BindingDecision decision = BindingMatcher.kubernetes(b, "team-a\nReady: True", "ci");
    assertThat(decision.allowed()).isFalse();
    assertThat(((BindingDecision.Denied) decision).message()).doesNotContain("\n");
    assertThat(BindingMatcher.kubernetes(bindings(null, List.of("a/b")), "a/b", "").allowed())
        .isFalse();
    assertThat(
            BindingMatcher.kubernetes(bindings(null, List.of("team-a/c*")), "team-a/c", "i")
                .allowed())
        .isFalse();
  }

  @Test
  void longBindingListsAreShortenedInTheMessage() {
    List<String> many = java.util.stream.IntStream.range(0, 30).mapToObj(i -> "ns-" + i).toList();
    BindingDecision.Denied denied =
        (BindingDecision.Denied) BindingMatcher.kubernetes(bindings(many, null), "other", "sa");
    assertThat(denied.message()).contains("ns-9").doesNotContain("ns-10").endsWith(", …]");
  }

  @Test
  void laterChecksRunOnlyWhenEarlierOnesAllow() {
    BindingDecision denied = new BindingDecision.Denied("x", "y");
    assertThat(
            denied.and(
                () -> {
                  throw new AssertionError("must not run");
                }))
        .isSameAs(denied);
    assertThat(BindingDecision.ALLOWED.and(() -> denied)).isSameAs(denied);
  }
}
