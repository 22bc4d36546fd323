package io.awsauth.operator.trust;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Pure ARN arithmetic for trust: which principal a caller ARN stands for. */
final class Principals {
  private static final Pattern ASSUMED_ROLE =
      Pattern.compile("^arn:(aws[a-z-]*):sts::([0-9]{12}):assumed-role/([^/]+)/.+$");
  private static final Pattern USER =
      Pattern.compile("^arn:aws[a-z-]*:iam::[0-9]{12}:user/(?:.*/)?([^/]+)$");
  private static final Pattern ROLE =
      Pattern.compile("^arn:aws[a-z-]*:iam::[0-9]{12}:role(/.*/|/)([^/]+)$");

  private Principals() {}

  /**
   * The principal to name in a trust policy for a GetCallerIdentity ARN: an IAM user as itself, an
   * assumed-role session as its role.
   */
  static String principalOf(String callerArn) {
    Matcher m = ASSUMED_ROLE.matcher(callerArn);
    if (m.matches()) {
      return "arn:" + m.group(1) + ":iam::" + m.group(2) + ":role/" + m.group(3);
    }
    return callerArn;
  }

  /** The IAM user name when the caller is an IAM user. */
  static Optional<String> userName(String callerArn) {
    Matcher m = USER.matcher(callerArn);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  record RoleName(String path, String name) {}

  static RoleName roleName(String roleArn) {
    Matcher m = ROLE.matcher(roleArn);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a role ARN: " + roleArn);
    }
    return new RoleName(m.group(1), m.group(2));
  }
}
