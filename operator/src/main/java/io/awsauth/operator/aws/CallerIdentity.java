package io.awsauth.operator.aws;

/** What sts:GetCallerIdentity returns. */
public record CallerIdentity(String account, String arn, String userId) {
  /** Temporary credentials: an assumed role or a federated user. */
  public boolean isSession() {
    return arn.contains(":assumed-role/") || arn.contains(":federated-user/");
  }
}
