package io.awsauth.operator.cache;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.StsRoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/**
 * Watched copies of the few cluster-scoped objects every request reconcile looks up (its
 * AwsAuthConfig, the StsRoleBinding of a remote account), so that thousands of requests cost no
 * API-server read each. Started on first use; a lookup that misses, or finds an object not yet
 * Ready, is confirmed by the caller against the API server.
 */
@ApplicationScoped
public class ClusterCaches {
  private final KubernetesClient client;
  private volatile SharedIndexInformer<AwsAuthConfig> configs;
  private volatile SharedIndexInformer<StsRoleBinding> bindings;

  public ClusterCaches(KubernetesClient client) {
    this.client = client;
  }

  public Optional<AwsAuthConfig> config(String name) {
    return Optional.ofNullable(configs().getStore().getByKey(name));
  }

  public List<StsRoleBinding> bindings() {
    return bindingInformer().getStore().list();
  }

  private SharedIndexInformer<AwsAuthConfig> configs() {
    if (configs == null) {
      synchronized (this) {
        if (configs == null) {
          configs = client.resources(AwsAuthConfig.class).inform();
        }
      }
    }
    return configs;
  }

  private SharedIndexInformer<StsRoleBinding> bindingInformer() {
    if (bindings == null) {
      synchronized (this) {
        if (bindings == null) {
          bindings = client.resources(StsRoleBinding.class).inform();
        }
      }
    }
    return bindings;
  }

  @PreDestroy
  void close() {
    if (configs != null) {
      configs.close();
    }
    if (bindings != null) {
      bindings.close();
    }
  }
}
