package io.awsauth.operator.trust;

import io.awsauth.operator.api.v1alpha1.DependencyReason;
import io.awsauth.operator.api.v1alpha1.StsRoleBinding;
import io.awsauth.operator.authconfig.AuthConfigSettings;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.AwsClients;
import io.awsauth.operator.aws.AwsCredentials;
import io.awsauth.operator.cache.ClusterCaches;
import io.awsauth.operator.status.UserError;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Assumed-role sessions into remote accounts: one per StsRoleBinding, refreshed by the SDK before
 * it expires, shared by every caller that needs that account (verifying instances, resolving
 * principals, issuing credentials there).
 */
@ApplicationScoped
public class AccountSessions {
  public static final String SESSION_NAME = "aws-auth-operator";

  private final AwsClients clients;
  private final KubernetesClient client;
  private final ClusterCaches caches;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  public AccountSessions(AwsClients clients, KubernetesClient client, ClusterCaches caches) {
    this.clients = clients;
    this.client = client;
    this.caches = caches;
  }

  private record Session(String key, AwsCredentials.RoleSession credentials) {}

  /** Client settings acting as the binding's Role-to-Assume. */
  public AwsClientSettings sessionFor(StsRoleBinding binding, ResolvedAuthConfig config) {
    String key =
        binding.getMetadata().getUid()
            + "/"
            + binding.getMetadata().getGeneration()
            + "/"
            + config.settings().fingerprint();
    Session session =
        sessions.compute(
            binding.getMetadata().getName(),
            (name, old) -> {
              if (old != null && old.key.equals(key)) {
                return old;
              }
              if (old != null) {
                old.credentials.close();
              }
              return new Session(
                  key,
                  clients.assumedRole(
                      config.settings(),
                      binding.getSpec().roleArn,
                      SESSION_NAME,
                      Optional.ofNullable(binding.getSpec().externalId)));
            });
    AwsClientSettings settings =
        AuthConfigSettings.withCredentials(
            config.settings(),
            new AwsCredentials.Refreshing(session.credentials),
            "assumed/" + key);
    return binding.getSpec() == null || binding.getSpec().accountId == null
        ? settings
        : settings.inAccount(binding.getSpec().accountId);
  }

  /**
   * Settings for calls into {@code accountId}: the config's own identity in its own account, or the
   * session of the Ready StsRoleBinding for that account.
   */
  public AwsClientSettings forAccount(ResolvedAuthConfig config, String accountId) {
    if (Objects.equals(accountId, config.accountId())) {
      return config.settings();
    }
    String configName = config.config().getMetadata().getName();
    StsRoleBinding binding =
        readyBinding(caches.bindings(), accountId, configName)
            // not cached (yet) or not TrustReady there: the API server has the last word
            .or(
                () ->
                    binding(
                        client.resources(StsRoleBinding.class).list().getItems(),
                        accountId,
                        configName))
            .orElseThrow(
                () ->
                    new UserError(
                        DependencyReason.NoTrustForAccount,
                        "no StsRoleBinding for account "
                            + accountId
                            + " uses AwsAuthConfig '"
                            + configName
                            + "'"));
    if (binding.getStatus() == null
        || !binding.getStatus().isTrue(StsRoleBindingReconciler.TRUST_READY)) {
      throw new UserError(
          DependencyReason.TrustNotReady,
          "StsRoleBinding '"
              + binding.getMetadata().getName()
              + "' for account "
              + accountId
              + " is not TrustReady");
    }
    return sessionFor(binding, config);
  }

  /**
   * The principal whose sessions the operator's calls into {@code accountId} run as: the config's
   * own (its IAM user, or the role of its assumed-role session), or the Role-to-Assume of the
   * account's StsRoleBinding. What a role's trust policy there must name.
   */
  public String principalFor(ResolvedAuthConfig config, String accountId) {
    if (Objects.equals(accountId, config.accountId())) {
      return config.callerArn() == null
          ? "the principal of AwsAuthConfig " + config.config().getMetadata().getName()
          : Principals.principalOf(config.callerArn());
    }
    String configName = config.config().getMetadata().getName();
    return binding(caches.bindings(), accountId, configName)
        .map(b -> b.getSpec().roleArn)
        .orElse("the Role-to-Assume of the StsRoleBinding for account " + accountId);
  }

  private static Optional<StsRoleBinding> readyBinding(
      List<StsRoleBinding> bindings, String accountId, String configName) {
    return binding(bindings, accountId, configName)
        .filter(
            b ->
                b.getStatus() != null
                    && b.getStatus().isTrue(StsRoleBindingReconciler.TRUST_READY));
  }

  private static Optional<StsRoleBinding> binding(
      List<StsRoleBinding> bindings, String accountId, String configName) {
    return bindings.stream()
        .filter(b -> accountId.equals(b.getSpec().accountId))
        .filter(b -> configName.equals(b.getSpec().authConfigRef))
        .findFirst();
  }

  public void forget(String bindingName) {
    Session old = sessions.remove(bindingName);
    if (old != null) {
      old.credentials.close();
    }
  }

  @PreDestroy
  void close() {
    sessions.keySet().forEach(this::forget);
  }
}
