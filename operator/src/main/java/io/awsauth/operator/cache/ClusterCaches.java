package io.awsauth.operator.cache;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.StsRoleBinding;
import io.fabric8.kubernetes.api.model.ServiceAccount;
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
  private volatile SharedIndexInformer<ServiceAccount> serviceAccounts;

  public ClusterCaches(KubernetesClient client) {
    this.client = client;
  }

  public Optional<AwsAuthConfig> config(String name) {
    return Optional.ofNullable(configs().getStore().getByKey(name));
  }

  public List<StsRoleBinding> bindings() {
    return bindingInformer().getStore().list();
  }

  /**
   * Whether a service account exists: the watched copy, confirmed by the API server on a miss (one
   * created a moment ago may not have reached the cache yet). The API server is asked only for
   * requests that name a missing service account, not on every issuance.
   */
  public boolean serviceAccountExists(String namespace, String name) {
    return serviceAccountInformer().getStore().getByKey(namespace + "/" + name) != null
        || client.serviceAccounts().inNamespace(namespace).withName(name).get() != null;
  }

  private SharedIndexInformer<ServiceAccount> serviceAccountInformer() {
    if (serviceAccounts == null) {
      synchronized (this) {
        if (serviceAccounts == null) {
          serviceAccounts =
              client
                  .serviceAccounts()
                  .inAnyNamespace()
                  .runnableInformer(0)
                  .itemStore(new LeanItemStore<>());
          serviceAccounts.run();
        }
      }
    }
    return serviceAccounts;
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
    if (serviceAccounts != null) {
      serviceAccounts.close();
    }
  }
}
