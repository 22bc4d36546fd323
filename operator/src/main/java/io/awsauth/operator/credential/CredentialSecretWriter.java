package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.status.UserError;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Reads and writes a request's Secret. The operator caches only the Secrets it owns
 * (label-selected); it never reads, and never writes into, a Secret it does not own.
 */
@ApplicationScoped
public class CredentialSecretWriter {
  private static final Logger LOG = Logger.getLogger(CredentialSecretWriter.class);

  private final KubernetesClient client;

  public CredentialSecretWriter(KubernetesClient client) {
    this.client = client;
  }

  static String secretName(AwsCredentialRequest request) {
    return request.getSpec().secretName != null
        ? request.getSpec().secretName
        : request.getMetadata().getName();
  }

  /** The request's Secret, when the operator's cache has it. */
  Optional<Secret> current(AwsCredentialRequest request, Context<AwsCredentialRequest> context) {
    String name = secretName(request);
    return context
        .getSecondaryResourcesAsStream(Secret.class)
        .filter(s -> name.equals(s.getMetadata().getName()))
        .findFirst();
  }

  /**
   * Creates the Secret, or replaces the one the operator owns, and returns it as written. Creating
   * never overwrites: a Secret of that name that the operator does not own (and has not cached)
   * makes the create fail, and the operator never reads it.
   */
  @SuppressWarnings("unchecked")
  Secret write(
      AwsCredentialRequest request,
      Context<AwsCredentialRequest> context,
      Optional<Secret> current,
      Secret desired) {
    var secrets =
        (InformerEventSource<Secret, AwsCredentialRequest>)
            context.eventSourceRetriever().getEventSourceFor(Secret.class);
    ResourceID primary = ResourceID.fromResource(request);
    if (current.isPresent()) {
      desired.getMetadata().setResourceVersion(current.get().getMetadata().getResourceVersion());
      Secret updated = client.secrets().resource(desired).update();
      secrets.handleRecentResourceUpdate(primary, updated, current.get());
      return updated;
    }
    try {
      Secret created = client.secrets().resource(desired).create();
      secrets.handleRecentResourceCreate(primary, created);
      return created;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw notOwned(request, desired.getMetadata().getName());
      }
      throw e;
    }
  }

  /**
   * A Secret the request used before and no longer names (secretName is fixed at admission, so only
   * an object admitted before that rule gets here): if the request still owns it and it holds a
   * lease, its keys are removed, as at revocation, before anything goes to the new name.
   */
  void emptyAbandoned(AwsCredentialRequest request, String previous, Instant now) {
    Secret old =
        client.secrets().inNamespace(request.getMetadata().getNamespace()).withName(previous).get();
    if (old != null
        && CredentialSecret.ownedBy(old, request)
        && CredentialSecret.leaseId(old).isPresent()) {
      Secret emptied = CredentialSecret.revoked(request, previous, now);
      emptied.getMetadata().setResourceVersion(old.getMetadata().getResourceVersion());
      client.secrets().resource(emptied).update();
      LOG.infof(
          "AwsCredentialRequest %s: emptied Secret %s, which it no longer names",
          AwsCredentialRequestReconciler.key(request), previous);
    }
  }

  /**
   * Before anything is issued: {@code current} must be the request's own, and a Secret of that name
   * that the operator does not own (and has not cached) exists when a dry-run create of it
   * conflicts. That Secret is neither read nor written.
   */
  void assertUsable(AwsCredentialRequest request, Optional<Secret> current) {
    String secretName = secretName(request);
    if (current.isPresent()) {
      if (!CredentialSecret.ownedBy(current.get(), request)) {
        throw notOwned(request, secretName);
      }
      return;
    }
    Secret probe =
        new SecretBuilder()
            .withNewMetadata()
            .withName(secretName)
            .withNamespace(request.getMetadata().getNamespace())
            .endMetadata()
            .withType("Opaque")
            .build();
    try {
      client.secrets().resource(probe).dryRun().create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw notOwned(request, secretName);
      }
      throw e;
    }
  }

  private static UserError notOwned(AwsCredentialRequest request, String secretName) {
    return new UserError(
        AwsCredentialRequestReason.SecretNotOwned,
        "Secret "
            + request.getMetadata().getNamespace()
            + "/"
            + secretName
            + " exists and is not owned by this request; the operator never writes into a Secret"
            + " it does not own: delete it or choose another spec.secretName");
  }
}
