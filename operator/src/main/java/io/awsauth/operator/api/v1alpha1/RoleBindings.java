package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Who may use a VaultAwsRole: Vault's bound_* parameters, in Kubernetes terms. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RoleBindings {
  @Size(max = 100)
  @JsonPropertyDescription(
      "Namespaces whose requests may use the role; a * is allowed at the end (team-*).")
  public List<@Pattern(ApiPatterns.NAMESPACE_BINDING) String> namespaces;

  @Size(max = 100)
  @JsonPropertyDescription(
      "Service accounts as namespace/name; either part may end with * (team-*/ci-*).")
  public List<@Pattern(ApiPatterns.SERVICE_ACCOUNT_BINDING) String> serviceAccounts;

  @Size(max = 100)
  @JsonPropertyDescription(
      "IAM user or role ARNs a workload's proof must match (authType iam); a * only at the end,"
          + " e.g. arn:aws:iam::222222222222:role/vault-secondary*. An assumed-role session"
          + " matches its role's ARN.")
  public List<@Pattern(ApiPatterns.BOUND_PRINCIPAL_ARN) String> iamPrincipalArns;

  @Size(max = 100)
  @JsonPropertyDescription("AWS accounts the workload's principal or instance must belong to.")
  public List<@Pattern(ApiPatterns.ACCOUNT_ID) String> accountIds;

  @Size(max = 50)
  @JsonPropertyDescription("Regions the node's EC2 instance must run in (authType ec2).")
  public List<@Pattern(ApiPatterns.REGION) String> regions;

  @Size(max = 100)
  @JsonPropertyDescription("VPCs the node's EC2 instance must be in (authType ec2).")
  public List<@Pattern(ApiPatterns.VPC_ID) String> vpcIds;

  @Size(max = 100)
  @JsonPropertyDescription("Subnets the node's EC2 instance must be in (authType ec2).")
  public List<@Pattern(ApiPatterns.SUBNET_ID) String> subnetIds;

  @Size(max = 100)
  @JsonPropertyDescription("AMIs the node's EC2 instance must run (authType ec2).")
  public List<@Pattern(ApiPatterns.AMI_ID) String> amiIds;

  @Size(max = 100)
  @JsonPropertyDescription("EC2 instance IDs the node must be one of (authType ec2).")
  public List<@Pattern(ApiPatterns.INSTANCE_ID) String> ec2InstanceIds;

  @Size(max = 100)
  @JsonPropertyDescription(
      "Instance profile ARNs (prefix match; a * only at the end) the node's instance must carry"
          + " (authType ec2).")
  public List<@Pattern(ApiPatterns.BOUND_INSTANCE_PROFILE_ARN) String> iamInstanceProfileArns;

  @Size(max = 100)
  @JsonPropertyDescription(
      "Role ARNs (a * only at the end) the node instance's profile must contain (authType ec2).")
  public List<@Pattern(ApiPatterns.BOUND_ROLE_ARN) String> iamRoleArns;
}
