package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a request's identity is verified before anything is issued. */
public enum AuthType {
  /** The request's namespace and service account must match the bindings. */
  @JsonProperty("kubernetes")
  KUBERNETES,
  /** A signed sts:GetCallerIdentity proof; the caller must match the IAM bindings. */
  @JsonProperty("iam")
  IAM,
  /** The pod's node must be an EC2 instance matching the EC2 bindings. */
  @JsonProperty("ec2")
  EC2;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
