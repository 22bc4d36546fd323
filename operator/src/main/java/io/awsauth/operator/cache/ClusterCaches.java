package io.awsauth.operator.cache;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.StsRoleBinding;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One watch, and one copy, of the few cluster-scoped objects the other controllers read (the
 * AwsAuthConfigs, the StsRoleBindings, and the VaultAwsRoles the bindings read), so that thousands
 * of requests cost no API-server read each and no controller keeps a watch of its own: a controller
 * that must react to them takes an event source fed by this watch ({@link #configEvents}, {@link
 * #bindingEvents}). Started on first use; a lookup that misses, or finds an object not yet Ready,
 * is confirmed by the caller against the API server.
 */
@ApplicationScoped
public class ClusterCaches {
  private final KubernetesClient client;
  private volatile SharedIndexInformer<AwsAuthConfig> configs;
  private volatile SharedIndexInformer<StsRoleBinding> bindings;
  private volatile SharedIndexInformer<VaultAwsRole> roles;

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
   * An event source for a controller whose primaries read AwsAuthConfigs: a change of one triggers
   * the primaries {@code toPrimaries} names.
   */
  public <P extends HasMetadata> EventSource<AwsAuthConfig, P> configEvents(
      String name, Function<AwsAuthConfig, Set<ResourceID>> toPrimaries) {
    return new SharedCacheEventSource<>(name, AwsAuthConfig.class, this::configs, toPrimaries);
  }

  /** The same for StsRoleBindings. */
  public <P extends HasMetadata> EventSource<StsRoleBinding, P> bindingEvents(
      String name, Function<StsRoleBinding, Set<ResourceID>> toPrimaries) {
    return new SharedCacheEventSource<>(
        name, StsRoleBinding.class, this::bindingInformer, toPrimaries);
  }

  public List<VaultAwsRole> roles() {
    return roleInformer().getStore().list();
  }

  /** The same for VaultAwsRoles. */
  public <P extends HasMetadata> EventSource<VaultAwsRole, P> roleEvents(
      String name, Function<VaultAwsRole, Set<ResourceID>> toPrimaries) {
    return new SharedCacheEventSource<>(name, VaultAwsRole.class, this::roleInformer, toPrimaries);
  }

  private SharedIndexInformer<VaultAwsRole> roleInformer() {
    if (roles == null) {
      synchronized (this) {
        if (roles == null) {
          roles = client.resources(VaultAwsRole.class).inform();
        }
      }
    }
    return roles;
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
    if (roles != null) {
      roles.close();
    }
  }
}
