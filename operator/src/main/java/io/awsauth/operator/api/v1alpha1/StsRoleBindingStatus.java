package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * Conditions: TrustReady (an AssumeRole into the account succeeded and GetCallerIdentity returned
 * the expected account), Ready and, when VaultAwsRoles name roles in the account, SessionIdentity
 * (those roles' trust lets the binding's role name each session's holder).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StsRoleBindingStatus extends ConditionedStatus {
  @JsonPropertyDescription("The assumed-role ARN the last successful AssumeRole returned.")
  public String assumedRoleArn;

  @JsonPropertyDescription(
      "Whenever trust is missing: the trust policy (JSON) the remote role must have.")
  public String requiredTrustPolicy;

  @JsonPropertyDescription(
      "Whenever trust is missing: the identity policy (JSON) the operator's own principal needs.")
  public String requiredCallerPolicy;

  @JsonPropertyDescription(
      "The target roles in this account (roleArns of VaultAwsRoles on the same AwsAuthConfig)"
          + " whose trust policy does not let the binding's role set the source identity and"
          + " session tags that name a credential's holder, each with the statement to add, as"
          + " those VaultAwsRoles found them.")
  public List<TrustGap> sessionIdentityGaps;
}
