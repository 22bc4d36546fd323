package io.awsauth.operator.identity.iam;

import io.awsauth.operator.api.v1alpha1.AuthType;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec.Identity;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.authconfig.AuthConfigs;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.AwsClients;
import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.identity.BindingDecision;
import io.awsauth.operator.identity.ExpiringCache;
import io.awsauth.operator.identity.IdentityVerdict;
import io.awsauth.operator.identity.IdentityVerifier;
import io.awsauth.operator.identity.SafeText;
import io.awsauth.operator.status.UserError;
import io.awsauth.operator.trust.AccountSessions;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * authType iam, Vault's {@code iam} login: the request's proof Secret holds a signed
 * sts:GetCallerIdentity request; it is validated ({@link IamProof}), sent to the configured STS
 * endpoint only ({@link StsProofSender}), and the principal STS names is matched against the role's
 * bindings ({@link IamBindings#match}). The role of an assumed-role session is looked up with
 * iam:GetRole in the caller's account (through its StsRoleBinding) at every verification, which
 * happens only before something is issued. That answer is not cached: whether the role the session
 * was issued for (its unique ID) still exists is a fact about now, and a role deleted and created
 * again under the same name must cut the old role's sessions off at once, not when a cache entry
 * expires. Only a proof's answer from STS is remembered ({@link ProofKey}).
 *
 * <p>The proof Secret is read directly (tenant Secrets are not cached) and its content never
 * appears in a log, a verdict or an exception message.
 */
@ApplicationScoped
public class IamIdentityVerifier implements IdentityVerifier {
  /** How long a verified proof is believed without asking STS again. */
  static final Duration PROOF_TTL = Duration.ofHours(36);

  static final int PROOF_CACHE_SIZE = 4096;
  private static final Logger LOG = Logger.getLogger(IamIdentityVerifier.class);

  private final KubernetesClient client;
  private final AuthConfigs configs;
  private final AccountSessions sessions;
  private final AwsClients clients;
  private final StsProofSender sender = new StsProofSender();
  private final Clock clock;
  private final ExpiringCache<ProofKey, CallerIdentity> proven;

  /**
   * One version of one proof Secret, checked against one set of STS hosts (and the endpoint it is
   * sent to), one server ID and one list of allowed X-Amz-* headers. What STS said of it does not
   * change: a signed request names the same caller for as long as it is kept, while STS itself
   * refuses it 15 minutes after signing. So the verified caller is remembered (and the bindings
   * compared again at every reconcile), and a lease is not revoked at renewal only because its
   * proof has aged; a new proof (a new resourceVersion) is verified again.
   */
  record ProofKey(
      String secretUid,
      String resourceVersion,
      StsHosts hosts,
      String serverId,
      Set<String> allowedHeaders) {}

  public IamIdentityVerifier(
      KubernetesClient client,
      AuthConfigs configs,
      AccountSessions sessions,
      AwsClients clients,
      Clock clock) {
    this.client = client;
    this.configs = configs;
    this.sessions = sessions;
    this.clients = clients;
    this.clock = clock;
    this.proven = new ExpiringCache<>(clock, PROOF_TTL, PROOF_CACHE_SIZE);
  }

  @Override
  public AuthType authType() {
    return AuthType.IAM;
  }

  @Override
  public IdentityVerdict verify(AwsCredentialRequest request, VaultAwsRole role) {
    String roleName = role.getMetadata().getName();
    Identity identity = request.getSpec().identity;
    if (identity == null
        || identity.iamProofSecretRef == null
        || identity.iamProofSecretRef.name == null) {
      return IdentityVerdict.deny(
          AwsCredentialRequestReason.ProofSecretRequired,
          "role "
              + roleName
              + " has authType iam: set identity.iamProofSecretRef to a Secret holding a signed"
              + " sts:GetCallerIdentity request");
    }
    String namespace = request.getMetadata().getNamespace();
    String secretName = identity.iamProofSecretRef.name;
    try {
      Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
      if (secret == null) {
        return IdentityVerdict.deny(
            AwsCredentialRequestReason.ProofSecretNotFound,
            "proof Secret " + namespace + "/" + secretName + " (iamProofSecretRef) does not exist");
      }
      ResolvedAuthConfig config = configs.resolve(role.getSpec().authConfigRef);
      StsHosts hosts;
      try {
        hosts = stsHosts(config);
      } catch (IllegalArgumentException e) {
        return IdentityVerdict.deny(
            AwsCredentialRequestReason.StsEndpointInvalid,
            "AwsAuthConfig '"
                + config.config().getMetadata().getName()
                + "' endpoints.sts: "
                + e.getMessage());
      }
      ProofKey key =
          new ProofKey(
              secret.getMetadata().getUid(),
              secret.getMetadata().getResourceVersion(),
              hosts,
              serverId(config),
              allowedHeaders(config));
      Optional<CallerIdentity> known = proven.get(key);
      CallerIdentity caller;
      if (known.isPresent()) {
        caller = known.get();
      } else {
        StsProofRequest proof =
            IamProof.fromFields(fields(secret))
                .validate(hosts, serverId(config), allowedHeaders(config));
        if (!proof.fresh(clock.instant())) {
          // STS refuses it too; an emulator may not, and either way it is not sent.
          return IdentityVerdict.deny(
              AwsCredentialRequestReason.ProofExpired,
              "the proof in Secret "
                  + secretName
                  + " was signed at "
                  + proof.signedAt()
                  + ", more than 15 minutes from now: sign a fresh one");
        }
        StsAnswer answer;
        try {
          answer = sender.send(proof);
        } catch (IllegalArgumentException e) {
          return IdentityVerdict.deny(
              AwsCredentialRequestReason.StsAnswerInvalid,
              "the answer of " + proof.uri() + " to the proof was refused: " + e.getMessage());
        }
        if (answer instanceof StsAnswer.Refused refused) {
          return IdentityVerdict.deny(
              AwsCredentialRequestReason.ProofRefused,
              "STS refused the proof in Secret "
                  + secretName
                  + ": "
                  + refused.code()
                  + (refused.message().isEmpty() ? "" : ": " + refused.message()));
        }
        caller = ((StsAnswer.Identified) answer).identity();
        proven.put(key, caller);
      }
      BindingDecision decision =
          IamBindings.match(
              role.getSpec().bindings, caller, c -> roleOf(config, c), uniqueIds(role));
      if (decision instanceof BindingDecision.Denied denied) {
        return IdentityVerdict.deny(
            "bindings.accountIds".equals(denied.binding())
                ? AwsCredentialRequestReason.AccountNotBound
                : AwsCredentialRequestReason.CallerNotBound,
            denied.binding() + " of role " + roleName + ": " + denied.message());
      }
      return IdentityVerdict.allow(
          AwsCredentialRequestReason.IamPrincipalVerified,
          "IAM principal " + SafeText.of(caller.arn()) + " is bound to role " + roleName);
    } catch (UserError e) {
      return IdentityVerdict.deny(e.reason(), e.getMessage());
    }
  }

  /**
   * The role named by the session as IAM describes it now (iam:GetRole, never a cached answer): the
   * matcher admits the session only when this role's unique ID is the session's.
   */
  private Optional<ResolvedPrincipal> roleOf(ResolvedAuthConfig config, IamCaller caller) {
    String accountId = caller.key().accountId();
    LOG.debugf("iam:GetRole %s in account %s", caller.arn().name(), accountId);
    return clients
        .iam(sessions.forAccount(config, accountId))
        .getRole(caller.arn().name())
        .map(r -> new ResolvedPrincipal(r.arn(), r.roleId()));
  }

  /** The config's accepted STS hosts and proof endpoint (endpoints.sts, stsAllowedHosts, ...). */
  static StsHosts stsHosts(ResolvedAuthConfig config) {
    AwsAuthConfigSpec spec = config.config().getSpec();
    return StsHosts.of(
        spec.endpoints == null ? null : spec.endpoints.sts,
        spec.region,
        spec.stsAllowedHosts,
        spec.useStsRegionFromClient);
  }

  /** The config's allowedStsHeaders (Vault's allowed_sts_header_values), lower case. */
  static Set<String> allowedHeaders(ResolvedAuthConfig config) {
    List<String> allowed = config.config().getSpec().allowedStsHeaders;
    return allowed == null
        ? Set.of()
        : allowed.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
  }

  private static String serverId(ResolvedAuthConfig config) {
    return config.config().getSpec().iamServerIdHeaderValue;
  }

  /** The Secret's keys as text; only the four proof fields are read. */
  static Map<String, String> fields(Secret secret) {
    Map<String, String> fields = new HashMap<>();
    for (String key :
        new String[] {
          IamProof.METHOD_FIELD, IamProof.URL_FIELD, IamProof.BODY_FIELD, IamProof.HEADERS_FIELD
        }) {
      if (secret.getData() != null && secret.getData().get(key) != null) {
        try {
          fields.put(
              key,
              new String(
                  Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw new UserError(
              AwsCredentialRequestReason.ProofMalformed,
              "key " + key + " of the proof Secret is not base64");
        }
      } else if (secret.getStringData() != null && secret.getStringData().get(key) != null) {
        fields.put(key, secret.getStringData().get(key));
      }
    }
    return fields;
  }

  /** The unique IDs the role recorded for its exact bindings when it was written. */
  private static java.util.Map<String, String> uniqueIds(VaultAwsRole role) {
    java.util.Map<String, String> ids = new java.util.HashMap<>();
    if (role.getStatus() != null && role.getStatus().boundPrincipals != null) {
      role.getStatus().boundPrincipals.forEach(p -> ids.put(p.arn, p.uniqueId));
    }
    return ids;
  }
}
