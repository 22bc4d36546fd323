package io.awsauth.operator.role;

import static io.awsauth.operator.status.Conditions.READY;

import io.awsauth.operator.api.v1alpha1.AuthType;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.Reason;
import io.awsauth.operator.api.v1alpha1.SessionIdentityReason;
import io.awsauth.operator.api.v1alpha1.TrustGap;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleReason;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleStatus;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleStatus.BoundPrincipal;
import io.awsauth.operator.authconfig.AuthConfigs;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.Arns;
import io.awsauth.operator.aws.AwsClients;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.IamGateway;
import io.awsauth.operator.cache.ClusterCaches;
import io.awsauth.operator.identity.IamArn;
import io.awsauth.operator.metrics.OperatorMetrics;
import io.awsauth.operator.status.Conditions;
import io.awsauth.operator.status.EventRecorder;
import io.awsauth.operator.status.StatusAggregator;
import io.awsauth.operator.status.UserError;
import io.awsauth.operator.trust.AccountSessions;
import io.awsauth.operator.trust.SessionIdentityTrust;
import io.awsauth.operator.trust.TrustPolicies;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Decides whether a VaultAwsRole can issue: its AwsAuthConfig is Ready, every account its roleArns
 * live in is reachable through a Ready StsRoleBinding, and nothing in it is a combination AWS would
 * refuse. Its AWS calls are reads: the unique IDs of bound principals, and for assumed_role the
 * trust of each roleArn (whether sessions can name their holder: the SessionIdentity condition).
 */
@ControllerConfiguration(
    name = "vaultawsrole",
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public class VaultAwsRoleReconciler implements Reconciler<VaultAwsRole> {
  private static final Duration WAIT_FOR_DEPENDENCIES = Duration.ofSeconds(20);

  /** A trust without session identity is fixed by hand in AWS: look again this soon. */
  static final Duration RECHECK_SESSION_IDENTITY = Duration.ofMinutes(1);

  private static final String CONFIG_INDEX = "auth-config-ref";

  private final AuthConfigs configs;
  private final OperatorMetrics metrics;
  private final AccountSessions sessions;
  private final AwsClients clients;
  private final EventRecorder events;
  private final Conditions conditions;
  private final ClusterCaches caches;

  public VaultAwsRoleReconciler(
      AuthConfigs configs,
      AccountSessions sessions,
      EventRecorder events,
      OperatorMetrics metrics,
      AwsClients clients,
      ClusterCaches caches,
      Clock clock) {
    this.clients = clients;
    this.caches = caches;
    this.metrics = metrics;
    this.configs = configs;
    this.sessions = sessions;
    this.events = events;
    this.conditions = new Conditions(clock);
  }

  @Override
  public UpdateControl<VaultAwsRole> reconcile(VaultAwsRole role, Context<VaultAwsRole> context) {
    var status = StatusAggregator.of(role, VaultAwsRoleStatus::new, conditions);
    Duration retryIn = null;
    try {
      ResolvedAuthConfig config = configs.resolve(role.getSpec().authConfigRef);
      RoleChecks.checkPartition(role.getSpec(), config.partition());
      RoleChecks.check(
          role.getSpec(),
          Boolean.TRUE.equals(config.config().getStatus().sessionCredentials),
          config.accountId());
      boolean assumed = role.getSpec().credentialType == CredentialType.ASSUMED_ROLE;
      if (assumed) {
        for (String arn : role.getSpec().roleArns) {
          sessions.forAccount(config, Arns.accountId(arn));
        }
      }
      if (role.getSpec().authType == AuthType.IAM) {
        resolvePrincipals(role, config);
      }
      status.condition(READY, true, VaultAwsRoleReason.RoleReady, "the role can issue");
      if (assumed) {
        retryIn = checkSessionIdentity(status, role, config);
      } else {
        status.remove(SessionIdentityTrust.CONDITION);
        status.status().sessionIdentityGaps = null;
      }
    } catch (UserError e) {
      metrics.reconcileError("VaultAwsRole", e.reason().name());
      status.condition(READY, false, e.reason(), e.getMessage());
      retryIn = lookAgain(e.reason());
    }
    events.announceTransition(role, status.before(), status.build(true), READY, "Validate");
    UpdateControl<VaultAwsRole> control = status.updateControl();
    return retryIn == null ? control : control.rescheduleAfter(retryIn);
  }

  /**
   * Reads the trust policy of each roleArn (iam:GetRole, in its account) and records the ones that
   * do not let the operator's principal there set a session's source identity and tags, with the
   * statement to add. Never blocks issuance: such a role issues without the identity, and each
   * request says so. Returns when to look again (null: at the periodic look).
   */
  private Duration checkSessionIdentity(
      StatusAggregator<VaultAwsRole, VaultAwsRoleStatus> status,
      VaultAwsRole role,
      ResolvedAuthConfig config) {
    List<TrustGap> gaps = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    for (String arn : role.getSpec().roleArns) {
      String account = Arns.accountId(arn);
      String principal = sessions.principalFor(config, account);
      try {
        Optional<IamGateway.Role> target =
            clients.iam(sessions.forAccount(config, account)).getRole(Arns.name(arn));
        if (target.isEmpty()) {
          unreadable.add(arn + " (no such role)");
          continue;
        }
        List<String> missing = SessionIdentityTrust.missing(target.get().trustPolicy(), principal);
        if (!missing.isEmpty()) {
          gaps.add(new TrustGap(arn, missing, TrustPolicies.sessionIdentityStatement(principal)));
        }
      } catch (AwsFailure e) {
        unreadable.add(arn + " (" + e.code() + ")");
      } catch (IllegalArgumentException e) {
        unreadable.add(arn + " (its trust policy is not a JSON document)");
      }
    }
    status.status().sessionIdentityGaps = gaps.isEmpty() ? null : gaps;
    if (!gaps.isEmpty()) {
      status.condition(
          SessionIdentityTrust.CONDITION,
          false,
          SessionIdentityReason.TrustLacksSessionIdentity,
          "the trust policy of "
              + gaps.stream().map(g -> g.roleArn).collect(Collectors.joining(", "))
              + " does not let the operator set the source identity and session tags that name"
              + " a credential's holder: credentials are issued without them; add"
              + " status.sessionIdentityGaps[].statementToAdd to each role's trust policy");
    } else if (!unreadable.isEmpty()) {
      status.condition(
          SessionIdentityTrust.CONDITION,
          false,
          SessionIdentityReason.TrustUnreadable,
          "could not read the trust policy (iam:GetRole) of " + String.join(", ", unreadable));
    } else {
      status.condition(
          SessionIdentityTrust.CONDITION,
          true,
          SessionIdentityReason.SessionIdentityAllowed,
          "each roleArn's trust lets the operator name the holder of every session");
      return null;
    }
    return RECHECK_SESSION_IDENTITY;
  }

  /**
   * How soon a role refused with this reason is looked at again (null: on a change): a role waiting
   * for its config, a binding or an IAM principal looks again soon.
   */
  static Duration lookAgain(Reason reason) {
    return switch (reason.recheck()) {
      case WAIT_FOR_DEPENDENCY, POLL -> WAIT_FOR_DEPENDENCIES;
      case AFTER_REFUSAL, RETRY_SOON, WAIT_FOR_CHANGE -> null;
    };
  }

  /**
   * Vault's resolved unique IDs: when the role is written (a new generation), each exact bound
   * principal is looked up in its account (iam:GetUser / iam:GetRole, through the account's
   * StsRoleBinding) and its unique ID kept, so that a principal deleted and created again under the
   * same name is not admitted. Not looked up again until the role is written again.
   */
  private void resolvePrincipals(VaultAwsRole role, ResolvedAuthConfig config) {
    VaultAwsRoleStatus status = role.getStatus();
    long generation = role.getMetadata().getGeneration();
    if (Long.valueOf(generation).equals(status.principalsResolvedForGeneration)) {
      return;
    }
    List<String> bound =
        role.getSpec().bindings == null || role.getSpec().bindings.iamPrincipalArns == null
            ? List.of()
            : role.getSpec().bindings.iamPrincipalArns;
    List<BoundPrincipal> resolved = new ArrayList<>();
    for (String arn : bound) {
      if (arn.endsWith("*")) {
        continue;
      }
      IamArn parsed =
          IamArn.parse(arn)
              .orElseThrow(
                  () ->
                      new UserError(
                          VaultAwsRoleReason.InvalidPrincipalArn,
                          arn + " is not a user or role ARN"));
      IamGateway iam = clients.iam(sessions.forAccount(config, parsed.accountId()));
      Optional<String> id =
          switch (parsed.kind()) {
            case USER -> iam.getUser(parsed.name()).map(IamGateway.User::userId);
            case ROLE -> iam.getRole(parsed.name()).map(IamGateway.Role::roleId);
            default -> Optional.empty();
          };
      resolved.add(
          new BoundPrincipal(
              arn,
              id.orElseThrow(
                  () ->
                      new UserError(
                          VaultAwsRoleReason.PrincipalNotFound,
                          "bindings.iamPrincipalArns: "
                              + arn
                              + " does not exist, so its unique ID cannot be resolved; create it"
                              + " or bind it with a trailing *"))));
    }
    status.boundPrincipals = resolved.isEmpty() ? null : resolved;
    status.principalsResolvedForGeneration = generation;
  }

  /**
   * A role waits on its AwsAuthConfig and on the StsRoleBindings of its accounts: their changes
   * reach the roles that name them at once, instead of at the next periodic look.
   */
  @Override
  public List<EventSource<?, VaultAwsRole>> prepareEventSources(
      EventSourceContext<VaultAwsRole> context) {
    context
        .getPrimaryCache()
        .addIndexer(
            CONFIG_INDEX,
            r ->
                r.getSpec() == null || r.getSpec().authConfigRef == null
                    ? List.of()
                    : List.of(r.getSpec().authConfigRef));
    // The configs and bindings are watched once for every controller (ClusterCaches).
    return List.of(
        caches.configEvents("role-configs", c -> rolesOf(context, c.getMetadata().getName())),
        caches.bindingEvents(
            "role-bindings",
            b -> b.getSpec() == null ? Set.of() : rolesOf(context, b.getSpec().authConfigRef)));
  }

  private static Set<ResourceID> rolesOf(EventSourceContext<VaultAwsRole> context, String config) {
    return context.getPrimaryCache().byIndex(CONFIG_INDEX, config).stream()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }
}
