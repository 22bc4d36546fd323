package io.awsauth.operator.testenv;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.awaitility.Awaitility;

/** What the reliability suites ask the API server about the objects of the operator under test. */
public final class SuiteRequests {
  /** The label of the objects that only the operator process under test reconciles. */
  public static final String UNDER_TEST = "awsauth.io/operator-under-test";

  private SuiteRequests() {}

  /** The requests in {@code namespace} that the operator under test reconciles (one list call). */
  public static List<AwsCredentialRequest> underTest(KubernetesClient client, String namespace) {
    return client
        .resources(AwsCredentialRequest.class)
        .inNamespace(namespace)
        .withLabel(UNDER_TEST)
        .list()
        .getItems();
  }

  /** Waits until every one of the named roles is Ready. */
  public static void awaitRolesReady(
      KubernetesClient client, Collection<String> roleNames, Duration atMost, Duration every) {
    Awaitility.await()
        .atMost(atMost)
        .pollInterval(every)
        .until(
            () ->
                roleNames.stream()
                    .allMatch(
                        n -> {
                          VaultAwsRole r = client.resources(VaultAwsRole.class).withName(n).get();
                          return r != null
                              && r.getStatus() != null
                              && r.getStatus().isTrue("Ready");
                        }));
  }
}
