package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "self.credentialType != 'assumed_role' || (has(self.roleArns) && size(self.roleArns) > 0)",
    message = "roleArns is required for credentialType assumed_role",
    fieldPath = ".roleArns")
@ValidationRule(
    value =
        "self.credentialType == 'assumed_role' || !has(self.roleArns) || size(self.roleArns) == 0",
    message = "roleArns is only valid for credentialType assumed_role",
    fieldPath = ".roleArns")
@ValidationRule(
    value =
        "self.credentialType != 'session_token' || (!has(self.policyDocument)"
            + " && (!has(self.policyArns) || size(self.policyArns) == 0)"
            + " && (!has(self.iamGroups) || size(self.iamGroups) == 0))",
    message =
        "a session_token role cannot carry policyDocument, policyArns or iamGroups:"
            + " sts:GetSessionToken takes no policies")
@ValidationRule(
    value =
        "self.credentialType != 'iam_user' || has(self.policyDocument)"
            + " || (has(self.policyArns) && size(self.policyArns) > 0)"
            + " || (has(self.iamGroups) && size(self.iamGroups) > 0)",
    message = "an iam_user role needs at least one of policyDocument, policyArns or iamGroups")
@ValidationRule(
    value =
        "self.credentialType == 'iam_user' || !has(self.policyArns) || size(self.policyArns) <= 10",
    message = "STS credential types accept at most 10 policyArns",
    fieldPath = ".policyArns")
@ValidationRule(
    value =
        "self.credentialType == 'iam_user' || (!has(self.userPath)"
            + " && !has(self.permissionsBoundaryArn) && !has(self.iamTags))",
    message = "userPath, permissionsBoundaryArn and iamTags are only valid for iam_user")
@ValidationRule(
    value = "self.credentialType == 'assumed_role' || !has(self.externalId)",
    message = "externalId is only valid for credentialType assumed_role",
    fieldPath = ".externalId")
@ValidationRule(
    value = "self.credentialType in ['assumed_role', 'federation_token'] || !has(self.sessionTags)",
    message = "sessionTags are only valid for assumed_role and federation_token",
    fieldPath = ".sessionTags")
@ValidationRule(
    value = "self.credentialType == 'assumed_role' || !has(self.transitiveTagKeys)",
    message = "transitiveTagKeys are only valid for credentialType assumed_role",
    fieldPath = ".transitiveTagKeys")
@ValidationRule(
    value =
        "!has(self.defaultTtl) || !has(self.maxTtl)"
            + " || duration(self.defaultTtl) <= duration(self.maxTtl)",
    message = "defaultTtl must not exceed maxTtl",
    fieldPath = ".defaultTtl")
@ValidationRule(
    value =
        "self.credentialType == 'iam_user'"
            + " || ((!has(self.maxTtl) || duration(self.maxTtl) >= duration('15m'))"
            + " && (!has(self.defaultTtl) || duration(self.defaultTtl) >= duration('15m')))",
    message = "STS credentials last at least 15m: defaultTtl and maxTtl must be 15m or more")
@ValidationRule(
    value =
        "self.credentialType != 'assumed_role'"
            + " || ((!has(self.maxTtl) || duration(self.maxTtl) <= duration('12h'))"
            + " && (!has(self.defaultTtl) || duration(self.defaultTtl) <= duration('12h')))",
    message = "sts:AssumeRole allows at most 12h: defaultTtl and maxTtl must be 12h or less")
@ValidationRule(
    value =
        "!(self.credentialType in ['federation_token', 'session_token'])"
            + " || ((!has(self.maxTtl) || duration(self.maxTtl) <= duration('36h'))"
            + " && (!has(self.defaultTtl) || duration(self.defaultTtl) <= duration('36h')))",
    message =
        "federation and session tokens last at most 36h: defaultTtl and maxTtl must be 36h"
            + " or less")
@ValidationRule(
    value =
        "self.authType != 'iam' || (has(self.bindings) && ((has(self.bindings.iamPrincipalArns)"
            + " && size(self.bindings.iamPrincipalArns) > 0) || (has(self.bindings.accountIds)"
            + " && size(self.bindings.accountIds) > 0)))",
    message = "authType iam needs bindings.iamPrincipalArns or bindings.accountIds")
@ValidationRule(
    value =
        "self.authType == 'ec2' || !has(self.bindings) || (!has(self.bindings.regions)"
            + " && !has(self.bindings.vpcIds) && !has(self.bindings.subnetIds)"
            + " && !has(self.bindings.amiIds) && !has(self.bindings.ec2InstanceIds)"
            + " && !has(self.bindings.iamInstanceProfileArns) && !has(self.bindings.iamRoleArns))",
    message =
        "EC2 bindings (regions, vpcIds, subnetIds, amiIds, ec2InstanceIds,"
            + " iamInstanceProfileArns, iamRoleArns) are only valid with authType ec2")
@ValidationRule(
    value = "self.authType != 'ec2' || has(self.bindings)",
    message = "authType ec2 needs at least one EC2 binding")
public class VaultAwsRoleSpec {
  /** Tag keys as AWS accepts them (the values are checked by their schema pattern). */
  static final String TAG_KEYS =
      "self.all(k, k.size() >= 1 && k.size() <= 128 && !k.startsWith('aws:')"
          + " && k.matches('^[\\\\p{L}\\\\p{Z}\\\\p{N}_.:/=+\\\\-@]+$'))";

  static final String TAG_KEYS_MESSAGE =
      "tag keys are 1 to 128 letters, digits, spaces or _.:/=+-@, not starting with aws:";

  @Required
  @JsonPropertyDescription(
      "What is issued: iam_user (a new IAM user and access key), assumed_role (sts:AssumeRole"
          + " into one of roleArns), federation_token (sts:GetFederationToken with the inline"
          + " policy) or session_token (sts:GetSessionToken).")
  public CredentialType credentialType;

  @PreserveUnknownFields
  @JsonPropertyDescription(
      "An IAM policy document as an object (Version, Statement). For iam_user it becomes the"
          + " user's inline policy; for STS types, the session policy.")
  public ObjectNode policyDocument;

  @Size(max = 20)
  @JsonPropertyDescription(
      "Managed policy ARNs: attached to the IAM user (iam_user) or passed as session policies"
          + " (at most 10 for STS types), e.g. arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess.")
  public List<@Pattern(ApiPatterns.POLICY_ARN) String> policyArns;

  @Size(max = 20)
  @JsonPropertyDescription(
      "Roles an assumed_role request may assume. With more than one, a request chooses with"
          + " spec.roleArn. A role in another account is assumed through that account's"
          + " StsRoleBinding.")
  public List<@Pattern(ApiPatterns.ROLE_ARN) String> roleArns;

  @Size(max = 10)
  @JsonPropertyDescription("IAM groups an issued IAM user is added to.")
  public List<@Pattern(ApiPatterns.IAM_GROUP_NAME) String> iamGroups;

  @Size(max = 50)
  @ValidationRule(value = TAG_KEYS, message = TAG_KEYS_MESSAGE)
  @JsonPropertyDescription(
      "Tags on issued IAM users (iam_user), besides the operator's own ownership tags. Keys (1-128"
          + " characters, not starting with aws:) and values (up to 256) hold letters, digits,"
          + " spaces and _.:/=+-@, as AWS requires.")
  public Map<String, @Size(max = 256) @Pattern(ApiPatterns.TAG_TEXT) String> iamTags;

  @Size(max = 50)
  @ValidationRule(value = TAG_KEYS, message = TAG_KEYS_MESSAGE)
  @JsonPropertyDescription(
      "Session tags passed to sts:AssumeRole or sts:GetFederationToken; keys and values as for"
          + " iamTags.")
  public Map<String, @Size(max = 256) @Pattern(ApiPatterns.TAG_TEXT) String> sessionTags;

  @Size(max = 50)
  @JsonPropertyDescription(
      "Session tag keys marked transitive (assumed_role): they stay on the sessions of roles"
          + " assumed from the issued one (role chaining). Each must be a key of sessionTags or"
          + " one of the operator's session-identity tags; others are left out.")
  public List<@Size(min = 1, max = 128) String> transitiveTagKeys;

  @Size(min = 2, max = 1224)
  @Pattern(ApiPatterns.EXTERNAL_ID)
  @JsonPropertyDescription("External ID passed to sts:AssumeRole (assumed_role).")
  public String externalId;

  @Pattern(ApiPatterns.IAM_PATH)
  @JsonPropertyDescription("Path of issued IAM users, e.g. /aao/ (iam_user). Default: /.")
  public String userPath;

  @Pattern(ApiPatterns.POLICY_ARN)
  @JsonPropertyDescription("Permissions boundary set on issued IAM users (iam_user).")
  public String permissionsBoundaryArn;

  @Pattern(ApiPatterns.DURATION)
  @JsonPropertyDescription(
      "Lease length when a request names no ttl, e.g. 1h. Default: 1h for STS types; iam_user"
          + " leases default to 768h (Vault's default) unless set.")
  public String defaultTtl;

  @Pattern(ApiPatterns.DURATION)
  @JsonPropertyDescription(
      "Longest lease a request may get; longer requests are shortened to it (visible in the"
          + " request's status).")
  public String maxTtl;

  @Default(Groups.DEFAULT_AUTH_CONFIG)
  @Pattern(ApiPatterns.K8S_NAME)
  @JsonPropertyDescription("The AwsAuthConfig whose identity issues the credentials.")
  public String authConfigRef = Groups.DEFAULT_AUTH_CONFIG;

  @Default("kubernetes")
  @JsonPropertyDescription(
      "How a request's identity is verified: kubernetes (namespace and service account), iam"
          + " (a signed sts:GetCallerIdentity proof of the workload's AWS principal) or ec2 (the"
          + " node its pod runs on is a matching EC2 instance).")
  public AuthType authType = AuthType.KUBERNETES;

  @JsonPropertyDescription(
      "Who may use this role. An empty or missing list imposes nothing; every list that is set"
          + " must match.")
  public RoleBindings bindings;
}
