package io.awsauth.operator.identity;

import io.awsauth.operator.api.v1alpha1.RoleBindings;
import java.util.List;
import java.util.Optional;

/**
 * A role's bindings.namespaces and bindings.serviceAccounts against a request's namespace and
 * service account. A {@code *} is only allowed at the end of a part (admission enforces it); an
 * empty or missing list imposes nothing.
 */
final class KubernetesBindings {
  private KubernetesBindings() {}

  static Optional<IdentityVerdict> check(
      RoleBindings bindings, String namespace, String serviceAccount, String roleName) {
    List<String> namespaces = bindings.namespaces;
    if (namespaces != null
        && !namespaces.isEmpty()
        && namespaces.stream().noneMatch(p -> matches(p, namespace))) {
      return Optional.of(
          IdentityVerdict.deny(
              "NamespaceNotBound",
              "namespace "
                  + namespace
                  + " does not match bindings.namespaces "
                  + namespaces
                  + " of role "
                  + roleName));
    }
    List<String> accounts = bindings.serviceAccounts;
    if (accounts != null
        && !accounts.isEmpty()
        && accounts.stream().noneMatch(p -> matchesServiceAccount(p, namespace, serviceAccount))) {
      return Optional.of(
          IdentityVerdict.deny(
              "ServiceAccountNotBound",
              "service account "
                  + namespace
                  + "/"
                  + serviceAccount
                  + " does not match bindings.serviceAccounts "
                  + accounts
                  + " of role "
                  + roleName));
    }
    return Optional.empty();
  }

  static boolean matchesServiceAccount(String pattern, String namespace, String name) {
    int slash = pattern.indexOf('/');
    return slash > 0
        && matches(pattern.substring(0, slash), namespace)
        && matches(pattern.substring(slash + 1), name);
  }

  /** Exact, or a prefix when the pattern ends with {@code *}. */
  static boolean matches(String pattern, String value) {
    return pattern.endsWith("*")
        ? value.startsWith(pattern.substring(0, pattern.length() - 1))
        : pattern.equals(value);
  }
}
