package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.Revocation;
import io.awsauth.operator.cache.Pages;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * After a role-wide cutoff (the deny policy was full): the other live leases it denies are
 * re-issued. Each one's Secret gets {@link CredentialSecret#DENIED_BEFORE_ANNOTATION}; the change
 * wakes its request (the Secret informer), and {@link LeasePlan} re-issues a lease issued before
 * it. The annotation survives a crash of the operator, so no covered lease is left denied. With
 * shards the cutoff denies the leases of every shard's requests on that role, so the requests are
 * listed from the API server, not from this shard's cache, and the owning shard re-issues.
 */
@ApplicationScoped
public class CutoffReissue {
  private static final Logger LOG = Logger.getLogger(CutoffReissue.class);

  private final KubernetesClient client;

  public CutoffReissue(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Marks the Secrets of the requests whose lease {@code r}'s cutoff denies (all but {@code
   * revoked}'s own, unless {@code ownLeaseCovered}: {@code r} was a previous credential of {@code
   * revoked}, whose current lease the cutoff denies too); returns how many.
   */
  int reissueCovered(
      AwsCredentialRequest revoked, Revocation r, Instant cutoffAt, boolean ownLeaseCovered) {
    // the covered ones first, a page at a time; then their Secrets (a long run of edits would
    // outlive a list's continue token)
    List<AwsCredentialRequest> covered = new ArrayList<>();
    Pages.allRequests(
        client,
        other -> {
          AwsCredentialRequestStatus s = other.getStatus();
          if ((ownLeaseCovered
                  || !other.getMetadata().getUid().equals(revoked.getMetadata().getUid()))
              && s != null
              && s.secretName != null
              && covered(r, s, cutoffAt)) {
            covered.add(other);
          }
        });
    int marked = 0;
    for (AwsCredentialRequest other : covered) {
      AwsCredentialRequestStatus s = other.getStatus();
      try {
        client
            .secrets()
            .inNamespace(other.getMetadata().getNamespace())
            .withName(s.secretName)
            .edit(
                (Secret secret) -> {
                  if (CredentialSecret.ownedBy(secret, other)) {
                    secret
                        .getMetadata()
                        .setAnnotations(
                            new java.util.HashMap<>(
                                secret.getMetadata().getAnnotations() == null
                                    ? Map.of()
                                    : secret.getMetadata().getAnnotations()));
                    secret
                        .getMetadata()
                        .getAnnotations()
                        .put(CredentialSecret.DENIED_BEFORE_ANNOTATION, cutoffAt.toString());
                  }
                  return secret;
                });
        marked++;
      } catch (KubernetesClientException e) {
        LOG.infof(
            "could not mark the Secret of %s/%s for re-issue after a cutoff: %s",
            other.getMetadata().getNamespace(), other.getMetadata().getName(), e.getMessage());
      }
    }
    return marked;
  }

  /** Whether the lease {@code s} records is one the cutoff of {@code r} denies. */
  static boolean covered(Revocation r, AwsCredentialRequestStatus s, Instant cutoffAt) {
    if (s.leaseId == null
        || s.principalArn == null
        || s.issuedAt == null
        || !r.credentialType.equals(s.credentialType)
        || !Instant.parse(s.issuedAt).isBefore(cutoffAt)) {
      return false;
    }
    SessionRevoker.Holder holder = SessionRevoker.Holder.of(r.policyHolder);
    SessionRevoker.SessionArn session;
    try {
      session = SessionRevoker.SessionArn.parse(s.principalArn);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (!session.account().equals(holder.account())) {
      return false;
    }
    return holder.role() ? holder.name().equals(session.role()) : session.federated();
  }
}
