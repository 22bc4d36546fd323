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

  @JsonPropertyDescription("Rotation of the operator's own access key (Secret source only).")
  public RootRotationStatus rootRotation;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RootRotationStatus {
    @JsonPropertyDescription("Access key ID of the key in the Secret (not secret).")
    public String accessKeyId;

    @JsonPropertyDescription("When the key was last rotated (RFC 3339).")
    public String lastRotatedAt;

    @JsonPropertyDescription(
        "The value of the awsauth.io/rotate-root-key annotation last acted on.")
    public String lastRequest;

    @JsonPropertyDescription(
        "Written before a new key is created, so that a rotation interrupted at any step is"
            + " finished or undone by the next reconcile.")
    public InProgress inProgress;

    @JsonPropertyDescription("Why the last rotation failed, if it did.")
    public String lastError;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class InProgress {
    @JsonPropertyDescription("When the rotation started (RFC 3339).")
    public String startedAt;

    @JsonPropertyDescription("The access key ID the Secret held when the rotation started.")
    public String previousAccessKeyId;
  }
}
