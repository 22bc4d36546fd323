package io.awsauth.operator.aws;

/** The parts of an ARN the operator needs before it knows what kind of ARN it is. */
public final class Arns {
  private Arns() {}

  /** The account of {@code arn:partition:service:region:account:resource} ("" when absent). */
  public static String accountId(String arn) {
    String[] parts = arn.split(":", 6);
    return parts.length > 4 ? parts[4] : "";
  }

  /**
   * The name of the user or role an IAM ARN names, its path left out: {@code
   * arn:partition:iam::account:role/path/name} gives {@code name}.
   */
  public static String name(String arn) {
    String[] parts = arn.split(":", 6);
    String resource = parts.length == 6 ? parts[5] : arn;
    return resource.substring(resource.lastIndexOf('/') + 1);
  }
}
