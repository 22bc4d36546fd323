package io.awsauth.operator.trust;

import static io.awsauth.operator.status.Conditions.READY;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.AwsReason;
import io.awsauth.operator.api.v1alpha1.EventReason;
import io.awsauth.operator.api.v1alpha1.Reason;
import io.awsauth.operator.api.v1alpha1.SessionIdentityReason;
import io.awsauth.operator.api.v1alpha1.StsRoleBinding;
import io.awsauth.operator.api.v1alpha1.StsRoleBindingReason;
import io.awsauth.operator.api.v1alpha1.StsRoleBindingSpec;
import io.awsauth.operator.api.v1alpha1.StsRoleBindingStatus;
import io.awsauth.operator.api.v1alpha1.TrustGap;
import io.awsauth.operator.authconfig.AuthConfigSettings;
import io.awsauth.operator.authconfig.AuthConfigs;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.AwsClients;
import io.awsauth.operator.aws.AwsCredentials;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.aws.IamAction;
import io.awsauth.operator.aws.IamGateway;
import io.awsauth.operator.aws.Partition;
import io.awsauth.operator.aws.SessionCredentials;
import io.awsauth.operator.aws.StsGateway;
import io.awsauth.operator.aws.sdk.AwsErrors;
import io.awsauth.operator.cache.ClusterCaches;
import io.awsauth.operator.metrics.OperatorMetrics;
import io.awsauth.operator.status.Conditions;
import io.awsauth.operator.status.EventRecorder;
import io.awsauth.operator.status.StatusAggregator;
import io.awsauth.operator.status.StatusUpdates;
import io.awsauth.operator.status.UserError;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Cross-account trust (Vault's auth/aws/config/sts/&lt;account&gt;): assumes the binding's role
 * with its external ID and checks it landed in the right account. With {@code trust.manage} it
 * first makes the trust real, using the binding's administrator credentials.
 */
@ControllerConfiguration(
    name = "stsrolebinding",
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
public class StsRoleBindingReconciler
    implements Reconciler<StsRoleBinding>, Cleaner<StsRoleBinding> {
  public static final String TRUST_READY = "TrustReady";
  static final String MANAGED_BY_TAG = "app.kubernetes.io/managed-by";
  static final String BINDING_TAG = "awsauth.io/stsrolebinding-uid";
  static final String MANAGED_BY = "aws-auth-operator";
  private static final Duration WAIT_FOR_CONFIG = Duration.ofSeconds(20);

  /** Missing trust is often fixed by hand (status.requiredTrustPolicy): look again soon. */
  private static final Duration RECHECK_MISSING_TRUST = Duration.ofSeconds(15);

  private static final Logger LOG = Logger.getLogger(StsRoleBindingReconciler.class);

  private final AuthConfigs configs;
  private final OperatorMetrics metrics;
  private final AuthConfigSettings settings;
  private final AccountSessions sessions;
  private final AwsClients clients;
  private final EventRecorder events;
  private final Conditions conditions;
  private static final String ROLE_TO_ASSUME_POLICY = resource("/iam/role-to-assume-policy.json");
  private final ClusterCaches caches;
  private static final String CONFIG_INDEX = "authConfigRef";

  public StsRoleBindingReconciler(
      AuthConfigs configs,
      AuthConfigSettings settings,
      AccountSessions sessions,
      AwsClients clients,
      EventRecorder events,
      OperatorMetrics metrics,
      ClusterCaches caches,
      Clock clock) {
    this.caches = caches;
    this.metrics = metrics;
    this.configs = configs;
    this.settings = settings;
    this.sessions = sessions;
    this.clients = clients;
    this.events = events;
    this.conditions = new Conditions(clock);
  }

  @Override
  public UpdateControl<StsRoleBinding> reconcile(
      StsRoleBinding binding, Context<StsRoleBinding> context) {
    var status = StatusAggregator.of(binding, StsRoleBindingStatus::new, conditions);
    Reason failed = null;
    TrustPlan plan = null;
    try {
      ResolvedAuthConfig config = configs.resolve(binding.getSpec().authConfigRef);
      checkPartition(binding.getSpec().roleArn, config.partition());
      plan = TrustPlan.of(binding, config.callerArn());
      if (binding.getSpec().trust != null && binding.getSpec().trust.manage) {
        plan = manageTrust(binding, config, plan);
      }
      CallerIdentity landed = verify(binding, config);
      status.status().assumedRoleArn = landed.arn();
      status.status().requiredTrustPolicy = null;
      status.status().requiredCallerPolicy = null;
      status
          .condition(
              TRUST_READY,
              true,
              StsRoleBindingReason.AssumeRoleSucceeded,
              "assumed " + binding.getSpec().roleArn + " as " + landed.arn())
          .condition(READY, true, StsRoleBindingReason.TrustReady, "trust into account verified");
    } catch (UserError e) {
      failed = e.reason();
      notReady(status, failed, e.getMessage(), plan);
    } catch (AwsFailure e) {
      if (!e.isTerminal()) {
        throw e;
      }
      sessions.forget(binding.getMetadata().getName());
      failed = reasonFor(e);
      notReady(status, failed, explain(e, binding), plan);
    }
    recordSessionIdentity(status, binding);
    events.announceTransition(
        binding, status.before(), status.build(true), TRUST_READY, "VerifyTrust");
    UpdateControl<StsRoleBinding> control = status.updateControl();
    Duration retryIn = failed == null ? null : lookAgain(failed);
    return retryIn == null ? control : control.rescheduleAfter(retryIn);
  }

  /**
   * The SessionIdentity condition: whether the target roles in the binding's account, as the
   * VaultAwsRoles naming them found their trust, let the binding's role name each session's holder.
   * Makes no AWS call; absent while no assumed_role VaultAwsRole of the config names a role there.
   */
  private void recordSessionIdentity(
      StatusAggregator<StsRoleBinding, StsRoleBindingStatus> status, StsRoleBinding binding) {
    Optional<List<TrustGap>> gaps =
        SessionIdentityTrust.gapsIn(
            binding.getSpec().accountId, binding.getSpec().authConfigRef, caches.roles());
    if (gaps.isEmpty()) {
      status.remove(SessionIdentityTrust.CONDITION);
      status.status().sessionIdentityGaps = null;
    } else if (gaps.get().isEmpty()) {
      status.status().sessionIdentityGaps = null;
      status.condition(
          SessionIdentityTrust.CONDITION,
          true,
          SessionIdentityReason.SessionIdentityAllowed,
          "the trust of every target role in account "
              + binding.getSpec().accountId
              + " lets the operator name the holder of every session");
    } else {
      status.status().sessionIdentityGaps = gaps.get();
      status.condition(
          SessionIdentityTrust.CONDITION,
          false,
          SessionIdentityReason.TrustLacksSessionIdentity,
          "the trust policy of "
              + gaps.get().stream().map(g -> g.roleArn).collect(Collectors.joining(", "))
              + " does not let "
              + binding.getSpec().roleArn
              + " set the source identity and session tags that name a credential's holder:"
              + " credentials are issued without them; add"
              + " status.sessionIdentityGaps[].statementToAdd to each role's trust policy");
    }
  }

  /**
   * How soon a binding whose trust failed with this reason is looked at again (null: on change).
   */
  static Duration lookAgain(Reason reason) {
    return switch (reason.recheck()) {
      case WAIT_FOR_DEPENDENCY -> WAIT_FOR_CONFIG;
      case AFTER_REFUSAL -> RECHECK_MISSING_TRUST;
      case POLL, RETRY_SOON, WAIT_FOR_CHANGE -> null;
    };
  }

  /** AssumeRole with the operator's own identity, then GetCallerIdentity as the role. */
  private CallerIdentity verify(StsRoleBinding binding, ResolvedAuthConfig config) {
    StsRoleBindingSpec spec = binding.getSpec();
    SessionCredentials assumed =
        clients
            .sts(config.settings())
            .assumeRole(
                spec.roleArn,
                AccountSessions.SESSION_NAME,
                Optional.ofNullable(spec.externalId),
                900);
    CallerIdentity landed =
        clients.withSts(
            AuthConfigSettings.withCredentials(
                config.settings(), AwsCredentials.of(assumed), "verify"),
            StsGateway::getCallerIdentity);
    if (!spec.accountId.equals(landed.account())) {
      throw new UserError(
          StsRoleBindingReason.AccountMismatch,
          "assuming "
              + spec.roleArn
              + " landed in account "
              + landed.account()
              + ", not "
              + spec.accountId);
    }
    return landed;
  }

  /**
   * Creates the role when missing or merges the operator's statement into its trust policy,
   * attaches the permissions the operator needs there, and allows the operator's own IAM user to
   * assume it. Returns the plan with the trust document as it now stands.
   */
  private TrustPlan manageTrust(StsRoleBinding binding, ResolvedAuthConfig config, TrustPlan plan) {
    IamGateway admin = adminIam(binding, config);
    Optional<IamGateway.Role> role = admin.getRole(plan.roleName());
    String trust;
    if (role.isEmpty()) {
      trust = TrustPolicies.document(plan.trustStatement());
      admin.createRole(
          plan.roleName(),
          plan.rolePath(),
          trust,
          Map.of(MANAGED_BY_TAG, MANAGED_BY, BINDING_TAG, binding.getMetadata().getUid()));
      events.record(binding, EventReason.RoleCreated, "created " + binding.getSpec().roleArn);
    } else if (!TrustPolicies.contains(role.get().trustPolicy(), plan.trustStatement())) {
      trust = TrustPolicies.merge(Optional.of(role.get().trustPolicy()), plan.trustStatement());
      admin.updateAssumeRolePolicy(plan.roleName(), trust);
      events.record(
          binding,
          EventReason.TrustPolicyUpdated,
          "added statement " + plan.sid() + " to the trust policy of " + binding.getSpec().roleArn);
    } else {
      trust = role.get().trustPolicy();
    }
    admin.putRolePolicy(plan.roleName(), plan.sid(), roleToAssumePolicyIn(config.partition().id()));
    plan.operatorUserName()
        .ifPresent(
            user -> {
              try {
                clients
                    .iam(config.settings())
                    .putUserPolicy(user, plan.sid(), plan.callerDocument());
              } catch (AwsFailure e) {
                if (!e.isTerminal()) {
                  throw e;
                }
                LOG.infof(
                    "StsRoleBinding %s: could not allow %s sts:AssumeRole itself (%s); relying on"
                        + " its existing policies",
                    binding.getMetadata().getName(), user, e.code());
              }
            });
    return plan.withTrustDocument(trust);
  }

  /** IAM in the remote account, as the binding's administrator credentials. */
  private IamGateway adminIam(StsRoleBinding binding, ResolvedAuthConfig config) {
    return clients.iam(
        settings.withSecretCredentials(
            config.config(), binding.getSpec().trust.adminSecretRef, "spec.trust.adminSecretRef"));
  }

  @Override
  public DeleteControl cleanup(StsRoleBinding binding, Context<StsRoleBinding> context) {
    sessions.forget(binding.getMetadata().getName());
    if (binding.getSpec().trust == null || !binding.getSpec().trust.manage) {
      return DeleteControl.defaultDelete();
    }
    try {
      ResolvedAuthConfig config = configs.resolve(binding.getSpec().authConfigRef);
      TrustPlan plan = TrustPlan.of(binding, config.callerArn());
      IamGateway admin = adminIam(binding, config);
      admin.deleteRolePolicy(plan.roleName(), plan.sid());
      Optional<IamGateway.Role> role = admin.getRole(plan.roleName());
      if (role.isPresent()) {
        String remaining = TrustPolicies.remove(role.get().trustPolicy(), plan.sid());
        boolean createdByThisBinding =
            binding.getMetadata().getUid().equals(role.get().tags().get(BINDING_TAG));
        if (createdByThisBinding && TrustPolicies.isEmpty(remaining)) {
          admin.deleteRole(plan.roleName());
        } else if (!remaining.equals(role.get().trustPolicy())) {
          admin.updateAssumeRolePolicy(plan.roleName(), remaining);
        }
      }
      plan.operatorUserName()
          .ifPresent(user -> clients.iam(config.settings()).deleteUserPolicy(user, plan.sid()));
    } catch (UserError | AwsFailure e) {
      if (e instanceof AwsFailure f && !f.isTerminal()) {
        throw f;
      }
      events.record(
          binding,
          EventReason.TrustCleanupSkipped,
          "could not remove the operator's trust statements: " + e.getMessage());
    }
    return DeleteControl.defaultDelete();
  }

  /**
   * The Role-to-Assume's own policy, naming the roles of {@code partition} (aws, aws-cn,
   * aws-us-gov): the caller's, which is also the role's ({@link #checkPartition}).
   */
  static String roleToAssumePolicyIn(String partition) {
    return ROLE_TO_ASSUME_POLICY.replace("${partition}", partition);
  }

  /**
   * A role in another partition than the operator's caller can never be assumed (partitions share
   * no principals): refused before any AWS call.
   */
  static void checkPartition(String roleArn, Partition caller) {
    String role = Partition.idOf(roleArn);
    if (!role.equals(caller.id())) {
      throw new UserError(
          StsRoleBindingReason.PartitionMismatch,
          "spec.roleArn "
              + roleArn
              + " is in partition "
              + role
              + ", the AwsAuthConfig's caller in "
              + caller.id()
              + ": a role is assumable only from its own partition");
    }
  }

  @Override
  public ErrorStatusUpdateControl<StsRoleBinding> updateErrorStatus(
      StsRoleBinding binding, Context<StsRoleBinding> context, Exception e) {
    if (StatusUpdates.isConflict(e)) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    var status = StatusAggregator.of(binding, StsRoleBindingStatus::new, conditions);
    AwsFailure failure = AwsErrors.classify("reconcile", e);
    LOG.infof(
        "StsRoleBinding %s: %s (will retry)",
        binding.getMetadata().getName(), failure.getMessage());
    notReady(status, failure.reason(), failure.getMessage(), null);
    events.announceTransition(
        binding, status.before(), status.build(false), TRUST_READY, "VerifyTrust");
    return status.errorStatusUpdateControl();
  }

  private void notReady(
      StatusAggregator<StsRoleBinding, StsRoleBindingStatus> status,
      Reason reason,
      String message,
      TrustPlan plan) {
    metrics.reconcileError("StsRoleBinding", reason.name());
    status.status().assumedRoleArn = null;
    if (plan != null) {
      status.status().requiredTrustPolicy = plan.trustDocument();
      status.status().requiredCallerPolicy = plan.callerDocument();
    }
    status.condition(TRUST_READY, false, reason, message).condition(READY, false, reason, message);
  }

  /** AWS's AccessDenied, said for what was denied: assuming the role, or managing its trust. */
  static Reason reasonFor(AwsFailure e) {
    if (e.reason() == AwsReason.AccessDenied) {
      return IamAction.STS_ASSUME_ROLE.action().equals(e.operation())
          ? StsRoleBindingReason.AssumeRoleDenied
          : StsRoleBindingReason.TrustNotManageable;
    }
    return e.reason();
  }

  private static String explain(AwsFailure e, StsRoleBinding binding) {
    if (reasonFor(e) == StsRoleBindingReason.AssumeRoleDenied) {
      return e.getMessage()
          + ". The role's trust policy must admit the operator's principal"
          + (binding.getSpec().externalId == null ? "" : " with this external ID")
          + " (status.requiredTrustPolicy), and the operator's principal must be allowed"
          + " sts:AssumeRole on it (status.requiredCallerPolicy).";
    }
    return e.getMessage();
  }

  private static String resource(String path) {
    try (InputStream in = StsRoleBindingReconciler.class.getResourceAsStream(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the trust of one binding consists of: the statements and documents it needs. */
  record TrustPlan(
      String sid,
      String roleName,
      String rolePath,
      ObjectNode trustStatement,
      String trustDocument,
      String callerDocument,
      Optional<String> operatorUserName) {
    static TrustPlan of(StsRoleBinding binding, String operatorCallerArn) {
      StsRoleBindingSpec spec = binding.getSpec();
      String sid = TrustPolicies.sid(binding.getMetadata().getUid());
      Principals.RoleName role = Principals.roleName(spec.roleArn);
      ObjectNode statement =
          TrustPolicies.trustStatement(
              sid, Principals.principalOf(operatorCallerArn), Optional.ofNullable(spec.externalId));
      return new TrustPlan(
          sid,
          role.name(),
          role.path(),
          statement,
          TrustPolicies.document(statement),
          TrustPolicies.document(TrustPolicies.assumeRoleStatement(sid, spec.roleArn)),
          Principals.userName(operatorCallerArn));
    }

    TrustPlan withTrustDocument(String document) {
      return new TrustPlan(
          sid, roleName, rolePath, trustStatement, document, callerDocument, operatorUserName);
    }
  }

  /**
   * A binding waits on its AwsAuthConfig: a change of the config (it becomes Ready, its identity
   * changes) looks at its bindings at once, through the one watch of configs (ClusterCaches).
   */
  @Override
  public List<EventSource<?, StsRoleBinding>> prepareEventSources(
      EventSourceContext<StsRoleBinding> context) {
    context
        .getPrimaryCache()
        .addIndexer(
            CONFIG_INDEX,
            b ->
                b.getSpec() == null || b.getSpec().authConfigRef == null
                    ? List.of()
                    : List.of(b.getSpec().authConfigRef));
    return List.of(
        caches.configEvents(
            "binding-configs",
            c ->
                context.getPrimaryCache().byIndex(CONFIG_INDEX, c.getMetadata().getName()).stream()
                    .map(ResourceID::fromResource)
                    .collect(Collectors.toSet())),
        // A VaultAwsRole's findings on the trust of its roleArns reach the bindings of their
        // accounts (the SessionIdentity condition).
        caches.roleEvents(
            "binding-roles",
            r ->
                r.getSpec() == null || r.getSpec().authConfigRef == null
                    ? Set.of()
                    : context
                        .getPrimaryCache()
                        .byIndex(CONFIG_INDEX, r.getSpec().authConfigRef)
                        .stream()
                        .filter(
                            b ->
                                SessionIdentityTrust.accountsOf(r, r.getSpec().authConfigRef)
                                    .contains(b.getSpec().accountId))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet())));
  }
}
