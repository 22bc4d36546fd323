package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.cache.LeanItemStore;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the request controller watches besides the requests: their own Secrets (label-selected: the
 * operator never caches other Secrets), the roles requests name, so that a role change or deletion
 * reaches its requests, and the service accounts, so that a request waiting for its service account
 * is reconciled when it is created.
 */
final class RequestEventSources {
  static final String ROLE_INDEX = "role-ref";
  static final String SERVICE_ACCOUNT_INDEX = "service-account";

  private RequestEventSources() {}

  static List<EventSource<?, AwsCredentialRequest>> of(
      EventSourceContext<AwsCredentialRequest> context) {
    context
        .getPrimaryCache()
        .addIndexer(
            ROLE_INDEX,
            r ->
                r.getSpec() == null || r.getSpec().roleRef == null
                    ? List.of()
                    : List.of(r.getSpec().roleRef));
    context.getPrimaryCache().addIndexer(SERVICE_ACCOUNT_INDEX, r -> List.of(serviceAccountKey(r)));
    var secrets =
        InformerEventSourceConfiguration.from(Secret.class, AwsCredentialRequest.class)
            .withName("credential-secrets")
            .withLabelSelector(
                CredentialSecret.MANAGED_BY_LABEL + "=" + CredentialSecret.MANAGED_BY)
            .withNamespacesInheritedFromController()
            .withItemStore(new CredentialSecretStore())
            .withSecondaryToPrimaryMapper(
                Mappers.fromOwnerReferences(AwsCredentialRequest.class, false))
            .build();
    var roles =
        InformerEventSourceConfiguration.from(VaultAwsRole.class, AwsCredentialRequest.class)
            .withName("roles")
            .withWatchAllNamespaces()
            .withPrimaryToSecondaryMapper(
                (AwsCredentialRequest r) -> Set.of(new ResourceID(r.getSpec().roleRef)))
            .withSecondaryToPrimaryMapper(
                (VaultAwsRole role) ->
                    context
                        .getPrimaryCache()
                        .byIndex(ROLE_INDEX, role.getMetadata().getName())
                        .stream()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .build();
    var serviceAccounts =
        InformerEventSourceConfiguration.from(ServiceAccount.class, AwsCredentialRequest.class)
            .withName("service-accounts")
            .withNamespacesInheritedFromController()
            .withItemStore(new LeanItemStore<>())
            // Only whether it exists is read: its changes (tokens, annotations) reconcile nothing.
            .withOnUpdateFilter((changed, old) -> false)
            .withPrimaryToSecondaryMapper(
                (AwsCredentialRequest r) ->
                    Set.of(new ResourceID(serviceAccountName(r), r.getMetadata().getNamespace())))
            .withSecondaryToPrimaryMapper(
                (ServiceAccount sa) ->
                    context
                        .getPrimaryCache()
                        .byIndex(
                            SERVICE_ACCOUNT_INDEX,
                            sa.getMetadata().getNamespace() + "/" + sa.getMetadata().getName())
                        .stream()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .build();
    return List.of(
        new InformerEventSource<>(secrets, context),
        new InformerEventSource<>(roles, context),
        new InformerEventSource<>(serviceAccounts, context));
  }

  private static String serviceAccountName(AwsCredentialRequest request) {
    AwsCredentialRequestSpec.Identity identity =
        request.getSpec() == null ? null : request.getSpec().identity;
    return identity == null
        ? new AwsCredentialRequestSpec.Identity().serviceAccountNameOrDefault()
        : identity.serviceAccountNameOrDefault();
  }

  private static String serviceAccountKey(AwsCredentialRequest request) {
    return request.getMetadata().getNamespace() + "/" + serviceAccountName(request);
  }
}
