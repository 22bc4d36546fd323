package io.awsauth.operator.identity;

import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.aws.CallerIdentity;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The one place where a role's bindings are compared with who is asking. Pure: AWS is consulted
 * only through the {@link PrincipalLookup} given, and only when a binding needs it.
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
   * The AWS principal of a verified sts:GetCallerIdentity answer (authType iam).
   *
   * <p>An IAM user's ARN carries its path and is compared as it is. An assumed-role session's ARN
   * does not, so for a session the role is looked up (iam:GetRole) and its full ARN, path included,
   * is compared; the answer counts only if its unique ID is the session's. So {@code role/a/b}
   * never matches a binding of {@code role/b} and vice versa, a session of a role that was deleted
   * and created again under the same name matches nothing, and an exact binding with a path matches
   * exactly the role that holds that ARN now. Vault instead resolves exact bindings to unique IDs
   * when the role is written; the operator re-reads bindings on every reconcile, so comparing
   * against the unique-ID-checked current ARN is the same check made at the same time.
   */
  public static BindingDecision iam(
      RoleBindings bindings, CallerIdentity identity, PrincipalLookup lookup) {
    return iam(bindings, identity, lookup, null);
  }

  /**
   * The same, where an exact (non-wildcard) bound ARN also requires the caller's unique ID to be
   * the one {@code uniqueIds} recorded for it when the role was written (Vault's resolved unique
   * IDs): a principal deleted and created again under the same name is someone else. {@code null}
   * skips that check.
   */
  public static BindingDecision iam(
      RoleBindings bindings,
      CallerIdentity identity,
      PrincipalLookup lookup,
      java.util.Map<String, String> uniqueIds) {
    Optional<IamCaller> parsed = IamCaller.of(identity);
    if (parsed.isEmpty()) {
      return new BindingDecision.Denied(
          "principal",
          SafeText.of(identity == null ? null : identity.arn())
              + " is not an IAM user or an assumed role; only those can be bound");
    }
    IamCaller caller = parsed.get();
    if (bindings == null) {
      return BindingDecision.ALLOWED;
    }
    return check(
            "bindings.accountIds", bindings.accountIds, caller.arn().accountId(), String::equals)
        .and(() -> principalArns(bindings.iamPrincipalArns, caller, lookup, uniqueIds));
  }

  /** The EC2 instance behind the request's node (authType ec2); it must be running. */
  public static BindingDecision ec2(RoleBindings bindings, Ec2Instance instance) {
    if (!Ec2Instance.RUNNING.equals(instance.state())) {
      return new BindingDecision.Denied(
          "instance.state",
          "instance "
              + SafeText.of(instance.instanceId())
              + " is "
              + SafeText.of(instance.state())
              + ", not running");
    }
    if (bindings == null) {
      return BindingDecision.ALLOWED;
    }
    return check("bindings.accountIds", bindings.accountIds, instance.accountId(), String::equals)
        .and(() -> check("bindings.regions", bindings.regions, instance.region(), String::equals))
        .and(() -> check("bindings.vpcIds", bindings.vpcIds, instance.vpcId(), String::equals))
        .and(
            () ->
                check(
                    "bindings.subnetIds", bindings.subnetIds, instance.subnetId(), String::equals))
        .and(() -> check("bindings.amiIds", bindings.amiIds, instance.amiId(), String::equals))
        .and(
            () ->
                check(
                    "bindings.ec2InstanceIds",
                    bindings.ec2InstanceIds,
                    instance.instanceId(),
                    String::equals))
        .and(
            () ->
                check(
                    "bindings.iamInstanceProfileArns",
                    bindings.iamInstanceProfileArns,
                    instance.iamInstanceProfileArn(),
                    BindingMatcher::boundArn))
        .and(() -> instanceRoles(bindings.iamRoleArns, instance.iamRoleArns()));
  }

  private static BindingDecision principalArns(
      List<String> bound,
      IamCaller caller,
      PrincipalLookup lookup,
      java.util.Map<String, String> uniqueIds) {
    if (unset(bound)) {
      return BindingDecision.ALLOWED;
    }
    IamArn.Kind kind =
        caller.arn().kind() == IamArn.Kind.USER ? IamArn.Kind.USER : IamArn.Kind.ROLE;
    List<BoundArn> candidates =
        bound.stream()
            .map(BoundArn::parse)
            .flatMap(Optional::stream)
            .filter(b -> b.couldMatch(caller.arn().partition(), caller.arn().accountId(), kind))
            .toList();
    // Ask IAM only when some binding could match: a role in another account or partition needs no
    // lookup to be refused.
    if (candidates.isEmpty()) {
      return denied("bindings.iamPrincipalArns", caller.arn().toString(), bound);
    }
    Optional<IamArn> full = caller.pathKnown() ? Optional.of(caller.arn()) : roleOf(caller, lookup);
    if (full.isEmpty()) {
      return new BindingDecision.Denied(
          "bindings.iamPrincipalArns",
          "role "
              + caller.arn().name()
              + " of session "
              + caller.arn()
              + " no longer exists as the role the session was issued for (deleted or replaced),"
              + " so its path cannot be checked");
    }
    List<BoundArn> matching = candidates.stream().filter(b -> b.matches(full.get())).toList();
    if (matching.isEmpty()) {
      return denied("bindings.iamPrincipalArns", full.get().toString(), bound);
    }
    if (uniqueIds == null
        || matching.stream()
            .anyMatch(
                b -> b.wildcard() || caller.key().uniqueId().equals(uniqueIds.get(b.text())))) {
      return BindingDecision.ALLOWED;
    }
    return new BindingDecision.Denied(
        "bindings.iamPrincipalArns",
        full.get()
            + " has the name of a bound principal but not its unique ID: it was deleted and"
            + " created again after the role was written (write the role again to bind the new"
            + " one)");
  }

  /** The session's role with its path, if IAM's answer is really that role. */
  private static Optional<IamArn> roleOf(IamCaller caller, PrincipalLookup lookup) {
    return lookup
        .roleOf(caller)
        .filter(r -> caller.key().uniqueId().equals(r.uniqueId()))
        .flatMap(r -> IamArn.parse(r.arn()))
        .filter(
            r ->
                r.kind() == IamArn.Kind.ROLE
                    && r.partition().equals(caller.arn().partition())
                    && r.accountId().equals(caller.arn().accountId())
                    && r.name().equals(caller.arn().name()))
        .map(r -> caller.arn().roleWithPath(r.path()));
  }

  private static BindingDecision instanceRoles(List<String> bound, List<String> roleArns) {
    if (unset(bound)) {
      return BindingDecision.ALLOWED;
    }
    if (roleArns.isEmpty()) {
      return new BindingDecision.Denied(
          "bindings.iamRoleArns", "the instance has no instance profile role");
    }
    for (String role : roleArns) {
      if (bound.stream().anyMatch(b -> boundArn(b, role))) {
        return BindingDecision.ALLOWED;
      }
    }
    return denied("bindings.iamRoleArns", String.join(", ", roleArns), bound);
  }

  private static BindingDecision check(
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

  private static boolean unset(List<String> bound) {
    return bound == null || bound.isEmpty();
  }

  private static BindingDecision.Denied denied(String binding, String value, List<String> bound) {
    return new BindingDecision.Denied(
        binding,
        SafeText.of(value)
            + " does not match any of "
            + bound.stream()
                .limit(10)
                .map(SafeText::of)
                .collect(Collectors.joining(", ", "[", bound.size() > 10 ? ", …]" : "]")));
  }

  @FunctionalInterface
  private interface BindingRule {
    boolean matches(String binding, String value);
  }

  /** {@code exact}, or {@code prefix*}; {@code *} alone matches everything. */
  static boolean wildcard(String binding, String value) {
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
  static boolean boundArn(String binding, String arn) {
    Optional<IamArn> concrete = IamArn.parse(arn);
    return concrete.isPresent()
        && BoundArn.parse(binding).filter(b -> b.matches(concrete.get())).isPresent();
  }
}
