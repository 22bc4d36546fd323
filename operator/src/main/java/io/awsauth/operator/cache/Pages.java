package io.awsauth.operator.cache;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A list read from the API server a page at a time ({@code limit} and {@code continue}), for the
 * reads that must see every object of the cluster rather than a shard's cache. One unpaged list of
 * 10,000 requests is a response of tens of MiB held twice, as bytes and as objects, beside the
 * informers' caches: that killed a 256 MiB heap (benchmark of 2026-12-06, the orphan sweep 30 s
 * after a restart). A page is {@link #PAGE_SIZE} objects.
 */
public final class Pages {
  public static final long PAGE_SIZE = 500;

  private Pages() {}

  /** Each item of every page {@code page} returns, following the continue token to the end. */
  public static <T extends HasMetadata> void forEach(
      Function<ListOptions, ? extends KubernetesResourceList<T>> page, Consumer<? super T> each) {
    String token = null;
    do {
      KubernetesResourceList<T> list =
          page.apply(new ListOptionsBuilder().withLimit(PAGE_SIZE).withContinue(token).build());
      list.getItems().forEach(each);
      token = list.getMetadata() == null ? null : list.getMetadata().getContinue();
    } while (token != null && !token.isEmpty());
  }

  /** Every AwsCredentialRequest of the cluster, every namespace and every shard. */
  public static void allRequests(
      KubernetesClient client, Consumer<? super AwsCredentialRequest> each) {
    forEach(o -> client.resources(AwsCredentialRequest.class).inAnyNamespace().list(o), each);
  }
}
