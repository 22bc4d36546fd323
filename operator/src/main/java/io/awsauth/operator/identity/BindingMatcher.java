package io.awsauth.operator.identity;

import io.awsauth.operator.api.v1alpha1.RoleBindings;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How a role's bindings are compared with who is asking: the namespace and service account every
 * request is checked against, and the rules the authType-specific comparisons share ({@code
 * identity.iam.IamBindings}, {@code identity.ec2.Ec2Bindings}). Pure.
 *
 * <p>Rules common to every list: a null or empty list imposes nothing; every list that is set must
 * match; an entry matches exactly, or as a prefix when its last character is {@code *} (so {@code
 * *} alone matches everything); a {@code *} anywhere else is an ordinary character, which no
 * Kubernetes name or AWS ID contains. Comparisons are case-sensitive.
 */
public final class BindingMatcher {
  private BindingMatcher() {}

  /** The namespace and service account of the request (its pod's). */
  public static BindingDecision kubernetes(
      RoleBindings bindings, String namespace, String serviceAccount) {
    if (bindings == null) {
      return BindingDecision.ALLOWED;
    }
    return check("bindings.namespaces", bindings.namespaces, namespace, BindingMatcher::wildcard)
        .and(
            () ->
                check(
                    "bindings.serviceAccounts",
                    bindings.serviceAccounts,
                    namespace == null || serviceAccount == null
                        ? null
                        : namespace + "/" + serviceAccount,
                    BindingMatcher::serviceAccount));
  }

  /**
   * One binding list against one value: ALLOWED when the list is unset, denied when the value is
   * unknown or matches no entry under {@code rule}.
   */
  public static BindingDecision check(
      String binding, List<String> bound, String value, BindingRule rule) {
    if (unset(bound)) {
      return BindingDecision.ALLOWED;
    }
    if (value == null || value.isEmpty()) {
      return new BindingDecision.Denied(
          binding, binding + " is set, and the value to compare with it is unknown");
    }
    return bound.stream().anyMatch(b -> b != null && rule.matches(b, value))
        ? BindingDecision.ALLOWED
        : denied(binding, value, bound);
  }

  /** A null or empty list imposes nothing. */
  public static boolean unset(List<String> bound) {
    return bound == null || bound.isEmpty();
  }

  /** {@code value} matched none of {@code bound} (the first ten are quoted). */
  public static BindingDecision.Denied denied(String binding, String value, List<String> bound) {
    return new BindingDecision.Denied(
        binding,
        SafeText.of(value)
            + " does not match any of "
            + bound.stream()
                .limit(10)
                .map(SafeText::of)
                .collect(Collectors.joining(", ", "[", bound.size() > 10 ? ", …]" : "]")));
  }

  /** How one entry of a binding list is compared with a value. */
  @FunctionalInterface
  public interface BindingRule {
    boolean matches(String binding, String value);
  }

  /** {@code exact}, or {@code prefix*}; {@code *} alone matches everything. */
  public static boolean wildcard(String binding, String value) {
    return binding.endsWith("*")
        ? value.startsWith(binding.substring(0, binding.length() - 1))
        : value.equals(binding);
  }

  /**
   * {@code namespace/name}, each part matched on its own, so a prefix never spans the slash. The
   * value is split at its only slash: a value with more than one (which no Kubernetes name has)
   * matches nothing, so {@code team-a/c*} cannot admit namespace {@code team-a/c}, name {@code i}.
   */
  static boolean serviceAccount(String binding, String value) {
    int bindingSlash = binding.indexOf('/');
    int valueSlash = value.indexOf('/');
    if (bindingSlash < 0 || valueSlash < 0 || value.indexOf('/', valueSlash + 1) >= 0) {
      return false;
    }
    return wildcard(binding.substring(0, bindingSlash), value.substring(0, valueSlash))
        && wildcard(binding.substring(bindingSlash + 1), value.substring(valueSlash + 1));
  }

  /** A bound role or instance-profile ARN against a concrete one, part by part. */
  public static boolean boundArn(String binding, String arn) {
    Optional<IamArn> concrete = IamArn.parse(arn);
    return concrete.isPresent()
        && BoundArn.parse(binding).filter(b -> b.matches(concrete.get())).isPresent();
  }
}
