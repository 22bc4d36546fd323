package io.awsauth.operator.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.RoleBindings;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubernetesBindingsTest {
  @Test
  void emptyBindingsImposeNothing() {
    assertThat(KubernetesBindings.check(new RoleBindings(), "any", "default", "r")).isEmpty();
    RoleBindings empty = new RoleBindings();
    empty.namespaces = List.of();
    empty.serviceAccounts = List.of();
    assertThat(KubernetesBindings.check(empty, "any", "default", "r")).isEmpty();
  }

  @Test
  void namespacesMatchExactlyOrByPrefixWithATrailingStar() {
    RoleBindings b = new RoleBindings();
    b.namespaces = List.of("team-*", "prod");
    assertThat(KubernetesBindings.check(b, "team-a", "default", "r")).isEmpty();
    assertThat(KubernetesBindings.check(b, "prod", "default", "r")).isEmpty();
    assertThat(KubernetesBindings.check(b, "production", "default", "r"))
        .hasValueSatisfying(
            v -> {
              assertThat(v.allowed()).isFalse();
              assertThat(v.reason()).isEqualTo("NamespaceNotBound");
              assertThat(v.message()).contains("bindings.namespaces").contains("production");
            });
    assertThat(KubernetesBindings.check(b, "team", "default", "r")).isPresent();
  }

  @Test
  void serviceAccountsMatchBothPartsAndEveryListMustMatch() {
    RoleBindings b = new RoleBindings();
    b.namespaces = List.of("team-*");
    b.serviceAccounts = List.of("team-*/ci-*", "ops/*");
    assertThat(KubernetesBindings.check(b, "team-a", "ci-runner", "r")).isEmpty();
    assertThat(KubernetesBindings.check(b, "team-a", "web", "r"))
        .hasValueSatisfying(v -> assertThat(v.reason()).isEqualTo("ServiceAccountNotBound"));
    // ops/* admits the service account, but the namespace list does not admit ops
    assertThat(KubernetesBindings.check(b, "ops", "anything", "r"))
        .hasValueSatisfying(v -> assertThat(v.reason()).isEqualTo("NamespaceNotBound"));
  }

  @Test
  void aStarOnlyCountsAtTheEnd() {
    assertThat(KubernetesBindings.matches("a*b", "axxb")).isFalse();
    assertThat(KubernetesBindings.matches("*", "anything")).isTrue();
    assertThat(KubernetesBindings.matchesServiceAccount("*/*", "ns", "sa")).isTrue();
    assertThat(KubernetesBindings.matchesServiceAccount("ns", "ns", "sa")).isFalse();
  }
}
