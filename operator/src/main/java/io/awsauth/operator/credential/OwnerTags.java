package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tags on every IAM user the operator creates: which cluster, namespace, request and role it
 * belongs to. The orphan sweep finds leftovers by them; people find the request behind a user.
 */
public final class OwnerTags {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String CLUSTER = "awsauth.io/cluster";
  public static final String NAMESPACE = "awsauth.io/namespace";
  public static final String NAME = "awsauth.io/name";
  public static final String UID = "awsauth.io/uid";
  public static final String ROLE = "awsauth.io/role";

  private OwnerTags() {}

  /** The role's own iamTags, then the operator's tags, which a role cannot override. */
  public static Map<String, String> of(
      AwsCredentialRequest request, String clusterId, Map<String, String> roleTags) {
    Map<String, String> tags = new TreeMap<>(roleTags == null ? Map.of() : roleTags);
    tags.put(MANAGED_BY, CredentialSecret.MANAGED_BY);
    tags.put(CLUSTER, clusterId);
    tags.put(NAMESPACE, request.getMetadata().getNamespace());
    tags.put(NAME, truncate(request.getMetadata().getName()));
    tags.put(UID, request.getMetadata().getUid());
    tags.put(ROLE, truncate(request.getSpec().roleRef));
    return tags;
  }

  /** IAM tag values are at most 256 characters. */
  private static String truncate(String value) {
    return value.length() <= 256 ? value : value.substring(0, 256);
  }
}
