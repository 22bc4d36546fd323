package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Conditions: TrustReady (an AssumeRole into the account succeeded and GetCallerIdentity returned
 * the expected account) and Ready.
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
}
