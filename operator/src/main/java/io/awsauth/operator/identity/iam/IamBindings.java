package io.awsauth.operator.identity.iam;

import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.identity.BindingDecision;
import io.awsauth.operator.identity.BindingMatcher;
import io.awsauth.operator.identity.BoundArn;
import io.awsauth.operator.identity.IamArn;
import io.awsauth.operator.identity.SafeText;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A role's bindings against the AWS principal of a verified sts:GetCallerIdentity answer (authType
 * iam), by {@link BindingMatcher}'s rules. Pure: AWS is consulted only through the {@link
 * PrincipalLookup} given, and only when a binding needs it.
 */
public final class IamBindings {
  private IamBindings() {}

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
  public static BindingDecision match(
      RoleBindings bindings, CallerIdentity identity, PrincipalLookup lookup) {
    return match(bindings, identity, lookup, null);
  }

  /**
   * The same, where an exact (non-wildcard) bound ARN also requires the caller's unique ID to be
   * the one {@code uniqueIds} recorded for it when the role was written (Vault's resolved unique
   * IDs): a principal deleted and created again under the same name is someone else. {@code null}
   * skips that check.
   */
  public static BindingDecision match(
      RoleBindings bindings,
      CallerIdentity identity,
      PrincipalLookup lookup,
      Map<String, String> uniqueIds) {
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
    return BindingMatcher.check(
            "bindings.accountIds", bindings.accountIds, caller.arn().accountId(), String::equals)
        .and(() -> principalArns(bindings.iamPrincipalArns, caller, lookup, uniqueIds));
  }

  private static BindingDecision principalArns(
      List<String> bound, IamCaller caller, PrincipalLookup lookup, Map<String, String> uniqueIds) {
    if (BindingMatcher.unset(bound)) {
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
      return BindingMatcher.denied("bindings.iamPrincipalArns", caller.arn().toString(), bound);
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
      return BindingMatcher.denied("bindings.iamPrincipalArns", full.get().toString(), bound);
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
}
