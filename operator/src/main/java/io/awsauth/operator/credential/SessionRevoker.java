package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus.Revocation;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.Durations;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.Arns;
import io.awsauth.operator.aws.AwsClients;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.IamGateway;
import io.awsauth.operator.credential.SessionDenials.Denial;
import io.awsauth.operator.credential.SessionDenials.Result;
import io.awsauth.operator.credential.SessionDenials.Scope;
import io.awsauth.operator.trust.AccountSessions;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Denies one STS credential at AWS before it expires ({@link SessionDenials} decides the policy):
 * an assumed_role session in the inline policy {@value SessionDenials#POLICY_NAME} of its role, in
 * the role's account (through that account's StsRoleBinding for another one); a federation_token in
 * the same policy on the operator's own IAM user. Every write is a read, a pure change and a put of
 * the whole document, so repeating it after a crash changes nothing.
 */
@ApplicationScoped
public class SessionRevoker {
  private static final Logger LOG = Logger.getLogger(SessionRevoker.class);
  private static final String LIMIT_EXCEEDED = "LimitExceeded";

  private final AwsClients clients;
  private final AccountSessions sessions;

  /**
   * One writer per policy holder at a time: a write is read, change, put of the whole document, so
   * two reconciles revoking sessions of the same role at once would otherwise lose one statement.
   * (One operator writes at a time: the leader.)
   */
  private final ConcurrentHashMap<String, Object> holderLocks = new ConcurrentHashMap<>();

  public SessionRevoker(AwsClients clients, AccountSessions sessions) {
    this.clients = clients;
    this.sessions = sessions;
  }

  /** What a denial did. */
  enum Outcome {
    /** The policy holds a statement for the session. */
    DENIED,
    /** The policy was full: a cutoff denies every session in scope issued before cutoffAt. */
    CUTOFF,
    /** Nothing to write: the role is gone (its sessions with it), or a cutoff covers it. */
    NOT_NEEDED
  }

  /**
   * What {@link #deny} did, the policy's size after it, the time of the cutoff that denies the
   * session when one does (written now, or found), and when the policy next has a statement to
   * prune ({@link SessionDenials#nextPrune}).
   */
  record Denied(
      Outcome outcome,
      Optional<Instant> cutoffAt,
      int policySize,
      int statements,
      Optional<Instant> nextPrune) {
    static Denied notNeeded() {
      return new Denied(Outcome.NOT_NEEDED, Optional.empty(), 0, 0, Optional.empty());
    }
  }

  /** Whether the lease the status records is one AWS can still be told to refuse. */
  static boolean revocable(AwsCredentialRequestStatus status, Instant now) {
    return status.leaseId != null
        && status.principalArn != null
        && status.expiresAt != null
        && status.issuedAt != null
        && status.ttl != null
        && (CredentialType.ASSUMED_ROLE.wireName().equals(status.credentialType)
            || CredentialType.FEDERATION_TOKEN.wireName().equals(status.credentialType))
        && Instant.parse(status.expiresAt).isAfter(now);
  }

  /** The latest issue time of the session the status records ({@link SessionDenials#issuedBy}). */
  static Instant issuedBy(AwsCredentialRequestStatus status) {
    return SessionDenials.issuedBy(
        Instant.parse(status.issuedAt),
        Instant.parse(status.expiresAt),
        Durations.parse(status.ttl));
  }

  /**
   * The revocation to record for the lease the status holds (state RevocationPending), or empty
   * when AWS has nothing to refuse: not an assumed_role or federation_token lease, expired, or its
   * role is gone. Reads the role's unique ID (its sessions' aws:userid starts with it).
   */
  Optional<Revocation> intent(
      AwsCredentialRequestStatus status,
      ResolvedAuthConfig config,
      String configName,
      String reason,
      Instant now) {
    if (!revocable(status, now)) {
      return Optional.empty();
    }
    SessionArn arn = SessionArn.parse(status.principalArn);
    Revocation r = new Revocation();
    r.state = Revocation.PENDING;
    r.leaseId = status.leaseId;
    r.credentialType = status.credentialType;
    r.reason = reason;
    r.authConfigRef = configName;
    r.expiresAt = status.expiresAt;
    r.issuedBy = issuedBy(status).toString();
    r.requestedAt = now.truncatedTo(ChronoUnit.SECONDS).toString();
    if (arn.federated()) {
      r.userId = arn.account() + ":" + arn.name();
      r.policyHolder = config.callerArn();
    } else {
      IamGateway iam = clients.iam(sessions.forAccount(config, arn.account()));
      Optional<IamGateway.Role> role = iam.getRole(arn.role());
      if (role.isEmpty()) {
        LOG.debugf("role %s is gone, and its sessions with it: nothing to deny", arn.role());
        return Optional.empty();
      }
      r.userId = role.get().roleId() + ":" + arn.name();
      r.policyHolder = role.get().arn();
    }
    return Optional.of(r);
  }

  /** Writes the statement denying {@code r}'s session (idempotent), pruning what expired. */
  Denied deny(ResolvedAuthConfig config, Revocation r, Instant now) {
    synchronized (holderLocks.computeIfAbsent(r.policyHolder, k -> new Object())) {
      return denyAlone(config, r, now);
    }
  }

  private Denied denyAlone(ResolvedAuthConfig config, Revocation r, Instant now) {
    Denial denial =
        new Denial(r.leaseId, r.userId, Instant.parse(r.issuedBy), Instant.parse(r.expiresAt));
    Holder holder = Holder.of(r.policyHolder);
    IamGateway iam = clients.iam(sessions.forAccount(config, holder.account()));
    Optional<String> current;
    try {
      current = holder.read(iam);
    } catch (AwsFailure e) {
      if (holder.role() && "NoSuchEntity".equals(e.code())) {
        return Denied.notNeeded();
      }
      throw e;
    }
    Scope scope = holder.role() ? Scope.role() : Scope.federatedUsersOf(holder.account());
    Result result = SessionDenials.add(current, denial, now, scope, 0);
    if (!result.changed()) {
      // already denied: by its own statement, or by a cutoff (cutoffAt: its re-issues are owed
      // again, a crash may have come before them)
      return new Denied(
          Outcome.NOT_NEEDED,
          result.cutoffAt(),
          result.size(),
          result.statements(),
          SessionDenials.nextPrune(result.document()));
    }
    try {
      holder.write(iam, result.document());
    } catch (AwsFailure e) {
      // The holder's other inline policies count against the same quota: AWS says when it is full.
      if (!LIMIT_EXCEEDED.equals(e.code()) || result.cutoffAt().isPresent()) {
        throw e;
      }
      result = SessionDenials.cutoff(current, now, scope);
      holder.write(iam, result.document());
    }
    return new Denied(
        result.cutoffAt().isPresent() ? Outcome.CUTOFF : Outcome.DENIED,
        result.cutoffAt(),
        result.size(),
        result.statements(),
        SessionDenials.nextPrune(result.document()));
  }

  /**
   * Drops the statements of {@code policyHolder}'s deny policy whose credential has expired
   * (deletes the policy when none is left); returns when the next one will have ({@link
   * SessionDenials#nextPrune}), or empty when the policy is gone.
   */
  Optional<Instant> prune(ResolvedAuthConfig config, String policyHolder, Instant now) {
    synchronized (holderLocks.computeIfAbsent(policyHolder, k -> new Object())) {
      return pruneAlone(config, policyHolder, now);
    }
  }

  private Optional<Instant> pruneAlone(
      ResolvedAuthConfig config, String policyHolder, Instant now) {
    Holder holder = Holder.of(policyHolder);
    IamGateway iam = clients.iam(sessions.forAccount(config, holder.account()));
    Optional<String> current;
    try {
      current = holder.read(iam);
    } catch (AwsFailure e) {
      if ("NoSuchEntity".equals(e.code())) {
        return Optional.empty();
      }
      throw e;
    }
    Result result = SessionDenials.prune(current, now);
    if (result.changed()) {
      holder.write(iam, result.document());
    }
    return SessionDenials.nextPrune(result.document());
  }

  /** The role or the IAM user that holds the deny policy. */
  record Holder(boolean role, String account, String name) {
    static Holder of(String arn) {
      // arn:<partition>:iam::<account>:role/<path/>name or ...:user/<path/>name
      String resource = arn.split(":", 6)[5];
      return new Holder(resource.startsWith("role/"), Arns.accountId(arn), Arns.name(arn));
    }

    Optional<String> read(IamGateway iam) {
      return role
          ? iam.getRolePolicy(name, SessionDenials.POLICY_NAME)
          : iam.getUserPolicy(name, SessionDenials.POLICY_NAME);
    }

    void write(IamGateway iam, Optional<String> document) {
      if (document.isPresent()) {
        if (role) {
          iam.putRolePolicy(name, SessionDenials.POLICY_NAME, document.get());
        } else {
          iam.putUserPolicy(name, SessionDenials.POLICY_NAME, document.get());
        }
      } else if (role) {
        iam.deleteRolePolicy(name, SessionDenials.POLICY_NAME);
      } else {
        iam.deleteUserPolicy(name, SessionDenials.POLICY_NAME);
      }
    }
  }

  /**
   * An STS session's ARN: {@code arn:<p>:sts::<account>:assumed-role/<role>/<session>} or {@code
   * arn:<p>:sts::<account>:federated-user/<name>}.
   */
  record SessionArn(String account, String role, String name) {
    static SessionArn parse(String arn) {
      String[] resource = arn.split(":", 6)[5].split("/");
      if (resource[0].equals("federated-user")) {
        return new SessionArn(Arns.accountId(arn), null, resource[resource.length - 1]);
      }
      if (resource[0].equals("assumed-role") && resource.length >= 3) {
        return new SessionArn(Arns.accountId(arn), resource[1], resource[2]);
      }
      throw new IllegalArgumentException("not an STS session ARN: " + arn);
    }

    boolean federated() {
      return role == null;
    }
  }
}
