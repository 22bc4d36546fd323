package io.awsauth.operator.credential;

import io.awsauth.operator.runtime.OperatorConfig;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Identifies this cluster in the tags of the IAM users it creates, so that the orphan sweep of one
 * cluster never deletes the users of another cluster sharing the AWS account. Default: the UID of
 * the kube-system namespace, which is unique per cluster and stable for its life.
 */
@ApplicationScoped
public class ClusterIdentity {
  private final KubernetesClient client;
  private final Optional<String> configured;
  private volatile String id;

  public ClusterIdentity(KubernetesClient client, OperatorConfig config) {
    this.client = client;
    this.configured = config.clusterId();
  }

  public String id() {
    String known = id;
    if (known == null) {
      known =
          configured.orElseGet(
              () -> {
                Namespace system = client.namespaces().withName("kube-system").get();
                if (system == null) {
                  throw new IllegalStateException(
                      "namespace kube-system not found: set aao.cluster-id to name this cluster");
                }
                return system.getMetadata().getUid();
              });
      id = known;
    }
    return known;
  }
}
