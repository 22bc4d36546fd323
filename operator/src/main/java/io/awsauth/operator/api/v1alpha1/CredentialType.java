package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a VaultAwsRole issues; the names and meanings of Vault's AWS secrets engine. */
public enum CredentialType {
  /** A new IAM user with an access key, deleted when the lease ends. */
  @JsonProperty("iam_user")
  IAM_USER,
  /** sts:AssumeRole into one of the role's {@code roleArns}. */
  @JsonProperty("assumed_role")
  ASSUMED_ROLE,
  /** sts:GetFederationToken with the role's inline policy. */
  @JsonProperty("federation_token")
  FEDERATION_TOKEN,
  /** sts:GetSessionToken for the operator's own identity. */
  @JsonProperty("session_token")
  SESSION_TOKEN;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public boolean isSts() {
    return this != IAM_USER;
  }
}
