package io.awsauth.operator.identity;

import io.awsauth.operator.api.v1alpha1.ApiPatterns;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of a bound ARN list ({@code iamPrincipalArns}, {@code iamRoleArns}, {@code
 * iamInstanceProfileArns}): an exact ARN, or a prefix when it ends with {@code *}.
 *
 * <p>The partition, account and resource type are compared as parts, never as a string prefix, so
 * {@code arn:aws:...} can never reach into {@code arn:aws-us-gov:...} and a {@code role/} binding
 * never matches a {@code user/}. Only a final {@code *} is a wildcard; one elsewhere is a literal
 * character, as in Vault (a {@code *} is valid in an IAM path), and admission rejects it anyway.
 * Comparison is case-sensitive, as in Vault and in IAM policy ARN matching: IAM names are unique
 * regardless of case, but an ARN is matched as AWS spells it.
 */
public record BoundArn(
    String partition,
    String accountId,
    IamArn.Kind kind,
    String resourcePrefix,
    boolean wildcard,
    String text) {

  private static final Pattern BOUND =
      Pattern.compile(
          "^arn:(?<partition>"
              + ApiPatterns.PARTITION
              + "):iam::(?<account>[0-9]{12}):(?<type>user|role|instance-profile)/(?<rest>[!-~]*)$");

  /** The binding, or empty when it is not a bound IAM ARN at all (it then matches nothing). */
  public static Optional<BoundArn> parse(String binding) {
    if (binding == null || binding.length() > 2048) {
      return Optional.empty();
    }
    Matcher m = BOUND.matcher(binding);
    if (!m.matches()) {
      return Optional.empty();
    }
    String rest = m.group("rest");
    boolean wildcard = rest.endsWith("*");
    return Optional.of(
        new BoundArn(
            m.group("partition"),
            m.group("account"),
            IamArn.Kind.ofResourceType(m.group("type")),
            wildcard ? rest.substring(0, rest.length() - 1) : rest,
            wildcard,
            binding));
  }

  /** Whether the concrete ARN is this one, or starts with this prefix. */
  public boolean matches(IamArn arn) {
    if (!partition.equals(arn.partition())
        || !accountId.equals(arn.accountId())
        || kind != arn.kind()) {
      return false;
    }
    return wildcard
        ? arn.resource().startsWith(resourcePrefix)
        : arn.resource().equals(resourcePrefix);
  }

  /** Whether it could match a principal of this partition, account and kind at all. */
  public boolean couldMatch(String partition, String accountId, IamArn.Kind kind) {
    return this.partition.equals(partition)
        && this.accountId.equals(accountId)
        && this.kind == kind;
  }
}
