package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.runtime.OperatorConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who holds an assumed_role session, as the session itself says it (CloudTrail shows both): a
 * {@code SourceIdentity} of the form {@code <serviceaccount>@<namespace>} and session tags naming
 * the cluster, namespace, service account, request (name and UID) and the pod a lease is bound to.
 * The tags are in order of importance: when AWS's packed-size limit leaves no room for all, the
 * last are left out first. Pure: the issuer decides with it, and says what was left out.
 */
record SessionIdentity(Optional<String> sourceIdentity, Map<String, String> tags) {
  /** AWS's limits (STS API Reference, AssumeRole: SourceIdentity, Tags). */
  static final int MAX_SOURCE_IDENTITY = 64;

  static final int MAX_TAGS = 50;
  static final int MAX_TAG_VALUE = 256;

  SessionIdentity {
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /** A session that says nothing about its holder (session identity off, or refused). */
  static SessionIdentity none() {
    return new SessionIdentity(Optional.empty(), new LinkedHashMap<>());
  }

  /** The identity of {@code request}'s sessions in cluster {@code clusterId}. */
  static SessionIdentity of(
      AwsCredentialRequest request, String clusterId, OperatorConfig.SessionIdentity keys) {
    String namespace = request.getMetadata().getNamespace();
    String serviceAccount =
        request.getSpec().identity == null
            ? "default"
            : request.getSpec().identity.serviceAccountNameOrDefault();
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(keys.namespaceTag(), tagValue(namespace));
    tags.put(keys.serviceAccountTag(), tagValue(serviceAccount));
    tags.put(keys.clusterTag(), tagValue(clusterId));
    tags.put(keys.requestTag(), tagValue(request.getMetadata().getName()));
    tags.put(keys.requestUidTag(), tagValue(request.getMetadata().getUid()));
    if (request.getSpec().identity != null && request.getSpec().identity.podName != null) {
      tags.put(keys.podTag(), tagValue(request.getSpec().identity.podName));
    }
    return new SessionIdentity(Optional.of(sourceIdentity(serviceAccount, namespace)), tags);
  }

  /**
   * {@code <serviceaccount>@<namespace>} in the characters AWS accepts ([\w+=,.@-]); longer than 64
   * characters, cut and ended with a hash of the whole, so that two long names stay apart.
   */
  static String sourceIdentity(String serviceAccount, String namespace) {
    String whole = (serviceAccount + "@" + namespace).replaceAll("[^A-Za-z0-9_+=,.@-]", "-");
    return LeaseTerms.fitted(whole, MAX_SOURCE_IDENTITY, whole);
  }

  /**
   * The session's tags: these first, then the role's own sessionTags; a role tag whose key is one
   * of these (AWS compares tag keys without case) is left out, so a role cannot say a session
   * belongs to another namespace. At most 50 in all: this identity's last tags give way first.
   */
  Map<String, String> mergedWith(Map<String, String> roleTags) {
    Set<String> mine =
        tags.keySet().stream().map(k -> k.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    Map<String, String> role = new LinkedHashMap<>();
    roleTags.forEach(
        (k, v) -> {
          if (!mine.contains(k.toLowerCase(Locale.ROOT))) {
            role.put(k, v);
          }
        });
    Map<String, String> merged = new LinkedHashMap<>();
    int room = Math.max(0, MAX_TAGS - role.size());
    tags.entrySet().stream().limit(room).forEach(e -> merged.put(e.getKey(), e.getValue()));
    merged.putAll(role);
    return merged;
  }

  /** The keys of this identity that {@link #mergedWith} leaves no room for. */
  List<String> crowdedOutBy(Map<String, String> roleTags) {
    return missingFrom(mergedWith(roleTags));
  }

  /** The keys of this identity that a session's {@code tags} do not carry, in this order. */
  List<String> missingFrom(Map<String, String> sessionTags) {
    return tags.keySet().stream().filter(k -> !sessionTags.containsKey(k)).toList();
  }

  /** Without its last tag: what the issuer tries when AWS finds the packed tags too large. */
  SessionIdentity withoutLastTag() {
    List<String> keys = new ArrayList<>(tags.keySet());
    Map<String, String> fewer = new LinkedHashMap<>(tags);
    if (!keys.isEmpty()) {
      fewer.remove(keys.get(keys.size() - 1));
    }
    return new SessionIdentity(sourceIdentity, fewer);
  }

  boolean isEmpty() {
    return sourceIdentity.isEmpty() && tags.isEmpty();
  }

  /**
   * The transitive keys requested that the session has (AWS refuses a transitive key that is not
   * one of the session's tags).
   */
  static List<String> transitive(List<String> requested, Map<String, String> sessionTags) {
    if (requested == null) {
      return List.of();
    }
    Set<String> keys =
        sessionTags.keySet().stream()
            .map(k -> k.toLowerCase(Locale.ROOT))
            .collect(Collectors.toSet());
    return requested.stream().filter(k -> keys.contains(k.toLowerCase(Locale.ROOT))).toList();
  }

  /** A tag value in the characters AWS accepts, at most 256 of them. */
  private static String tagValue(String value) {
    String clean = value == null ? "" : value.replaceAll("[^\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]", "-");
    return clean.length() <= MAX_TAG_VALUE ? clean : clean.substring(0, MAX_TAG_VALUE);
  }
}
