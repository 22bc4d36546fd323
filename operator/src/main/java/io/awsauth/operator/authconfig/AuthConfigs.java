package io.awsauth.operator.authconfig;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.DependencyReason;
import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.Partition;
import io.awsauth.operator.cache.ClusterCaches;
import io.awsauth.operator.status.Conditions;
import io.awsauth.operator.status.UserError;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;

/** Finds the AwsAuthConfig a role or binding names, and its client settings. */
@ApplicationScoped
public class AuthConfigs {
  private final KubernetesClient client;
  private final AuthConfigSettings settings;
  private final ClusterCaches caches;

  public AuthConfigs(KubernetesClient client, AuthConfigSettings settings, ClusterCaches caches) {
    this.client = client;
    this.settings = settings;
    this.caches = caches;
  }

  /** A Ready config; {@link UserError} AuthConfigNotFound or AuthConfigNotReady otherwise. */
  public ResolvedAuthConfig resolve(String name) {
    AwsAuthConfig config =
        caches
            .config(name)
            .filter(c -> c.getStatus() != null && c.getStatus().isTrue(Conditions.READY))
            // not cached (yet) or not Ready there: the API server has the last word
            .orElseGet(() -> client.resources(AwsAuthConfig.class).withName(name).get());
    if (config == null) {
      throw new UserError(
          DependencyReason.AuthConfigNotFound,
          "AwsAuthConfig '" + name + "' (authConfigRef) does not exist");
    }
    if (config.getStatus() == null || !config.getStatus().isTrue(Conditions.READY)) {
      String why =
          config.getStatus() == null
              ? "not reconciled yet"
              : config.getStatus().condition(Conditions.READY).map(c -> c.getReason()).orElse("");
      throw new UserError(
          DependencyReason.AuthConfigNotReady,
          "AwsAuthConfig '" + name + "' is not Ready (" + why + ")");
    }
    return new ResolvedAuthConfig(config, settings.settings(config));
  }

  /** A Ready config with its settings. */
  public record ResolvedAuthConfig(AwsAuthConfig config, AwsClientSettings settings) {
    public String accountId() {
      return config.getStatus().accountId;
    }

    public String callerArn() {
      return config.getStatus().callerArn;
    }

    /**
     * The caller's partition (its ARN's; a Ready config's region is in the same one), where every
     * ARN and policy the operator writes for this config belongs.
     */
    public Partition partition() {
      return Partition.ofArn(callerArn()).orElseGet(settings::partition);
    }
  }
}
