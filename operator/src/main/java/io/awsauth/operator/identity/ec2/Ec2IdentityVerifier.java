package io.awsauth.operator.identity.ec2;

import io.awsauth.operator.api.v1alpha1.AuthType;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec.Identity;
import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.authconfig.AuthConfigs;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.authconfig.IdentityDocumentCertificates;
import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.AwsClients;
import io.awsauth.operator.aws.Ec2Gateway;
import io.awsauth.operator.aws.IamGateway;
import io.awsauth.operator.identity.BindingDecision;
import io.awsauth.operator.identity.ExpiringCache;
import io.awsauth.operator.identity.IamArn;
import io.awsauth.operator.identity.IdentityVerdict;
import io.awsauth.operator.identity.IdentityVerifier;
import io.awsauth.operator.identity.SafeText;
import io.awsauth.operator.status.UserError;
import io.awsauth.operator.trust.AccountSessions;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * authType ec2, node identity: the request's pod, read from the API server, runs on a node whose
 * {@code spec.providerID} names an EC2 instance; ec2:DescribeInstances in the bound account(s)
 * (through each account's StsRoleBinding; the config's own account when {@code bindings.accountIds}
 * is unset), in the region of the node's zone, describes it, and {@link Ec2Bindings#match} compares
 * it with the role's EC2 bindings. The roles of its instance profile are read with
 * iam:GetInstanceProfile only when {@code bindings.iamRoleArns} is set.
 *
 * <p>Lookups are cached for {@link #LOOKUP_TTL} by account, region and instance ID (and instance
 * profiles by account and unique ID), so a stopped or moved instance is seen within that time.
 */
@ApplicationScoped
public class Ec2IdentityVerifier implements IdentityVerifier {
  static final Duration LOOKUP_TTL = Duration.ofMinutes(1);
  static final int LOOKUP_CACHE_SIZE = 1024;

  /** The key of the identity document Secret, named as Vault's login parameter. */
  public static final String DOCUMENT_KEY = "pkcs7";

  private final KubernetesClient client;
  private final AuthConfigs configs;
  private final AccountSessions sessions;
  private final AwsClients clients;
  private final ExpiringCache<InstanceKey, Ec2Gateway.Instance> instances;
  private final ExpiringCache<ProfileKey, List<String>> profiles;

  /** An instance in one account and region: instance IDs are unique only there. */
  record InstanceKey(String accountId, String region, String instanceId) {}

  /** An instance profile by its unique ID ({@code AIPA...}), never by its name alone. */
  record ProfileKey(String accountId, String instanceProfileId) {}

  public Ec2IdentityVerifier(
      KubernetesClient client,
      AuthConfigs configs,
      AccountSessions sessions,
      AwsClients clients,
      Clock clock) {
    this.client = client;
    this.configs = configs;
    this.sessions = sessions;
    this.clients = clients;
    this.instances = new ExpiringCache<>(clock, LOOKUP_TTL, LOOKUP_CACHE_SIZE);
    this.profiles = new ExpiringCache<>(clock, LOOKUP_TTL, LOOKUP_CACHE_SIZE);
  }

  @Override
  public AuthType authType() {
    return AuthType.EC2;
  }

  @Override
  public IdentityVerdict verify(AwsCredentialRequest request, VaultAwsRole role) {
    String roleName = role.getMetadata().getName();
    String namespace = request.getMetadata().getNamespace();
    Identity identity = request.getSpec().identity;
    if (identity != null && identity.identityDocumentSecretRef != null) {
      try {
        return verifyDocument(request, role, identity.identityDocumentSecretRef.name);
      } catch (UserError e) {
        return IdentityVerdict.deny(e.reason(), e.getMessage());
      }
    }
    if (identity == null || identity.podName == null) {
      return IdentityVerdict.deny(
          AwsCredentialRequestReason.PodRequired,
          "role "
              + roleName
              + " has authType ec2: set identity.podName to the pod whose node is verified");
    }
    try {
      Pod pod = client.pods().inNamespace(namespace).withName(identity.podName).get();
      if (pod == null) {
        return IdentityVerdict.deny(
            AwsCredentialRequestReason.PodNotFound,
            "pod " + namespace + "/" + identity.podName + " does not exist");
      }
      String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
      if (nodeName == null || nodeName.isEmpty()) {
        return IdentityVerdict.deny(
            AwsCredentialRequestReason.PodNotScheduled,
            "pod " + namespace + "/" + identity.podName + " has no node yet");
      }
      Node node = client.nodes().withName(nodeName).get();
      if (node == null) {
        return IdentityVerdict.deny(
            AwsCredentialRequestReason.NodeNotFound,
            "node " + nodeName + " of pod " + identity.podName + " does not exist");
      }
      String providerId = node.getSpec() == null ? null : node.getSpec().getProviderID();
      Optional<NodeProviderId> parsed = NodeProviderId.parse(providerId);
      if (parsed.isEmpty()) {
        return IdentityVerdict.deny(
            AwsCredentialRequestReason.NodeNotEc2,
            "node "
                + nodeName
                + " has spec.providerID "
                + SafeText.of(providerId)
                + ", not aws:///<zone>/<instance-id>");
      }
      NodeProviderId id = parsed.get();
      ResolvedAuthConfig config = configs.resolve(role.getSpec().authConfigRef);
      List<String> accounts = accounts(role.getSpec().bindings, config);
      Optional<Ec2Instance> instance =
          find(config, accounts, id.region(), id.instanceId(), role.getSpec().bindings);
      if (instance.isEmpty()) {
        return IdentityVerdict.deny(
            AwsCredentialRequestReason.InstanceNotFound,
            "instance "
                + id.instanceId()
                + " of node "
                + nodeName
                + " is not in region "
                + id.region()
                + " of account(s) "
                + accounts);
      }
      Optional<IdentityVerdict> denied = match(role, instance.get());
      if (denied.isPresent()) {
        return denied.get();
      }
      return IdentityVerdict.allow(
          AwsCredentialRequestReason.Ec2InstanceVerified,
          "pod "
              + identity.podName
              + " runs on node "
              + nodeName
              + ", instance "
              + id.instanceId()
              + " of account "
              + instance.get().accountId()
              + ", which is bound to role "
              + roleName);
    } catch (UserError e) {
      return IdentityVerdict.deny(e.reason(), e.getMessage());
    }
  }

  /**
   * Vault's pkcs7 login: the document's signature is verified against the AwsAuthConfig's
   * certificates, then the instance it names is described in its account and region and matched
   * like a node's.
   */
  private IdentityVerdict verifyDocument(
      AwsCredentialRequest request, VaultAwsRole role, String secretName) {
    String namespace = request.getMetadata().getNamespace();
    String roleName = role.getMetadata().getName();
    Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
    if (secret == null) {
      return IdentityVerdict.deny(
          AwsCredentialRequestReason.IdentityDocumentSecretNotFound,
          "identity document Secret "
              + namespace
              + "/"
              + secretName
              + " (identityDocumentSecretRef) does not exist");
    }
    String pkcs7 =
        secret.getData() == null || secret.getData().get(DOCUMENT_KEY) == null
            ? null
            : decode(secret.getData().get(DOCUMENT_KEY));
    if (pkcs7 == null || pkcs7.isBlank()) {
      return IdentityVerdict.deny(
          AwsCredentialRequestReason.IdentityDocumentMissing,
          "Secret " + secretName + " has no key " + DOCUMENT_KEY);
    }
    ResolvedAuthConfig config = configs.resolve(role.getSpec().authConfigRef);
    String pem = config.config().getSpec().identityDocumentCertificates;
    String configName = config.config().getMetadata().getName();
    if (pem == null || pem.isBlank()) {
      return IdentityVerdict.deny(
          AwsCredentialRequestReason.NoIdentityDocumentCertificates,
          "AwsAuthConfig '" + configName + "' sets no identityDocumentCertificates");
    }
    List<java.security.cert.X509Certificate> certificates;
    try {
      certificates = IdentityDocumentCertificates.parse(pem);
    } catch (IllegalArgumentException e) {
      return IdentityVerdict.deny(
          AwsCredentialRequestReason.IdentityDocumentCertificatesInvalid,
          "AwsAuthConfig '" + configName + "' identityDocumentCertificates: " + e.getMessage());
    }
    InstanceIdentityDocument document = new IdentityDocumentVerifier(certificates).verify(pkcs7);
    List<String> accounts = accounts(role.getSpec().bindings, config);
    if (!accounts.contains(document.accountId())) {
      return IdentityVerdict.deny(
          AwsCredentialRequestReason.InstanceNotBound,
          "bindings.accountIds of role "
              + roleName
              + ": the identity document's account "
              + document.accountId()
              + " is not among "
              + accounts);
    }
    Optional<Ec2Instance> instance =
        find(
            config,
            List.of(document.accountId()),
            document.region(),
            document.instanceId(),
            role.getSpec().bindings);
    if (instance.isEmpty()) {
      return IdentityVerdict.deny(
          AwsCredentialRequestReason.InstanceNotFound,
          "instance "
              + document.instanceId()
              + " of the identity document is not in region "
              + document.region()
              + " of account "
              + document.accountId());
    }
    Optional<IdentityVerdict> denied = match(role, instance.get());
    if (denied.isPresent()) {
      return denied.get();
    }
    return IdentityVerdict.allow(
        AwsCredentialRequestReason.Ec2InstanceVerified,
        "the signed identity document of instance "
            + document.instanceId()
            + " of account "
            + document.accountId()
            + " is bound to role "
            + roleName);
  }

  /** A denial when the instance does not match the role's bindings. */
  private static Optional<IdentityVerdict> match(VaultAwsRole role, Ec2Instance instance) {
    BindingDecision decision = Ec2Bindings.match(role.getSpec().bindings, instance);
    if (decision instanceof BindingDecision.Denied denied) {
      return Optional.of(
          IdentityVerdict.deny(
              "instance.state".equals(denied.binding())
                  ? AwsCredentialRequestReason.InstanceNotRunning
                  : AwsCredentialRequestReason.InstanceNotBound,
              denied.binding()
                  + " of role "
                  + role.getMetadata().getName()
                  + ": "
                  + denied.message()));
    }
    return Optional.empty();
  }

  private static String decode(String base64) {
    try {
      return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw new UserError(
          AwsCredentialRequestReason.IdentityDocumentMalformed,
          "key " + DOCUMENT_KEY + " of the Secret is not base64");
    }
  }

  /** The bound accounts, or the config's own when none are bound. */
  private static List<String> accounts(RoleBindings bindings, ResolvedAuthConfig config) {
    if (bindings != null && bindings.accountIds != null && !bindings.accountIds.isEmpty()) {
      return bindings.accountIds.stream().filter(a -> a != null && a.matches("[0-9]{12}")).toList();
    }
    return List.of(config.accountId());
  }

  private Optional<Ec2Instance> find(
      ResolvedAuthConfig config,
      List<String> accounts,
      String region,
      String instanceId,
      RoleBindings bindings) {
    for (String account : accounts) {
      AwsClientSettings settings = sessions.forAccount(config, account);
      Optional<Ec2Gateway.Instance> found =
          instances.get(
              new InstanceKey(account, region, instanceId),
              key -> clients.ec2(settings, key.region()).describeInstance(key.instanceId()));
      if (found.isPresent()) {
        Ec2Gateway.Instance i = found.get();
        boolean rolesNeeded =
            bindings != null && bindings.iamRoleArns != null && !bindings.iamRoleArns.isEmpty();
        List<String> roles = rolesNeeded ? profileRoles(settings, account, i) : List.of();
        return Optional.of(
            new Ec2Instance(
                i.ownerId() == null ? account : i.ownerId(),
                region,
                i.instanceId(),
                i.state(),
                i.vpcId(),
                i.subnetId(),
                i.imageId(),
                i.iamInstanceProfileArn(),
                roles));
      }
    }
    return Optional.empty();
  }

  private List<String> profileRoles(
      AwsClientSettings settings, String account, Ec2Gateway.Instance instance) {
    if (instance.iamInstanceProfileArn() == null || instance.iamInstanceProfileId() == null) {
      return List.of();
    }
    Optional<IamArn> arn = IamArn.parse(instance.iamInstanceProfileArn());
    if (arn.isEmpty() || arn.get().kind() != IamArn.Kind.INSTANCE_PROFILE) {
      return List.of();
    }
    return profiles
        .get(
            new ProfileKey(account, instance.iamInstanceProfileId()),
            key ->
                clients
                    .iam(settings)
                    .getInstanceProfile(arn.get().name())
                    // A profile re-created under the same name is another profile.
                    .filter(p -> key.instanceProfileId().equals(p.instanceProfileId()))
                    .map(IamGateway.InstanceProfile::roleArns))
        .orElse(List.of());
  }
}
