package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * Conditions: Ready (the role can issue: its config is ready and AWS would accept it) and, for
 * assumed_role, SessionIdentity (its roleArns' trust lets the operator name each session's holder;
 * never blocks issuance).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VaultAwsRoleStatus extends ConditionedStatus {
  @JsonPropertyDescription(
      "authType iam: the unique IDs of the exact (non-wildcard) bindings.iamPrincipalArns,"
          + " resolved when the role was written (its generation). A principal deleted and"
          + " created again under the same name has another unique ID and is not admitted.")
  public List<BoundPrincipal> boundPrincipals;

  @JsonPropertyDescription("The metadata.generation boundPrincipals were resolved for.")
  public Long principalsResolvedForGeneration;

  @JsonPropertyDescription(
      "assumed_role: the roleArns whose trust policy does not let the operator's principal set"
          + " the source identity and session tags that name a credential's holder, each with the"
          + " statement to add. Credentials are still issued, without that identity (condition"
          + " SessionIdentity). Read with iam:GetRole at every reconcile.")
  public List<TrustGap> sessionIdentityGaps;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BoundPrincipal {
    @JsonPropertyDescription("The bound ARN, as written in bindings.iamPrincipalArns.")
    public String arn;

    @JsonPropertyDescription("Its unique ID (AIDA... for a user, AROA... for a role).")
    public String uniqueId;

    public BoundPrincipal() {}

    public BoundPrincipal(String arn, String uniqueId) {
      this.arn = arn;
      this.uniqueId = uniqueId;
    }
  }
}
