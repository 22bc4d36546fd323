package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.authconfig.AuthConfigs;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.status.Conditions;
import io.awsauth.operator.status.UserError;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Removes the deny statements whose credential has expired anyway, on every holder the operator may
 * have written to: the roles of its assumed_role VaultAwsRoles ({@code roleArns}) and the IAM user
 * of every Ready AwsAuthConfig. Every write of a deny policy prunes it too; this sweep (run with
 * the orphan sweep, on the leader) covers the policies that no later revocation touches, and
 * deletes a policy once it denies nothing.
 */
@ApplicationScoped
public class DenyPolicyPrune {
  private static final Logger LOG = Logger.getLogger(DenyPolicyPrune.class);

  private final KubernetesClient client;
  private final AuthConfigs configs;
  private final SessionRevoker revoker;
  private final Clock clock;

  public DenyPolicyPrune(
      KubernetesClient client, AuthConfigs configs, SessionRevoker revoker, Clock clock) {
    this.client = client;
    this.configs = configs;
    this.revoker = revoker;
    this.clock = clock;
  }

  /** Prunes every holder; returns how many it looked at. */
  public int pruneAll() {
    // holder ARN -> the config that writes it
    Map<String, String> holders = new LinkedHashMap<>();
    for (AwsAuthConfig config : client.resources(AwsAuthConfig.class).list().getItems()) {
      if (config.getStatus() != null
          && config.getStatus().isTrue(Conditions.READY)
          && config.getStatus().callerArn != null
          && config.getStatus().callerArn.contains(":user/")) {
        holders.putIfAbsent(config.getStatus().callerArn, config.getMetadata().getName());
      }
    }
    for (VaultAwsRole role : client.resources(VaultAwsRole.class).list().getItems()) {
      if (role.getSpec() == null
          || role.getSpec().credentialType != CredentialType.ASSUMED_ROLE
          || role.getSpec().roleArns == null) {
        continue;
      }
      role.getSpec()
          .roleArns
          .forEach(arn -> holders.putIfAbsent(arn, role.getSpec().authConfigRef));
    }
    holders.forEach(this::pruneQuietly);
    return holders.size();
  }

  private void pruneQuietly(String holder, String configName) {
    try {
      ResolvedAuthConfig config = configs.resolve(configName);
      revoker.prune(config, holder, clock.instant());
    } catch (AwsFailure | UserError e) {
      LOG.debugf("could not prune the deny policy of %s: %s", holder, e.getMessage());
    }
  }
}
