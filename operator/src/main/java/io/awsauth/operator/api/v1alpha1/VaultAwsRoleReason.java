package io.awsauth.operator.api.v1alpha1;

import java.util.List;

/** The reasons only a VaultAwsRole shows; {@link #all()} adds the shared ones it shows. */
public enum VaultAwsRoleReason implements Reason {
  RoleReady(Recheck.WAIT_FOR_CHANGE, "the role can issue"),
  SessionCredentialsCannotFederate(
      Recheck.WAIT_FOR_CHANGE, "a federation_token role, and the operator has session credentials"),
  ChainedRoleTtlTooLong(
      Recheck.WAIT_FOR_CHANGE, "an assumed_role role AWS will chain has a TTL above 1h"),
  PolicyTooLarge(Recheck.WAIT_FOR_CHANGE, "spec.policyDocument is over 2048 characters"),
  PartitionMismatch(
      Recheck.WAIT_FOR_CHANGE,
      "a role, policy or permissions boundary ARN is in another partition than the caller's"),
  InvalidPrincipalArn(
      Recheck.WAIT_FOR_CHANGE, "an entry of bindings.iamPrincipalArns is not a user or role ARN"),
  PrincipalNotFound(Recheck.POLL, "an exact ARN in bindings.iamPrincipalArns does not exist");

  private final Recheck recheck;
  private final String description;

  VaultAwsRoleReason(Recheck recheck, String description) {
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

  /** Every reason a VaultAwsRole's conditions can carry. */
  public static List<Reason> all() {
    return Reason.all(
        values(),
        new Reason[] {
          DependencyReason.AuthConfigNotFound,
          DependencyReason.AuthConfigNotReady,
          DependencyReason.NoTrustForAccount,
          DependencyReason.TrustNotReady
        },
        SessionIdentityReason.values());
  }
}
