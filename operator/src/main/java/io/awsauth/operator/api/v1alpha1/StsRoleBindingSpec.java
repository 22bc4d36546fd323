package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.roleArn.split(':')[4] == self.accountId",
    message = "roleArn must be a role in accountId",
    fieldPath = ".roleArn")
public class StsRoleBindingSpec {
  @Required
  @Pattern(ApiPatterns.ACCOUNT_ID)
  @JsonPropertyDescription("The remote AWS account ID (12 digits).")
  public String accountId;

  @Required
  @Pattern(ApiPatterns.ROLE_ARN)
  @JsonPropertyDescription(
      "The role in accountId that the operator assumes for every call into that account (the"
          + " seeds' Role-to-Assume), e.g. arn:aws:iam::222222222222:role/Role-to-Assume.")
  public String roleArn;

  @Size(min = 2, max = 1224)
  @Pattern(ApiPatterns.EXTERNAL_ID)
  @JsonPropertyDescription(
      "External ID passed to sts:AssumeRole, and required by the trust policy the operator writes.")
  public String externalId;

  @Default(Groups.DEFAULT_AUTH_CONFIG)
  @Pattern(ApiPatterns.K8S_NAME)
  @JsonPropertyDescription("The AwsAuthConfig whose identity assumes the role.")
  public String authConfigRef = Groups.DEFAULT_AUTH_CONFIG;

  @JsonPropertyDescription("Whether and how the operator creates the trust itself.")
  public Trust trust;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "!self.manage || has(self.adminSecretRef)",
      message = "trust.adminSecretRef is required when trust.manage is true")
  public static class Trust {
    @Default("false")
    @JsonPropertyDescription(
        "When true, the operator creates the role if missing, merges a statement admitting its"
            + " own principal (with the external ID condition) into the role's trust policy,"
            + " attaches the permissions it needs there, and allows itself sts:AssumeRole. It"
            + " never removes statements it did not write. When false, or when a step is not"
            + " permitted, status holds the exact policy documents an administrator must apply.")
    public boolean manage;

    @JsonPropertyDescription(
        "A Secret with access_key and secret_key of an identity that may administer IAM in the"
            + " remote account; used only to create the trust.")
    public SecretReference adminSecretRef;
  }
}
