package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.EventReason;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.AwsClients;
import io.awsauth.operator.aws.AwsCredentials;
import io.awsauth.operator.aws.Ec2Gateway;
import io.awsauth.operator.aws.IamGateway;
import io.awsauth.operator.aws.StsGateway;
import io.awsauth.operator.aws.fake.Failures;
import io.awsauth.operator.aws.fake.FakeAwsClients;
import io.awsauth.operator.faults.CrashPoints;
import io.awsauth.operator.metrics.OperatorMetrics;
import io.awsauth.operator.runtime.TestConfig;
import io.awsauth.operator.status.EventRecorder;
import io.awsauth.operator.status.UserError;
import io.awsauth.operator.testenv.MutableClock;
import io.awsauth.operator.trust.AccountSessions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@code aao_issuance_seconds} times the issuance of the type it names: from its first step to the
 * Secret holding the credential. Every step here takes a known time on a mutable clock (each AWS
 * call 10 ms, the Secret-name check 100 ms, the Secret write 5 ms, the write-ahead record 7 ms, the
 * Event 1 s), so the recorded time says which steps it contains.
 */
class IssuanceTimingTest {
  private static final Duration AWS_CALL = Duration.ofMillis(10);
  private static final Duration SECRET_CHECK = Duration.ofMillis(100);
  private static final Duration SECRET_WRITE = Duration.ofMillis(5);
  private static final Duration WRITE_AHEAD = Duration.ofMillis(7);
  private static final Duration EVENT = Duration.ofSeconds(1);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
  private final FakeAwsClients fake = new FakeAwsClients(clock);
  private final CountingClients aws = new CountingClients(fake);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final OperatorMetrics metrics = new OperatorMetrics(registry, clock);
  private final TimedSecrets secrets = new TimedSecrets();
  private final TimedEvents events = new TimedEvents();
  private final RequestStatusWriter statusWriter =
      new RequestStatusWriter(
          new TimedStore(), clock, new CrashPoints(TestConfig.defaults()), metrics);
  private final Issuance issuance =
      new Issuance(
          null,
          new Issuer(
              aws,
              new AccountSessions(aws, null, null),
              new ClusterIdentity(null, TestConfig.of(Map.of("aao.cluster-id", "c1"))),
              clock,
              TestConfig.of(Map.of("aao.iam-user.verify-timeout", "1s"))),
          null,
          secrets,
          statusWriter,
          new CrashPoints(TestConfig.defaults()),
          events,
          metrics,
          clock);

  @Test
  void anStsIssuanceIsItsStsCallAndItsSecretWriteOnly() {
    issue(CredentialType.SESSION_TOKEN);

    assertThat(aws.calls).containsExactly("getSessionToken", "write-secret");
    assertThat(recorded(CredentialType.SESSION_TOKEN, "success"))
        .as("GetSessionToken and the Secret write; not the Secret-name check, nor the Event")
        .isEqualTo(AWS_CALL.plus(SECRET_WRITE));
    assertThat(events.reasons).containsExactly("Issued");
    assertThat(secrets.checks).isEqualTo(1);
  }

  @Test
  void anIamUserIssuanceEndsWithItsSecretNotWithTheRetirementOfOtherKeysOrTheEvent() {
    issue(CredentialType.IAM_USER);

    int untilSecret = aws.calls.indexOf("write-secret");
    assertThat(untilSecret).isPositive();
    assertThat(aws.calls.subList(0, untilSecret))
        .as("the issuance: the user, its policy, its key and the proof that the key works")
        .contains("createUser", "createAccessKey", "getCallerIdentity");
    List<String> after = aws.calls.subList(untilSecret + 1, aws.calls.size());
    assertThat(after)
        .as("after the Secret: nothing to retire, the user was created by this issuance")
        .isEmpty();
    assertThat(aws.calls).doesNotContain("listAccessKeys");
    long awsCallsBefore =
        aws.calls.subList(0, untilSecret).stream().filter(c -> !c.equals("write-ahead")).count();
    assertThat(recorded(CredentialType.IAM_USER, "success"))
        .as("the write-ahead record, the IAM and STS calls up to the Secret, the Secret write")
        .isEqualTo(WRITE_AHEAD.plus(AWS_CALL.multipliedBy(awsCallsBefore)).plus(SECRET_WRITE));
    assertThat(events.reasons).containsExactly("Issued");
  }

  @Test
  void anAdoptedUserHasItsOtherKeysRetiredAfterTheSecret() {
    issue(CredentialType.IAM_USER); // an earlier attempt: the user and a key exist
    String userName = fake.fakeIam().userNames().iterator().next();
    String earlier = fake.fakeIam().user(userName).keys.keySet().iterator().next();
    aws.calls.clear();

    issue(CredentialType.IAM_USER); // its status lost: the user is adopted (its UID tag)

    int untilSecret = aws.calls.indexOf("write-secret");
    assertThat(aws.calls.subList(0, untilSecret))
        .as("before the new key: the adopted user's keys go")
        .containsSubsequence("createUser", "getUser", "listAccessKeys", "createAccessKey");
    assertThat(aws.calls.subList(untilSecret + 1, aws.calls.size()))
        .as("after the Secret: the user's other keys are looked at")
        .contains("listAccessKeys");
    assertThat(fake.fakeIam().user(userName).keys).hasSize(1).doesNotContainKey(earlier);
  }

  @Test
  void aFailedAwsCallIsRecordedAsAFailureOfThatTypeWithTheTimeUntilIt() {
    fake.fakeSts().failures().once("sts:GetFederationToken", Failures.throttled("x"));

    assertThatThrownBy(() -> issue(CredentialType.FEDERATION_TOKEN)).hasMessageContaining("x");

    assertThat(recorded(CredentialType.FEDERATION_TOKEN, "failure")).isEqualTo(AWS_CALL);
    assertThat(timer(CredentialType.FEDERATION_TOKEN, "success")).isNull();
    assertThat(secrets.writes).isZero();
  }

  @Test
  void aSecretNameThatIsNotTheRequestsIsARefusalNotAFailedIssuance() {
    secrets.refuse = true;

    assertThatThrownBy(() -> issue(CredentialType.ASSUMED_ROLE)).isInstanceOf(UserError.class);

    assertThat(aws.calls).isEmpty();
    assertThat(timer(CredentialType.ASSUMED_ROLE, "failure")).isNull();
    assertThat(timer(CredentialType.ASSUMED_ROLE, "success")).isNull();
  }

  @Test
  void eachTypeIsRecordedUnderItsOwnName() {
    issue(CredentialType.SESSION_TOKEN);
    issue(CredentialType.ASSUMED_ROLE);

    assertThat(timer(CredentialType.SESSION_TOKEN, "success").count()).isEqualTo(1);
    assertThat(timer(CredentialType.ASSUMED_ROLE, "success").count()).isEqualTo(1);
    assertThat(timer(CredentialType.FEDERATION_TOKEN, "success")).isNull();
    assertThat(timer(CredentialType.IAM_USER, "success")).isNull();
  }

  // ---- the issuance under test ----

  private void issue(CredentialType type) {
    VaultAwsRole role = role(type);
    AwsCredentialRequest request = request(type);
    ResolvedAuthConfig config = FakeConfigs.resolved("default");
    config.config().setSpec(new AwsAuthConfigSpec());
    LeaseTerms terms = LeaseTerms.of(request, role.getSpec(), FakeAwsClients.ACCOUNT, false);
    RequestOutcome outcome = statusWriter.begin(request);
    issuance.issue(outcome, role, config, terms, Optional.empty(), null, false);
  }

  private static VaultAwsRole role(CredentialType type) {
    VaultAwsRole role = new VaultAwsRole();
    role.setMetadata(new ObjectMetaBuilder().withName("app").build());
    role.setSpec(new VaultAwsRoleSpec());
    role.getSpec().credentialType = type;
    role.getSpec().authConfigRef = "default";
    if (type != CredentialType.SESSION_TOKEN) {
      role.getSpec().policyDocument =
          Serialization.jsonMapper()
              .createObjectNode()
              .put("Version", "2012-10-17")
              .set(
                  "Statement",
                  Serialization.jsonMapper()
                      .createArrayNode()
                      .add(
                          Serialization.jsonMapper()
                              .createObjectNode()
                              .put("Effect", "Allow")
                              .put("Action", "ec2:*")
                              .put("Resource", "*")));
    }
    if (type == CredentialType.ASSUMED_ROLE) {
      role.getSpec().roleArns = List.of("arn:aws:iam::" + FakeAwsClients.ACCOUNT + ":role/app");
    }
    return role;
  }

  private static AwsCredentialRequest request(CredentialType type) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("payments")
            .withName("ledger-" + type.wireName().replace('_', '-'))
            .withUid("uid-" + type.wireName())
            .withGeneration(1L)
            .withResourceVersion("1")
            // iam_user: the finalizer is held already (adding it is an API write of its own)
            .withFinalizers(AwsCredentialRequestReconciler.FINALIZER)
            .build());
    r.setSpec(new AwsCredentialRequestSpec());
    r.getSpec().roleRef = "app";
    r.getSpec().ttl = "1h";
    r.setStatus(new AwsCredentialRequestStatus());
    r.getStatus().conditions = new ArrayList<>();
    return r;
  }

  private Duration recorded(CredentialType type, String outcome) {
    Timer t = timer(type, outcome);
    assertThat(t).as("aao.issuance{type=%s,outcome=%s}", type.wireName(), outcome).isNotNull();
    return Duration.ofNanos((long) t.totalTime(TimeUnit.NANOSECONDS));
  }

  private Timer timer(CredentialType type, String outcome) {
    return registry
        .find("aao.issuance")
        .tag("type", type.wireName())
        .tag("outcome", outcome)
        .timer();
  }

  // ---- fakes that take time ----

  /**
   * The fake account, every STS and IAM call of it taking {@link #AWS_CALL}; {@code calls}: those
   * calls and the writes of the fakes below, in order.
   */
  private final class CountingClients implements AwsClients {
    final List<String> calls = new ArrayList<>();
    private final FakeAwsClients delegate;

    CountingClients(FakeAwsClients delegate) {
      this.delegate = delegate;
    }

    @SuppressWarnings("unchecked")
    private <T> T slow(Class<T> port, T target) {
      return (T)
          Proxy.newProxyInstance(
              port.getClassLoader(),
              new Class<?>[] {port},
              (proxy, method, args) -> {
                if (method.getDeclaringClass() == Object.class) {
                  return method.invoke(target, args);
                }
                calls.add(method.getName());
                clock.advance(AWS_CALL);
                try {
                  return method.invoke(target, args);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
              });
    }

    @Override
    public StsGateway sts(AwsClientSettings settings) {
      return slow(StsGateway.class, delegate.sts(settings));
    }

    @Override
    public IamGateway iam(AwsClientSettings settings) {
      return slow(IamGateway.class, delegate.iam(settings));
    }

    @Override
    public Ec2Gateway ec2(AwsClientSettings settings, String region) {
      return slow(Ec2Gateway.class, delegate.ec2(settings, region));
    }

    @Override
    public <T> T withSts(AwsClientSettings settings, Function<StsGateway, T> call) {
      return delegate.withSts(settings, sts -> call.apply(slow(StsGateway.class, sts)));
    }

    @Override
    public AwsCredentials.RoleSession assumedRole(
        AwsClientSettings base, String roleArn, String sessionName, Optional<String> externalId) {
      return delegate.assumedRole(base, roleArn, sessionName, externalId);
    }
  }

  /** The Secret side: the name check and the write, each taking its time. */
  private final class TimedSecrets extends CredentialSecretWriter {
    int checks;
    int writes;
    boolean refuse;

    TimedSecrets() {
      super(null);
    }

    @Override
    void assertUsable(AwsCredentialRequest request, Optional<Secret> current) {
      checks++;
      clock.advance(SECRET_CHECK);
      if (refuse) {
        throw new UserError(AwsCredentialRequestReason.SecretNotOwned, "not the request's");
      }
    }

    @Override
    Secret write(
        AwsCredentialRequest request,
        Context<AwsCredentialRequest> context,
        Optional<Secret> current,
        Secret desired) {
      writes++;
      clock.advance(SECRET_WRITE);
      aws.calls.add("write-secret");
      return desired;
    }
  }

  /** The status store: the write-ahead record takes its time. */
  private final class TimedStore implements RequestStatusWriter.StatusStore {
    @Override
    public AwsCredentialRequest patchStatus(AwsCredentialRequest request) {
      return request;
    }

    @Override
    public Optional<AwsCredentialRequest> read(AwsCredentialRequest request) {
      return Optional.of(request);
    }

    @Override
    public AwsCredentialRequest applyStatus(AwsCredentialRequest request) {
      clock.advance(WRITE_AHEAD);
      aws.calls.add("write-ahead");
      return request;
    }
  }

  /** The Events, each taking a second. */
  private final class TimedEvents extends EventRecorder {
    final List<String> reasons = new ArrayList<>();

    TimedEvents() {
      super(null, clock);
    }

    @Override
    public void record(HasMetadata about, EventReason reason, String message) {
      clock.advance(EVENT);
      reasons.add(reason.name());
    }
  }
}
