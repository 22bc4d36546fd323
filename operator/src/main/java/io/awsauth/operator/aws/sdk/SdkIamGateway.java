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
import java.util.stream.Collectors;
import software.amazon.awssdk.services.iam.IamClient;
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
              decode(role.assumeRolePolicyDocument()),
              role.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b))));
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
                        .tags(
                            tags.entrySet().stream()
                                .map(t -> Tag.builder().key(t.getKey()).value(t.getValue()).build())
                                .toList())));
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
