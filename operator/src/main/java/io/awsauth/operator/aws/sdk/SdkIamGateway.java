package io.awsauth.operator.aws.sdk;

import static io.awsauth.operator.aws.IamAction.*;

import io.awsauth.operator.aws.AccessKey;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.IamGateway;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AttachedPolicy;
import software.amazon.awssdk.services.iam.model.CreateUserRequest;
import software.amazon.awssdk.services.iam.model.Group;
import software.amazon.awssdk.services.iam.model.Tag;

final class SdkIamGateway implements IamGateway {
  private final IamClient iam;

  SdkIamGateway(IamClient iam) {
    this.iam = iam;
  }

  @Override
  public Optional<Role> getRole(String roleName) {
    try {
      var role = Calls.call(IAM_GET_ROLE, () -> iam.getRole(r -> r.roleName(roleName))).role();
      return Optional.of(
          new Role(
              role.arn(),
              role.roleId(),
              decode(role.assumeRolePolicyDocument()),
              tagMap(role.tags())));
    } catch (AwsFailure e) {
      if ("NoSuchEntity".equals(e.code())) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public Optional<InstanceProfile> getInstanceProfile(String instanceProfileName) {
    try {
      var profile =
          Calls.call(
                  IAM_GET_INSTANCE_PROFILE,
                  () -> iam.getInstanceProfile(r -> r.instanceProfileName(instanceProfileName)))
              .instanceProfile();
      return Optional.of(
          new InstanceProfile(
              profile.arn(),
              profile.instanceProfileId(),
              profile.roles().stream().map(r -> r.arn()).toList()));
    } catch (AwsFailure e) {
      if ("NoSuchEntity".equals(e.code())) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public void createRole(
      String roleName, String path, String trustPolicy, Map<String, String> tags) {
    Calls.run(
        IAM_CREATE_ROLE,
        () ->
            iam.createRole(
                r ->
                    r.roleName(roleName)
                        .path(path)
                        .assumeRolePolicyDocument(trustPolicy)
                        .tags(tags(tags))));
  }

  @Override
  public void deleteRole(String roleName) {
    ignoreMissing(
        () -> Calls.run(IAM_DELETE_ROLE, () -> iam.deleteRole(r -> r.roleName(roleName))));
  }

  @Override
  public void updateAssumeRolePolicy(String roleName, String trustPolicy) {
    Calls.run(
        IAM_UPDATE_ASSUME_ROLE_POLICY,
        () -> iam.updateAssumeRolePolicy(r -> r.roleName(roleName).policyDocument(trustPolicy)));
  }

  @Override
  public void putRolePolicy(String roleName, String policyName, String policy) {
    Calls.run(
        IAM_PUT_ROLE_POLICY,
        () ->
            iam.putRolePolicy(
                r -> r.roleName(roleName).policyName(policyName).policyDocument(policy)));
  }

  @Override
  public void deleteRolePolicy(String roleName, String policyName) {
    ignoreMissing(
        () ->
            Calls.run(
                IAM_DELETE_ROLE_POLICY,
                () -> iam.deleteRolePolicy(r -> r.roleName(roleName).policyName(policyName))));
  }

  @Override
  public Optional<String> getRolePolicy(String roleName, String policyName) {
    return inlinePolicy(
        policyName,
        () ->
            Calls.call(
                    IAM_GET_ROLE_POLICY,
                    () -> iam.getRolePolicy(r -> r.roleName(roleName).policyName(policyName)))
                .policyDocument());
  }

  @Override
  public Optional<String> getUserPolicy(String userName, String policyName) {
    return inlinePolicy(
        policyName,
        () ->
            Calls.call(
                    IAM_GET_USER_POLICY,
                    () -> iam.getUserPolicy(r -> r.userName(userName).policyName(policyName)))
                .policyDocument());
  }

  /** An inline policy's document, decoded; empty when IAM has no policy of that name. */
  private static Optional<String> inlinePolicy(
      String policyName, java.util.function.Supplier<String> encodedDocument) {
    try {
      return Optional.of(decode(encodedDocument.get()));
    } catch (AwsFailure e) {
      if ("NoSuchEntity".equals(e.code()) && e.getMessage().contains(policyName)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public void putUserPolicy(String userName, String policyName, String policy) {
    Calls.run(
        IAM_PUT_USER_POLICY,
        () ->
            iam.putUserPolicy(
                r -> r.userName(userName).policyName(policyName).policyDocument(policy)));
  }

  @Override
  public void deleteUserPolicy(String userName, String policyName) {
    ignoreMissing(
        () ->
            Calls.run(
                IAM_DELETE_USER_POLICY,
                () -> iam.deleteUserPolicy(r -> r.userName(userName).policyName(policyName))));
  }

  @Override
  public Optional<User> getUser(String userName) {
    try {
      var u = Calls.call(IAM_GET_USER, () -> iam.getUser(r -> r.userName(userName))).user();
      return Optional.of(
          new User(u.userName(), u.arn(), u.userId(), u.createDate(), tagMap(u.tags())));
    } catch (AwsFailure e) {
      if ("NoSuchEntity".equals(e.code())) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public User createUser(
      String userName,
      String path,
      Optional<String> permissionsBoundaryArn,
      Map<String, String> tags) {
    CreateUserRequest.Builder request =
        CreateUserRequest.builder().userName(userName).path(path).tags(tags(tags));
    permissionsBoundaryArn.ifPresent(request::permissionsBoundary);
    var u = Calls.call(IAM_CREATE_USER, () -> iam.createUser(request.build())).user();
    return new User(u.userName(), u.arn(), u.userId(), u.createDate(), tags);
  }

  @Override
  public void deleteUser(String userName) {
    ignoreMissing(
        () -> Calls.run(IAM_DELETE_USER, () -> iam.deleteUser(r -> r.userName(userName))));
  }

  @Override
  public List<User> listUsers() {
    return Calls.call(
        IAM_LIST_USERS,
        () ->
            iam.listUsersPaginator(r -> r.maxItems(1000)).users().stream()
                .map(u -> new User(u.userName(), u.arn(), u.userId(), u.createDate(), Map.of()))
                .toList());
  }

  @Override
  public Map<String, String> listUserTags(String userName) {
    return Calls.call(
        IAM_LIST_USER_TAGS,
        () ->
            tagMap(iam.listUserTagsPaginator(r -> r.userName(userName)).tags().stream().toList()));
  }

  @Override
  public List<String> listUserPolicies(String userName) {
    return Calls.call(
        IAM_LIST_USER_POLICIES,
        () ->
            iam.listUserPoliciesPaginator(r -> r.userName(userName)).policyNames().stream()
                .toList());
  }

  @Override
  public void attachUserPolicy(String userName, String policyArn) {
    Calls.run(
        IAM_ATTACH_USER_POLICY,
        () -> iam.attachUserPolicy(r -> r.userName(userName).policyArn(policyArn)));
  }

  @Override
  public void detachUserPolicy(String userName, String policyArn) {
    ignoreMissing(
        () ->
            Calls.run(
                IAM_DETACH_USER_POLICY,
                () -> iam.detachUserPolicy(r -> r.userName(userName).policyArn(policyArn))));
  }

  @Override
  public List<String> listAttachedUserPolicies(String userName) {
    return Calls.call(
        IAM_LIST_ATTACHED_USER_POLICIES,
        () ->
            iam
                .listAttachedUserPoliciesPaginator(r -> r.userName(userName))
                .attachedPolicies()
                .stream()
                .map(AttachedPolicy::policyArn)
                .toList());
  }

  @Override
  public void addUserToGroup(String userName, String groupName) {
    Calls.run(
        IAM_ADD_USER_TO_GROUP,
        () -> iam.addUserToGroup(r -> r.userName(userName).groupName(groupName)));
  }

  @Override
  public void removeUserFromGroup(String userName, String groupName) {
    ignoreMissing(
        () ->
            Calls.run(
                IAM_REMOVE_USER_FROM_GROUP,
                () -> iam.removeUserFromGroup(r -> r.userName(userName).groupName(groupName))));
  }

  @Override
  public List<String> listGroupsForUser(String userName) {
    return Calls.call(
        IAM_LIST_GROUPS_FOR_USER,
        () ->
            iam.listGroupsForUserPaginator(r -> r.userName(userName)).groups().stream()
                .map(Group::groupName)
                .toList());
  }

  @Override
  public List<AccessKey> listAccessKeys(String userName) {
    return Calls.call(IAM_LIST_ACCESS_KEYS, () -> iam.listAccessKeys(r -> r.userName(userName)))
        .accessKeyMetadata()
        .stream()
        .map(
            k ->
                new AccessKey(
                    k.userName(), k.accessKeyId(), null, k.statusAsString(), k.createDate()))
        .toList();
  }

  @Override
  public AccessKey createAccessKey(String userName) {
    var k =
        Calls.call(IAM_CREATE_ACCESS_KEY, () -> iam.createAccessKey(r -> r.userName(userName)))
            .accessKey();
    return new AccessKey(
        k.userName(), k.accessKeyId(), k.secretAccessKey(), k.statusAsString(), k.createDate());
  }

  @Override
  public void deleteAccessKey(String userName, String accessKeyId) {
    ignoreMissing(
        () ->
            Calls.run(
                IAM_DELETE_ACCESS_KEY,
                () -> iam.deleteAccessKey(r -> r.userName(userName).accessKeyId(accessKeyId))));
  }

  private static List<Tag> tags(Map<String, String> tags) {
    return tags.entrySet().stream()
        .map(t -> Tag.builder().key(t.getKey()).value(t.getValue()).build())
        .toList();
  }

  private static Map<String, String> tagMap(List<Tag> tags) {
    return tags.stream().collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b, TreeMap::new));
  }

  /** Deleting what is already gone succeeds: every step must be idempotent. */
  private static void ignoreMissing(Runnable r) {
    try {
      r.run();
    } catch (AwsFailure e) {
      if (!"NoSuchEntity".equals(e.code())) {
        throw e;
      }
    }
  }

  /** IAM returns policy documents URL-encoded. */
  static String decode(String doc) {
    return doc != null && doc.startsWith("%")
        ? URLDecoder.decode(doc, StandardCharsets.UTF_8)
        : doc;
  }
}
