package io.awsauth.operator.aws;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The IAM calls the operator makes. Implementations throw {@link AwsFailure}. */
public interface IamGateway {
  /** The role's trust policy (decoded JSON) and tags, or empty when the role does not exist. */
  Optional<Role> getRole(String roleName);

  void deleteRole(String roleName);

  /** What the operator needs to know of a role. */
  record Role(String arn, String trustPolicy, Map<String, String> tags) {}

  void createRole(String roleName, String path, String trustPolicy, Map<String, String> tags);

  void updateAssumeRolePolicy(String roleName, String trustPolicy);

  void putRolePolicy(String roleName, String policyName, String policy);

  void deleteRolePolicy(String roleName, String policyName);

  void putUserPolicy(String userName, String policyName, String policy);

  void deleteUserPolicy(String userName, String policyName);

  List<AccessKey> listAccessKeys(String userName);

  AccessKey createAccessKey(String userName);

  void deleteAccessKey(String userName, String accessKeyId);
}
