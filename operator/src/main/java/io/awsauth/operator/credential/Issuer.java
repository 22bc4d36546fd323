package io.awsauth.operator.credential;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.api.v1alpha1.AwsReason;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.authconfig.AuthConfigSettings;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.AccessKey;
import io.awsauth.operator.aws.Arns;
import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.AwsClients;
import io.awsauth.operator.aws.AwsCredentials;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.aws.IamGateway;
import io.awsauth.operator.aws.SessionCredentials;
import io.awsauth.operator.aws.StsGateway;
import io.awsauth.operator.aws.StsGateway.IssuedSession;
import io.awsauth.operator.aws.StsGateway.RoleSession;
import io.awsauth.operator.runtime.OperatorConfig;
import io.awsauth.operator.trust.AccountSessions;
import io.awsauth.operator.trust.TrustPolicies;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The AWS side of a lease, per credential type, as Vault's secrets engine does it: iam_user is
 * CreateUser → PutUserPolicy / AttachUserPolicy / AddUserToGroup → CreateAccessKey; assumed_role is
 * AssumeRole (through the account's StsRoleBinding for another account); federation_token is
 * GetFederationToken; session_token is GetSessionToken.
 */
@ApplicationScoped
public class Issuer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AwsClients clients;
  private final AccountSessions sessions;
  private final ClusterIdentity cluster;
  private final Clock clock;
  private final Duration verifyTimeout;
  private final OperatorConfig.SessionIdentity identityKeys;
  private static final String PACKED_POLICY_TOO_LARGE = "PackedPolicyTooLarge";

  public Issuer(
      AwsClients clients,
      AccountSessions sessions,
      ClusterIdentity cluster,
      Clock clock,
      OperatorConfig config) {
    this.clients = clients;
    this.sessions = sessions;
    this.cluster = cluster;
    this.clock = clock;
    this.verifyTimeout = config.iamUser().verifyTimeout();
    this.identityKeys = config.sessionIdentity();
  }

  /** STS credentials; nothing is created in AWS that would need cleaning up. */
  IssuedCredential issueSts(
      AwsCredentialRequest request,
      VaultAwsRole role,
      ResolvedAuthConfig config,
      LeaseTerms terms) {
    VaultAwsRoleSpec spec = role.getSpec();
    int seconds = (int) terms.ttl().toSeconds();
    Optional<String> policy = policy(spec);
    List<String> policyArns = spec.policyArns == null ? List.of() : spec.policyArns;
    Map<String, String> tags = spec.sessionTags == null ? Map.of() : spec.sessionTags;
    Instant issuedAt = clock.instant();
    if (terms.type() == CredentialType.ASSUMED_ROLE) {
      return assumeRole(request, spec, config, terms, seconds, policy, policyArns, tags);
    }
    IssuedSession session =
        switch (terms.type()) {
          case FEDERATION_TOKEN ->
              clients
                  .sts(config.settings())
                  .getFederationToken(terms.federationName(), policy, policyArns, tags, seconds);
          case SESSION_TOKEN ->
              new IssuedSession(
                  clients.sts(config.settings()).getSessionToken(seconds), config.callerArn());
          case ASSUMED_ROLE, IAM_USER ->
              throw new IllegalArgumentException(terms.type().wireName() + " is not issued here");
        };
    return sts(session, issuedAt, Optional.empty(), Optional.empty());
  }

  private static IssuedCredential sts(
      IssuedSession session,
      Instant issuedAt,
      Optional<String> sourceIdentity,
      Optional<String> note) {
    SessionCredentials c = session.credentials();
    return new IssuedCredential(
        c.accessKeyId(),
        c.secretAccessKey(),
        Optional.of(c.sessionToken()),
        issuedAt,
        c.expiration(),
        session.principalArn(),
        Optional.empty(),
        sourceIdentity,
        note);
  }

  /**
   * sts:AssumeRole with the session identity of the request ({@link SessionIdentity}): its
   * SourceIdentity and tags, merged with the role's own sessionTags. What does not fit AWS's
   * packed-size limit is left out, last tags first; a role whose trust does not let the operator
   * tag the session or set its source identity gets a session without them. Either way the
   * credential is issued, and its note says what it lacks.
   */
  private IssuedCredential assumeRole(
      AwsCredentialRequest request,
      VaultAwsRoleSpec spec,
      ResolvedAuthConfig config,
      LeaseTerms terms,
      int seconds,
      Optional<String> policy,
      List<String> policyArns,
      Map<String, String> roleTags) {
    String roleArn = terms.roleArn().orElseThrow();
    StsGateway sts = clients.sts(sessions.forAccount(config, Arns.accountId(roleArn)));
    SessionIdentity wanted =
        identityKeys.enabled()
            ? SessionIdentity.of(request, cluster.id(), identityKeys)
            : SessionIdentity.none();
    SessionIdentity identity = wanted;
    boolean refused = false;
    Instant issuedAt;
    Map<String, String> tags;
    IssuedSession session;
    while (true) {
      tags = identity.mergedWith(roleTags);
      try {
        issuedAt = clock.instant();
        session =
            sts.assumeRole(
                new RoleSession(
                    roleArn,
                    terms.sessionName(),
                    Optional.ofNullable(spec.externalId),
                    seconds,
                    policy,
                    policyArns,
                    tags,
                    identity.sourceIdentity(),
                    SessionIdentity.transitive(spec.transitiveTagKeys, tags)));
        break;
      } catch (AwsFailure e) {
        if (PACKED_POLICY_TOO_LARGE.equals(e.code()) && !identity.tags().isEmpty()) {
          identity = identity.withoutLastTag();
        } else if (e.reason() == AwsReason.AccessDenied && !identity.isEmpty()) {
          // The role's trust may not allow sts:TagSession or sts:SetSourceIdentity: try once
          // without the identity; if that is refused too, the refusal was not about it.
          refused = true;
          identity = SessionIdentity.none();
        } else {
          throw e;
        }
      }
    }
    // What the session lacks of the identity wanted: crowded out of the 50 tags, or dropped for
    // the packed size.
    List<String> left = wanted.missingFrom(tags);
    Optional<String> note =
        refused
            ? Optional.of(
                "the session carries no workload identity: the trust policy of "
                    + roleArn
                    + " does not let the operator's principal set it (sts:TagSession and"
                    + " sts:SetSourceIdentity beside sts:AssumeRole); add this statement to it: "
                    + TrustPolicies.sessionIdentityStatement(
                        sessions.principalFor(config, Arns.accountId(roleArn))))
            : left.isEmpty()
                ? Optional.empty()
                : Optional.of(
                    "session tags left out (AWS's size limit for session policies and tags): "
                        + String.join(", ", left));
    return sts(session, issuedAt, identity.sourceIdentity(), note);
  }

  /** The IAM user name for a request, from the config's usernameTemplate. */
  String userName(AwsCredentialRequest request, VaultAwsRole role, ResolvedAuthConfig config) {
    String template = config.config().getSpec().usernameTemplate;
    return UsernameTemplate.render(
        template == null ? "aao-{{role}}-{{uid}}" : template,
        request.getMetadata().getUid(),
        request.getMetadata().getNamespace(),
        request.getMetadata().getName(),
        role.getMetadata().getName());
  }

  /**
   * An iam_user key just created; {@code onlyKey}: its user was created by this issuance, so no
   * other key of it can exist (an earlier attempt that made one would have made the user), and
   * nothing needs listing to retire one.
   */
  record UserKey(IssuedCredential credential, boolean onlyKey) {}

  /**
   * Creates (or adopts) the user, gives it the role's permissions, deletes keys left by interrupted
   * attempts (all but {@code keep}, the key the Secret holds now), creates a key and proves it
   * works. {@code keyOnly} ({@link IamUsers#keyOnly}): a rotation of a user that already has the
   * role's permissions, which tries CreateAccessKey alone first (deleting the {@code retiring} key
   * of the rotation before, if status still names one), and takes the whole way when IAM says the
   * user has two keys or is gone.
   */
  UserKey issueIamUser(
      AwsCredentialRequest request,
      VaultAwsRole role,
      ResolvedAuthConfig config,
      LeaseTerms terms,
      String userName,
      Optional<String> keep,
      boolean keyOnly,
      Optional<String> retiring) {
    IamGateway iam = clients.iam(config.settings());
    Optional<AccessKey> rotated = keyOnly ? newKeyOnly(iam, userName, retiring) : Optional.empty();
    boolean fresh = rotated.isEmpty() && prepareUser(iam, request, role, userName, keep);
    AccessKey key = rotated.orElseGet(() -> iam.createAccessKey(userName));
    Instant issuedAt = clock.instant();
    Instant started = issuedAt;
    CallerIdentity caller = proveUsable(config.settings(), key);
    Duration took = Duration.between(started, clock.instant());
    return new UserKey(
        new IssuedCredential(
            key.accessKeyId(),
            key.secretAccessKey(),
            Optional.empty(),
            issuedAt,
            issuedAt.plus(terms.ttl()),
            caller.arn(),
            Optional.of(took)),
        fresh);
  }

  /**
   * The whole way to a new key but the key itself: creates (or adopts) the user, gives it the
   * role's permissions, and deletes keys of interrupted attempts but {@code keep}. Returns whether
   * the user is new.
   */
  private boolean prepareUser(
      IamGateway iam,
      AwsCredentialRequest request,
      VaultAwsRole role,
      String userName,
      Optional<String> keep) {
    boolean fresh =
        IamUsers.ensureUser(
            iam,
            userName,
            role.getSpec(),
            OwnerTags.of(request, cluster.id(), role.getSpec().iamTags),
            request.getMetadata().getUid());
    IamUsers.syncPermissions(iam, userName, role.getSpec(), fresh);
    if (!fresh) {
      IamUsers.deleteKeysExcept(iam, userName, keep.map(Set::of).orElse(Set.of()));
    }
    return fresh;
  }

  /**
   * CreateAccessKey alone (after DeleteAccessKey of the key still {@code retiring} from the
   * rotation before, when a short lease rotates again within its overlap: IAM allows two keys), or
   * empty when the whole issuance must run instead.
   */
  private static Optional<AccessKey> newKeyOnly(
      IamGateway iam, String userName, Optional<String> retiring) {
    try {
      if (retiring.isPresent()) {
        iam.deleteAccessKey(userName, retiring.get());
      }
      return Optional.of(iam.createAccessKey(userName));
    } catch (AwsFailure e) {
      if (IamUsers.needsFullIssuance(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * IAM keys are eventually consistent (AWS documents seconds): sts:GetCallerIdentity with the new
   * key, retried with backoff for a bounded time, before the key is called Ready.
   */
  private CallerIdentity proveUsable(AwsClientSettings base, AccessKey key) {
    AwsClientSettings with =
        AuthConfigSettings.withCredentials(
            base,
            AwsCredentials.of(key.accessKeyId(), key.secretAccessKey()),
            "issued/" + key.accessKeyId());
    Instant deadline = clock.instant().plus(verifyTimeout);
    long backoff = 200;
    while (true) {
      try {
        return clients.withSts(with, StsGateway::getCallerIdentity);
      } catch (AwsFailure e) {
        if (clock.instant().isAfter(deadline)) {
          throw new AwsFailure(
              AwsFailure.Kind.TRANSIENT,
              "KeyNotUsable",
              AwsCredentialRequestReason.KeyNotUsable,
              "the new access key of "
                  + key.userName()
                  + " did not work within "
                  + verifyTimeout.toSeconds()
                  + "s ("
                  + e.code()
                  + ")",
              null);
        }
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while proving a new key", e);
      }
      backoff = Math.min(backoff * 2, 2000);
    }
  }

  /** After the Secret holds {@code current}: the user's other keys (the previous lease) go. */
  void retireOtherKeys(ResolvedAuthConfig config, String userName, String current) {
    retireOtherKeys(config, userName, current, Optional.empty());
  }

  /** The user's keys other than {@code current} and {@code overlapping} go. */
  void retireOtherKeys(
      ResolvedAuthConfig config, String userName, String current, Optional<String> overlapping) {
    Set<String> keep = new HashSet<>(Set.of(current));
    overlapping.ifPresent(keep::add);
    IamUsers.deleteKeysExcept(clients.iam(config.settings()), userName, keep);
  }

  String userArn(ResolvedAuthConfig config, String userName) {
    return clients
        .iam(config.settings())
        .getUser(userName)
        .map(IamGateway.User::arn)
        .orElseThrow(
            () ->
                new AwsFailure(
                    AwsFailure.Kind.TRANSIENT,
                    "NoSuchEntity",
                    AwsReason.NotFound,
                    "IAM user " + userName + " of the pending lease is not visible yet",
                    null));
  }

  /** Deletes the user and all it holds ({@link IamUsers#revoke}). */
  void revokeUser(ResolvedAuthConfig config, String userName, boolean mayBeInvisible) {
    IamUsers.revoke(clients.iam(config.settings()), userName, mayBeInvisible);
  }

  private static Optional<String> policy(VaultAwsRoleSpec spec) {
    if (spec.policyDocument == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.writeValueAsString(spec.policyDocument));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
