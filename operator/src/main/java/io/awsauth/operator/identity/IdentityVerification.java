package io.awsauth.operator.identity;

import io.awsauth.operator.api.v1alpha1.AuthType;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec.Identity;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.List;
import java.util.Objects;

/**
 * Verifies who is asking, before anything is issued: the request's namespace and service account
 * against the role's bindings (every authType), the service account (and pod, when named) read from
 * the API server, then the role's authType-specific proof.
 */
@ApplicationScoped
public class IdentityVerification {
  private final KubernetesClient client;
  private final Instance<IdentityVerifier> verifiers;

  public IdentityVerification(KubernetesClient client, Instance<IdentityVerifier> verifiers) {
    this.client = client;
    this.verifiers = verifiers;
  }

  /**
   * With {@code beforeIssuing} false (a lease is held and not yet due) only the bindings are
   * checked, and that a bound pod still exists: no other API-server read and no AWS call. The
   * identity was proven when the lease was issued, and is proven again before the next one.
   *
   * <p>{@code serviceAccountExists}: whether the request's service account is in the watched copy
   * (the request's reconciler watches service accounts, so one created later reconciles the
   * requests that name it).
   */
  public IdentityVerdict verify(
      AwsCredentialRequest request,
      VaultAwsRole role,
      boolean beforeIssuing,
      boolean serviceAccountExists) {
    String namespace = request.getMetadata().getNamespace();
    Identity identity =
        request.getSpec().identity == null ? new Identity() : request.getSpec().identity;
    String serviceAccount = identity.serviceAccountNameOrDefault();
    if (BindingMatcher.kubernetes(role.getSpec().bindings, namespace, serviceAccount)
        instanceof BindingDecision.Denied denied) {
      return IdentityVerdict.deny(
          "bindings.namespaces".equals(denied.binding())
              ? AwsCredentialRequestReason.NamespaceNotBound
              : AwsCredentialRequestReason.ServiceAccountNotBound,
          denied.binding() + " of role " + role.getMetadata().getName() + ": " + denied.message());
    }
    if (!beforeIssuing && identity.podName != null) {
      // A lease bound to a pod ends with the pod: the one read a held lease costs.
      Pod pod = client.pods().inNamespace(namespace).withName(identity.podName).get();
      if (pod == null || pod.getMetadata().getDeletionTimestamp() != null) {
        return IdentityVerdict.deny(
            AwsCredentialRequestReason.PodNotFound,
            "pod "
                + namespace
                + "/"
                + identity.podName
                + " the lease is bound to (identity.podName) is gone");
      }
    }
    if (!beforeIssuing) {
      return IdentityVerdict.allow(
          AwsCredentialRequestReason.ServiceAccountBound,
          "service account "
              + namespace
              + "/"
              + serviceAccount
              + " is bound to role "
              + role.getMetadata().getName());
    }
    if (!serviceAccountExists) {
      return IdentityVerdict.deny(
          AwsCredentialRequestReason.ServiceAccountNotFound,
          "service account " + namespace + "/" + serviceAccount + " does not exist");
    }
    if (identity.podName != null) {
      Pod pod = client.pods().inNamespace(namespace).withName(identity.podName).get();
      if (pod == null) {
        return IdentityVerdict.deny(
            AwsCredentialRequestReason.PodNotFound,
            "pod " + namespace + "/" + identity.podName + " does not exist");
      }
      String podServiceAccount =
          Objects.requireNonNullElse(pod.getSpec().getServiceAccountName(), "default");
      if (!podServiceAccount.equals(serviceAccount)) {
        return IdentityVerdict.deny(
            AwsCredentialRequestReason.PodServiceAccountMismatch,
            "pod "
                + identity.podName
                + " runs as service account "
                + podServiceAccount
                + ", not "
                + serviceAccount);
      }
    }
    AuthType type = role.getSpec().authType == null ? AuthType.KUBERNETES : role.getSpec().authType;
    if (type == AuthType.KUBERNETES) {
      return IdentityVerdict.allow(
          AwsCredentialRequestReason.ServiceAccountBound,
          "service account "
              + namespace
              + "/"
              + serviceAccount
              + " is bound to role "
              + role.getMetadata().getName());
    }
    List<IdentityVerifier> matching = verifiers.stream().filter(v -> v.authType() == type).toList();
    if (matching.isEmpty()) {
      return IdentityVerdict.deny(
          AwsCredentialRequestReason.AuthTypeUnavailable,
          "this operator build cannot verify authType " + type.wireName() + " yet");
    }
    return matching.get(0).verify(request, role);
  }
}
