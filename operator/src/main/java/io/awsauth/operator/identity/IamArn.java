package io.awsauth.operator.identity;

import io.awsauth.operator.api.v1alpha1.ApiPatterns;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A concrete ARN of an IAM user, role or instance profile, or of an STS assumed-role session, split
 * into the parts the bindings compare. An assumed-role ARN carries no path (AWS leaves it out), so
 * its {@link #path()} is empty rather than {@code /}: it is unknown, not the root path.
 */
public record IamArn(
    String partition, String accountId, Kind kind, String path, String name, String sessionName) {

  public enum Kind {
    USER("user"),
    ROLE("role"),
    INSTANCE_PROFILE("instance-profile"),
    ASSUMED_ROLE("assumed-role");

    private final String resourceType;

    Kind(String resourceType) {
      this.resourceType = resourceType;
    }

    public String resourceType() {
      return resourceType;
    }

    static Kind ofResourceType(String type) {
      for (Kind kind : values()) {
        if (kind.resourceType.equals(type)) {
          return kind;
        }
      }
      throw new IllegalArgumentException(type);
    }
  }

  private static final String PARTITION = "(?<partition>" + ApiPatterns.PARTITION + ")";
  private static final String NAME_CHARS = "[A-Za-z0-9+=,.@_-]";

  /** IAM paths hold any printable ASCII but the separator: 0x21 to 0x7E without '/'. */
  private static final Pattern IAM =
      Pattern.compile(
          "^arn:"
              + PARTITION
              + ":iam::(?<account>[0-9]{12}):(?<type>user|role|instance-profile)"
              + "(?<path>/(?:[!-.0-~]+/)*)(?<name>"
              + NAME_CHARS
              + "{1,128})$");

  private static final Pattern ASSUMED_ROLE =
      Pattern.compile(
          "^arn:"
              + PARTITION
              + ":sts::(?<account>[0-9]{12}):assumed-role/(?<name>"
              + NAME_CHARS
              + "{1,64})/(?<session>"
              + NAME_CHARS
              + "{1,64})$");

  /** IAM's limit on a path; longer ones cannot exist. */
  private static final int MAX_PATH = 512;

  public static Optional<IamArn> parse(String arn) {
    if (arn == null || arn.length() > 2048) {
      return Optional.empty();
    }
    Matcher m = IAM.matcher(arn);
    if (m.matches()) {
      if (m.group("path").length() > MAX_PATH) {
        return Optional.empty();
      }
      return Optional.of(
          new IamArn(
              m.group("partition"),
              m.group("account"),
              Kind.ofResourceType(m.group("type")),
              m.group("path"),
              m.group("name"),
              ""));
    }
    m = ASSUMED_ROLE.matcher(arn);
    if (m.matches()) {
      return Optional.of(
          new IamArn(
              m.group("partition"),
              m.group("account"),
              Kind.ASSUMED_ROLE,
              "",
              m.group("name"),
              m.group("session")));
    }
    return Optional.empty();
  }

  /** What follows {@code <type>/}: path without its leading slash, then the name. */
  public String resource() {
    return kind == Kind.ASSUMED_ROLE ? name + "/" + sessionName : path.substring(1) + name;
  }

  /** The role ARN of a session whose role has the given path, e.g. after looking the role up. */
  public IamArn roleWithPath(String rolePath) {
    return new IamArn(partition, accountId, Kind.ROLE, rolePath, name, "");
  }

  @Override
  public String toString() {
    String service = kind == Kind.ASSUMED_ROLE ? "sts" : "iam";
    return "arn:"
        + partition
        + ":"
        + service
        + "::"
        + accountId
        + ":"
        + kind.resourceType()
        + "/"
        + resource();
  }
}
