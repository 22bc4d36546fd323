package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Conditions: Ready (sts:GetCallerIdentity succeeded with the configured credentials). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AwsAuthConfigStatus extends ConditionedStatus {
  @JsonPropertyDescription("The ARN sts:GetCallerIdentity returned for the operator's credentials.")
  public String callerArn;

  @JsonPropertyDescription("The account of the operator's credentials.")
  public String accountId;

  @JsonPropertyDescription(
      "True when the operator's credentials are temporary session credentials (an assumed role"
          + " or a session token); such credentials cannot call sts:GetFederationToken.")
  public Boolean sessionCredentials;
}
