package io.awsauth.operator.api.v1alpha1;

/**
 * Reasons of what a resource refers to being missing or not usable: its AwsAuthConfig, the
 * StsRoleBinding of an account, a Secret of credentials. Raised by the shared code that resolves
 * them, and shown by every kind that refers to them.
 */
public enum DependencyReason implements Reason {
  AuthConfigNotFound(Recheck.WAIT_FOR_DEPENDENCY, "authConfigRef names no AwsAuthConfig"),
  AuthConfigNotReady(Recheck.WAIT_FOR_DEPENDENCY, "the AwsAuthConfig is not Ready"),
  NoTrustForAccount(
      Recheck.WAIT_FOR_DEPENDENCY, "an account to call into has no StsRoleBinding for the config"),
  TrustNotReady(Recheck.WAIT_FOR_DEPENDENCY, "the StsRoleBinding of the account is not TrustReady"),
  SecretNotFound(Recheck.WAIT_FOR_CHANGE, "a Secret of credentials does not exist"),
  SecretKeyMissing(
      Recheck.WAIT_FOR_CHANGE, "a Secret of credentials lacks access_key or secret_key");

  private final Recheck recheck;
  private final String description;

  DependencyReason(Recheck recheck, String description) {
    this.recheck = recheck;
    this.description = description;
  }

  @Override
  public Recheck recheck() {
    return recheck;
  }

  @Override
  public String description() {
    return description;
  }
}
