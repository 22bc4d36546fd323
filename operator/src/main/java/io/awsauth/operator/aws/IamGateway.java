package io.awsauth.operator.aws;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The IAM calls the operator makes. Implementations throw {@link AwsFailure}. */
public interface IamGateway {
  /** The role's trust policy (decoded JSON) and tags, or empty when the role does not exist. */
  Optional<Role> getRole(String roleName);

  void deleteRole(String roleName);

  /**
   * iam:GetInstanceProfile: the instance profile's ID and the ARNs of its roles, or empty when it
   * does not exist.
   */
  Optional<InstanceProfile> getInstanceProfile(String instanceProfileName);

  /** An instance profile: its unique ID and the ARNs of the roles it holds. */
  record InstanceProfile(String arn, String instanceProfileId, List<String> roleArns) {}

  /**
   * What the operator needs to know of a role; {@code roleId} is its unique ID ({@code AROA...}),
   * which a role deleted and created again under the same name does not keep.
   */
  record Role(String arn, String roleId, String trustPolicy, Map<String, String> tags) {}

  /** An IAM user; {@code tags} is empty when the call that listed it does not return tags. */
  record User(
      String userName, String arn, String userId, Instant created, Map<String, String> tags) {}

  void createRole(String roleName, String path, String trustPolicy, Map<String, String> tags);

  void updateAssumeRolePolicy(String roleName, String trustPolicy);

  void putRolePolicy(String roleName, String policyName, String policy);

  void deleteRolePolicy(String roleName, String policyName);

  /**
   * The role's inline policy of that name (the decoded JSON document), or empty when the role has
   * none of that name. A role that does not exist is {@code NoSuchEntity}.
   */
  Optional<String> getRolePolicy(String roleName, String policyName);

  /** The user's inline policy of that name (decoded JSON), or empty when it has none. */
  Optional<String> getUserPolicy(String userName, String policyName);

  /** The user with its tags, or empty when it does not exist. */
  Optional<User> getUser(String userName);

  /**
   * Creates a user with tags and an optional permissions boundary. Throws an {@link AwsFailure}
   * with code {@code EntityAlreadyExists} when the name is taken.
   */
  User createUser(
      String userName,
      String path,
      Optional<String> permissionsBoundaryArn,
      Map<String, String> tags);

  /** Deletes the user; a user that is already gone is not an error. */
  void deleteUser(String userName);

  /** Every user of the account, without tags (IAM's ListUsers does not return them). */
  List<User> listUsers();

  Map<String, String> listUserTags(String userName);

  void putUserPolicy(String userName, String policyName, String policy);

  void deleteUserPolicy(String userName, String policyName);

  List<String> listUserPolicies(String userName);

  void attachUserPolicy(String userName, String policyArn);

  void detachUserPolicy(String userName, String policyArn);

  List<String> listAttachedUserPolicies(String userName);

  void addUserToGroup(String userName, String groupName);

  void removeUserFromGroup(String userName, String groupName);

  List<String> listGroupsForUser(String userName);

  List<AccessKey> listAccessKeys(String userName);

  AccessKey createAccessKey(String userName);

  void deleteAccessKey(String userName, String accessKeyId);
}
