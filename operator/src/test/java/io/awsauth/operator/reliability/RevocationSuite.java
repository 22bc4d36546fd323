package io.awsauth.operator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestStatus;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Emulator;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorProcess;
import io.awsauth.operator.testenv.SecretHygiene;
import io.awsauth.operator.testenv.SuiteRequests;
import io.awsauth.operator.testenv.SuiteRoles;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;

/**
 * Issue 18, deliverable 3: early revocation of STS credentials, measured. {@code N} requests per
 * STS type (assumed_role: sessions of one IAM role; federation_token: federated users of the
 * operator's IAM user), each credential first shown to make one allowed call
 * (ec2:DescribeInstances) and to be refused one its role does not allow (ec2:DescribeRegions). Then
 * half of them are revoked at once: some by deleting the request, some because their VaultAwsRole
 * no longer binds their namespace (a second VaultAwsRole of the same holder, so that the change
 * reconciles only them), some because the pod their lease is bound to is deleted (the operator
 * looks for it every 15 s). For each, the time from that event to the first refused allowed call
 * (each polled every 100 ms) is printed as p50/p99/max per type and per cause; every sibling must
 * keep working, during the revocations (each looked at every second) and after the last one is
 * refused; the deny policy's size (statements, and characters as AWS counts them) is printed per
 * holder. A session_token request is deleted with them: the operator does not deny session tokens
 * (docs/revocation.md), and the suite shows its credential still working.
 *
 * <p>Then, unless {@code -Daao.suite.prune=false}, expiry pruning: the leases are of 15 minutes
 * (the shortest STS session); the suite waits until the revoked credentials have expired and prints
 * each deny policy once the operator has removed their statements, and how long after the last
 * expiry. The operator prunes each policy when its first statement's credential has expired (plus
 * SessionDenials.EXPIRY_MARGIN), not at its 30-minute sweep (left at its default here). About 16
 * minutes in all; 2 without it.
 *
 * <p>Run with {@code mvn -pl operator verify -Preliability -Dit.test=RevocationSuite}; {@code
 * -Daao.suite.requests=N} (per type, default 8, at least 6), {@code -Daao.suite.prune=false}.
 */
@Reliability
class RevocationSuite {
  static final String LABEL = SuiteRequests.UNDER_TEST;
  static final String VALUE = "revocation-suite";
  static final String NS = "aao-revocation-suite";
  static final String NS_UNBOUND = "aao-revocation-suite-unbound";
  static final String POLICY = "aws-auth-operator-revocations";
  static final int PER_TYPE = Integer.getInteger("aao.suite.requests", 8);
  static final boolean PRUNE = Boolean.parseBoolean(System.getProperty("aao.suite.prune", "true"));
  static final String TTL = "15m";

  /** How long after the last revoked credential's expiry its statement must be gone. */
  static final Duration PRUNED_WITHIN = Duration.ofSeconds(90);

  static final Duration POLL = Duration.ofMillis(100);
  static final Duration SIBLING_POLL = Duration.ofSeconds(1);
  static final Duration REFUSED_WITHIN = Duration.ofMinutes(2);
  static final List<CredentialType> TYPES =
      List.of(CredentialType.ASSUMED_ROLE, CredentialType.FEDERATION_TOKEN);
  static final String EC2_DESCRIBE =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          + "\"Action\":\"ec2:DescribeInstances\",\"Resource\":\"*\"}]}";

  /** What ends a lease before it expires; NONE: a sibling, which keeps its credential. */
  enum Cause {
    DELETED("request deleted"),
    UNBOUND("namespace no longer bound"),
    POD_DELETED("bound pod deleted"),
    NONE("sibling");

    final String label;

    Cause(String label) {
      this.label = label;
    }
  }

  /** One request of the suite and the credential it was first issued. */
  static final class Lease {
    final CredentialType type;
    final Cause cause;
    final AwsCredentialRequest request;
    AwsCredentials credential;
    AwsCredentialRequestStatus issued;
    volatile Instant event;
    volatile Long refusedAfterMillis;

    Lease(CredentialType type, Cause cause, AwsCredentialRequest request) {
      this.type = type;
      this.cause = cause;
      this.request = request;
    }

    String name() {
      return request.getMetadata().getNamespace() + "/" + request.getMetadata().getName();
    }
  }

  private TestEnvironment env;
  private KubernetesClient client;
  private String run;
  private String operatorUser;
  private String target;
  private final Map<CredentialType, String> roles = new EnumMap<>(CredentialType.class);
  private final Map<CredentialType, String> narrowedRoles = new EnumMap<>(CredentialType.class);
  private final List<Lease> leases = new ArrayList<>();
  private final Map<String, String> siblingRefusals = new ConcurrentHashMap<>();
  private final SecretHygiene hygiene = new SecretHygiene();
  private final Map<AwsCredentials, Ec2Client> ec2Clients = new ConcurrentHashMap<>();

  @Test
  void eachRevokedCredentialIsRefusedWithinAMeasuredTimeAndEverySiblingKeepsWorking()
      throws Exception {
    assertThat(PER_TYPE).as("-Daao.suite.requests: at least 6 per type").isGreaterThanOrEqualTo(6);
    env = TestEnvironment.get();
    client = env.client();
    run = Aws.unique("r").substring(2);
    Instant started = Instant.now();
    System.out.printf(
        "revocation suite: %d requests per STS type, %d revoked, leases of %s, expiry pruning %s%n",
        PER_TYPE, PER_TYPE / 2, TTL, PRUNE ? "on (-Daao.suite.prune=false skips it)" : "skipped");
    for (String ns : List.of(NS, NS_UNBOUND)) {
      Fixtures.namespace(client, ns);
      Fixtures.serviceAccount(client, ns, "default");
    }
    AwsAuthConfig config = arrange();
    // The suite's own probes (ec2:DescribeInstances every 100 ms per revoked credential) are not
    // throttled; the operator's IAM, STS calls keep the build's buckets (docs/development.md).
    Emulator.configure(
        env,
        "{\"accounts\":{\""
            + TestEnvironment.ACCOUNT_A
            + "\":{\"throttle\":{\"ec2:DescribeInstances\":{\"rate\":2000,\"burst\":2000}}}}}");
    Map<String, String> props = new HashMap<>();
    for (String c :
        List.of("awscredentialrequest", "vaultawsrole", "awsauthconfig", "stsrolebinding")) {
      props.put("quarkus.operator-sdk.controllers." + c + ".selector", LABEL);
    }
    // pruning at expiry is measured: the sweep (which also prunes) stays at its 30 minutes
    props.put("aao.orphan-sweep.interval", "30m");
    try (OperatorProcess operator = OperatorProcess.start(env, "revocation-suite-" + run, props)) {
      try {
        await()
            .atMost(Duration.ofMinutes(2))
            .until(
                () -> client.resources(AwsAuthConfig.class).resource(config).get(),
                c -> c.getStatus() != null && c.getStatus().isTrue("Ready"));
        List<String> all = new ArrayList<>(roles.values());
        all.addAll(narrowedRoles.values());
        SuiteRequests.awaitRolesReady(client, all, Duration.ofMinutes(2), Duration.ofMillis(500));
        Lease sessionToken = issueAll();
        revokeAndMeasure(sessionToken);
        if (PRUNE) {
          pruneAfterExpiry();
        }
        SecretHygiene.Report scan = hygiene.scan(client, List.of(operator.log()));
        System.out.println(scan.summary());
        scan.assertClean();
      } finally {
        ec2Clients.values().forEach(Ec2Client::close);
        cleanUp();
        Emulator.configure(
            env,
            "{\"accounts\":{\""
                + TestEnvironment.ACCOUNT_A
                + "\":{\"throttle\":{\"ec2:DescribeInstances\":null}}}}");
      }
    }
    System.out.printf(
        "revocation suite: done in %d s%n", Duration.between(started, Instant.now()).toSeconds());
  }

  // --- set-up --------------------------------------------------------------------------------

  /**
   * The operator's IAM user (config/iam/operator-policy.json attached as a managed policy, as
   * docs/revocation.md advises, so that its 2,048 inline characters hold only deny statements), its
   * AwsAuthConfig, the IAM role assumed_role requests assume (it allows ec2:DescribeInstances), and
   * one VaultAwsRole per STS type bound to both namespaces.
   */
  private AwsAuthConfig arrange() throws IOException {
    operatorUser = "rs-root-" + run;
    AwsAccount key;
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      String document =
          Files.readString(TestEnvironment.repoRoot().resolve("config/iam/operator-policy.json"));
      String policyArn =
          iam.createPolicy(r -> r.policyName("rs-operator-" + run).policyDocument(document))
              .policy()
              .arn();
      iam.createUser(r -> r.userName(operatorUser));
      iam.attachUserPolicy(r -> r.userName(operatorUser).policyArn(policyArn));
      AccessKey k = iam.createAccessKey(r -> r.userName(operatorUser)).accessKey();
      key = new AwsAccount(TestEnvironment.ACCOUNT_A, k.accessKeyId(), k.secretAccessKey());
    }
    Fixtures.credentialsSecret(client, NS, "operator-" + run, key);
    AwsAuthConfig config =
        Fixtures.authConfig("rs-" + run, NS, "operator-" + run, env.awsEndpoint());
    config.getMetadata().setLabels(Map.of(LABEL, VALUE));
    client.resource(config).create();
    target = "rs-target-" + run;
    String targetArn = SuiteRoles.targetRole(env, target, 3600);
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.putRolePolicy(r -> r.roleName(target).policyName("ec2").policyDocument(EC2_DESCRIBE));
    }
    for (CredentialType type : TYPES) {
      // Two VaultAwsRoles per type with the same holder (the IAM role, the operator's user): the
      // one whose binding is narrowed, and the one of every other request, which that change does
      // not reconcile (a role change reconciles all its requests: the pods' would be looked for
      // then rather than at their own pace).
      for (boolean narrowed : List.of(false, true)) {
        VaultAwsRole role = new VaultAwsRole();
        role.setMetadata(
            new ObjectMetaBuilder()
                .withName(
                    "rs-"
                        + type.wireName().replace('_', '-')
                        + (narrowed ? "-narrowed-" : "-")
                        + run)
                .withLabels(Map.of(LABEL, VALUE))
                .build());
        VaultAwsRoleSpec spec = new VaultAwsRoleSpec();
        spec.credentialType = type;
        spec.authConfigRef = config.getMetadata().getName();
        spec.bindings = new RoleBindings();
        spec.bindings.namespaces = narrowed ? List.of(NS, NS_UNBOUND) : List.of(NS);
        spec.policyDocument = (ObjectNode) new ObjectMapper().readTree(EC2_DESCRIBE);
        if (type == CredentialType.ASSUMED_ROLE) {
          spec.roleArns = List.of(targetArn);
        }
        role.setSpec(spec);
        client.resource(role).create();
        (narrowed ? narrowedRoles : roles).put(type, role.getMetadata().getName());
      }
    }
    VaultAwsRole st = new VaultAwsRole();
    st.setMetadata(
        new ObjectMetaBuilder()
            .withName("rs-session-token-" + run)
            .withLabels(Map.of(LABEL, VALUE))
            .build());
    st.setSpec(new VaultAwsRoleSpec());
    st.getSpec().credentialType = CredentialType.SESSION_TOKEN;
    st.getSpec().authConfigRef = config.getMetadata().getName();
    st.getSpec().bindings = new RoleBindings();
    st.getSpec().bindings.namespaces = List.of(NS);
    client.resource(st).create();
    roles.put(CredentialType.SESSION_TOKEN, st.getMetadata().getName());
    return config;
  }

  /**
   * Of the N/2 revoked per type, a quarter (at least one) by unbinding the namespace, a quarter by
   * deleting the bound pod, the rest by deleting the request.
   */
  private static Cause causeOf(int i) {
    int revoked = PER_TYPE / 2;
    int unbound = Math.max(1, revoked / 4);
    int pods = Math.max(1, revoked / 4);
    if (i >= revoked) {
      return Cause.NONE;
    }
    if (i < unbound) {
      return Cause.UNBOUND;
    }
    if (i < unbound + pods) {
      return Cause.POD_DELETED;
    }
    return Cause.DELETED;
  }

  /** Creates every request, waits until all are Ready, proves each credential; returns the ST. */
  private Lease issueAll() {
    Instant t0 = Instant.now();
    for (CredentialType type : TYPES) {
      for (int i = 0; i < PER_TYPE; i++) {
        Cause cause = causeOf(i);
        String name = "rs-" + (type == CredentialType.ASSUMED_ROLE ? "ar" : "ft") + i + "-" + run;
        AwsCredentialRequest r =
            cause == Cause.UNBOUND
                ? request(name, NS_UNBOUND, narrowedRoles.get(type))
                : request(name, NS, roles.get(type));
        if (cause == Cause.POD_DELETED) {
          Fixtures.pod(client, NS, name, "default");
          r.getSpec().identity.podName = name;
        }
        client.resource(r).create();
        leases.add(new Lease(type, cause, r));
      }
    }
    AwsCredentialRequest st = request("rs-st-" + run, NS, roles.get(CredentialType.SESSION_TOKEN));
    client.resource(st).create();
    Lease sessionToken = new Lease(CredentialType.SESSION_TOKEN, Cause.DELETED, st);
    List<Lease> all = new ArrayList<>(leases);
    all.add(sessionToken);
    for (Lease l : all) {
      AwsCredentialRequest ready =
          await()
              .atMost(Duration.ofMinutes(3))
              .pollInterval(Duration.ofMillis(500))
              .until(
                  () -> get(l.request),
                  r -> r != null && r.getStatus() != null && r.getStatus().isTrue("Ready"));
      l.issued = ready.getStatus();
      Secret secret = secret(ready);
      hygiene.record(secret);
      l.credential = Aws.credentialsIn(secret);
    }
    System.out.printf(
        "  %d requests Ready in %d s%n",
        all.size(), Duration.between(t0, Instant.now()).toSeconds());
    for (Lease l : all) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300))
          .until(() -> allowed(l.credential));
      assertThat(refusedByPolicy(l.credential))
          .as("%s: ec2:DescribeRegions, which its role does not allow, is refused", l.name())
          .isTrue();
    }
    System.out.printf(
        "  every credential made its allowed call (ec2:DescribeInstances) and was refused"
            + " ec2:DescribeRegions, %d s after the first request%n",
        Duration.between(t0, Instant.now()).toSeconds());
    return sessionToken;
  }

  // --- revocation ------------------------------------------------------------------------------

  private void revokeAndMeasure(Lease sessionToken) throws Exception {
    List<Lease> revoked = leases.stream().filter(l -> l.cause != Cause.NONE).toList();
    List<Lease> siblings = leases.stream().filter(l -> l.cause == Cause.NONE).toList();
    ExecutorService pollers = Executors.newFixedThreadPool(revoked.size() + 1);
    AtomicBoolean revoking = new AtomicBoolean(true);
    pollers.submit(() -> watchSiblings(siblings, revoking));
    Instant burst = Instant.now();
    for (CredentialType type : TYPES) {
      for (Lease l : revoked) {
        if (l.type != type) {
          continue;
        }
        if (l.cause == Cause.DELETED) {
          l.event = Instant.now();
          client.resource(l.request).delete();
        } else if (l.cause == Cause.POD_DELETED) {
          l.event = Instant.now();
          client.pods().inNamespace(NS).withName(l.request.getMetadata().getName()).delete();
        } else {
          continue;
        }
        pollers.submit(() -> pollUntilRefused(l));
      }
      Instant unbound = Instant.now();
      client
          .resources(VaultAwsRole.class)
          .withName(narrowedRoles.get(type))
          .edit(
              r -> {
                r.getSpec().bindings.namespaces = List.of(NS);
                return r;
              });
      for (Lease l : revoked) {
        if (l.type == type && l.cause == Cause.UNBOUND) {
          l.event = unbound;
          pollers.submit(() -> pollUntilRefused(l));
        }
      }
    }
    Instant sessionTokenDeleted = Instant.now();
    client.resource(sessionToken.request).delete();
    await()
        .atMost(REFUSED_WITHIN)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> revoked.stream().allMatch(l -> l.refusedAfterMillis != null));
    revoking.set(false);
    pollers.shutdown();
    assertThat(pollers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    Instant lastRefused = Instant.now();

    // The deleted requests go once their session is denied; the others say why they were revoked.
    for (Lease l : revoked) {
      if (l.cause == Cause.DELETED) {
        await().atMost(Duration.ofSeconds(60)).until(() -> get(l.request) == null);
      } else {
        AwsCredentialRequest r =
            await()
                .atMost(Duration.ofSeconds(60))
                .until(
                    () -> get(l.request),
                    x ->
                        x.getStatus().revocation != null
                            && AwsCredentialRequestStatus.Revocation.REVOKED.equals(
                                x.getStatus().revocation.state));
        assertThat(r.getStatus().revocation.reason)
            .as("%s", l.name())
            .isEqualTo(l.cause == Cause.UNBOUND ? "NamespaceNotBound" : "PodNotFound");
        assertThat(r.getStatus().revocation.leaseId).isEqualTo(l.issued.leaseId);
      }
    }

    Map<CredentialType, Policy> policies = new EnumMap<>(CredentialType.class);
    for (CredentialType type : TYPES) {
      policies.put(type, policy(type));
    }
    // Every sibling keeps working: during the revocations (watchSiblings), and now. When a holder's
    // policy was full, a cutoff denies every session of it and the operator re-issues the siblings:
    // then the credential in their Secret works.
    Map<CredentialType, Integer> reissued = new EnumMap<>(CredentialType.class);
    for (CredentialType type : TYPES) {
      int n = 0;
      for (Lease l : siblings) {
        if (l.type != type) {
          continue;
        }
        if (policies.get(type).cutoffs() == 0) {
          assertThat(allowed(l.credential))
              .as("sibling %s still works after the last revocation was refused", l.name())
              .isTrue();
        } else if (!allowed(l.credential)) {
          await()
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(500))
              .ignoreExceptions()
              .until(() -> allowed(Aws.credentialsIn(secret(get(l.request)))));
          n++;
        }
      }
      reissued.put(type, n);
      if (policies.get(type).cutoffs() == 0) {
        assertThat(siblingRefusals.keySet().stream().filter(k -> k.startsWith(type.wireName())))
            .as("siblings refused during the revocations")
            .isEmpty();
      }
    }
    boolean sessionTokenWorks = allowed(sessionToken.credential);

    print(revoked, siblings, policies, reissued, lastRefused, burst);
    System.out.printf(
        "  session_token: 1 request deleted with them; its credential %s %d s after the deletion."
            + " The operator does not deny session tokens: their aws:userid is its own user's, the"
            + " same for every session token; it stays valid until it expires"
            + " (docs/revocation.md#session_token)%n",
        sessionTokenWorks ? "still works" : "is refused",
        Duration.between(sessionTokenDeleted, Instant.now()).toSeconds());
    assertThat(sessionTokenWorks)
        .as("a session token is not denied (docs/revocation.md): it works until it expires")
        .isTrue();
    for (CredentialType type : TYPES) {
      Policy p = policies.get(type);
      long revokedOfType = revoked.stream().filter(l -> l.type == type).count();
      if (p.cutoffs() == 0) {
        assertThat(p.sessions())
            .as("one statement per revoked %s credential on %s", type.wireName(), p.holder())
            .isEqualTo(revokedOfType);
      }
      assertThat(p.size()).isLessThanOrEqualTo(type == CredentialType.ASSUMED_ROLE ? 10240 : 2048);
    }
    assertThat(revoked)
        .allSatisfy(l -> assertThat(l.refusedAfterMillis).isLessThan(REFUSED_WITHIN.toMillis()));
  }

  /** Calls the allowed action with {@code l}'s credential every 100 ms until it is refused. */
  private void pollUntilRefused(Lease l) {
    Instant deadline = l.event.plus(REFUSED_WITHIN);
    while (Instant.now().isBefore(deadline)) {
      long next = System.nanoTime() + POLL.toNanos();
      Instant asked = Instant.now();
      if (!allowed(l.credential)) {
        l.refusedAfterMillis = Duration.between(l.event, asked).toMillis();
        return;
      }
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(sleep);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Every second, every sibling's allowed call; a refusal is recorded. */
  private void watchSiblings(List<Lease> siblings, AtomicBoolean revoking) {
    while (revoking.get()) {
      for (Lease l : siblings) {
        if (!siblingRefusals.containsKey(l.type.wireName() + " " + l.name())
            && !allowed(l.credential)) {
          siblingRefusals.put(l.type.wireName() + " " + l.name(), Instant.now().toString());
        }
      }
      try {
        Thread.sleep(SIBLING_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  // --- expiry pruning --------------------------------------------------------------------------

  /**
   * Waits until every revoked credential has expired, then until the operator has pruned their
   * statements; prints each holder's policy then.
   */
  private void pruneAfterExpiry() {
    List<Lease> revoked = leases.stream().filter(l -> l.cause != Cause.NONE).toList();
    Instant lastExpiry =
        revoked.stream()
            .map(l -> Instant.parse(l.issued.expiresAt))
            .max(Instant::compareTo)
            .orElseThrow();
    System.out.printf(
        "  expiry pruning: waiting until the revoked credentials have expired (%s, in %d s)%n",
        lastExpiry, Duration.between(Instant.now(), lastExpiry).toSeconds());
    while (Instant.now().isBefore(lastExpiry)) {
      sleep(
          Duration.ofSeconds(
              Math.min(60, 1 + Duration.between(Instant.now(), lastExpiry).toSeconds())));
      System.out.printf(
          "    %d s to go%n", Math.max(0, Duration.between(Instant.now(), lastExpiry).toSeconds()));
    }
    Map<CredentialType, Instant> prunedAt = new EnumMap<>(CredentialType.class);
    Map<CredentialType, Policy> after = new EnumMap<>(CredentialType.class);
    await()
        .atMost(Duration.between(Instant.now(), lastExpiry.plus(PRUNED_WITHIN)))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              for (CredentialType type : TYPES) {
                if (!prunedAt.containsKey(type)) {
                  Policy p = policy(type);
                  if (p.sessions() == 0) {
                    prunedAt.put(type, Instant.now());
                    after.put(type, p);
                  }
                }
              }
              return prunedAt.size() == TYPES.size();
            });
    System.out.println();
    System.out.printf(
        "Deny policies after expiry pruning (pruned at the first statement's expiry + %d s; the"
            + " revoked credentials expired at %s at the latest)%n",
        30, lastExpiry);
    System.out.printf(
        Locale.ROOT,
        "%-20s %-10s %10s %10s %14s%n",
        "holder",
        "policy",
        "statements",
        "characters",
        "after expiry");
    for (CredentialType type : TYPES) {
      Policy p = after.get(type);
      System.out.printf(
          Locale.ROOT,
          "%-20s %-10s %10d %10d %12d s%n",
          holderLabel(type),
          p.exists() ? "present" : "deleted",
          p.statements(),
          p.size(),
          Duration.between(lastExpiry, prunedAt.get(type)).toSeconds());
    }
    for (Lease l : revoked) {
      assertThat(allowed(l.credential))
          .as("%s: expired and refused with its statement gone", l.name())
          .isFalse();
    }
  }

  // --- the deny policies ---------------------------------------------------------------------

  /** A holder's deny policy as read: statements denying one session, cutoffs, characters. */
  record Policy(
      String holder, boolean exists, int statements, int sessions, int cutoffs, int size) {}

  private Policy policy(CredentialType type) {
    boolean role = type == CredentialType.ASSUMED_ROLE;
    String holder = role ? "role/" + target : "user/" + operatorUser;
    String document;
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      document =
          role
              ? iam.getRolePolicy(r -> r.roleName(target).policyName(POLICY)).policyDocument()
              : iam.getUserPolicy(r -> r.userName(operatorUser).policyName(POLICY))
                  .policyDocument();
    } catch (NoSuchEntityException e) {
      return new Policy(holder, false, 0, 0, 0, 0);
    }
    try {
      JsonNode json =
          new ObjectMapper().readTree(URLDecoder.decode(document, StandardCharsets.UTF_8));
      int sessions = 0;
      int cutoffs = 0;
      for (JsonNode st : json.path("Statement")) {
        String sid = st.path("Sid").asText();
        if (sid.startsWith("AaoRevoked")) {
          sessions++;
        } else if (sid.startsWith("AaoCutoff")) {
          cutoffs++;
        }
      }
      // (AWS counts the characters but whitespace: the compact form)
      return new Policy(
          holder, true, json.path("Statement").size(), sessions, cutoffs, json.toString().length());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String holderLabel(CredentialType type) {
    return type == CredentialType.ASSUMED_ROLE ? "the role" : "the operator's user";
  }

  // --- the figures -----------------------------------------------------------------------------

  private void print(
      List<Lease> revoked,
      List<Lease> siblings,
      Map<CredentialType, Policy> policies,
      Map<CredentialType, Integer> reissued,
      Instant lastRefused,
      Instant burst) {
    System.out.println();
    System.out.printf(
        "Early revocation: %d requests per STS type, %d of them revoked at once (%d ms apart at"
            + " most); time from the event to the first refused ec2:DescribeInstances, polled"
            + " every %d ms%n",
        PER_TYPE,
        PER_TYPE / 2,
        revoked.stream()
            .map(l -> Duration.between(burst, l.event).toMillis())
            .max(Long::compare)
            .orElse(0L),
        POLL.toMillis());
    System.out.printf(
        Locale.ROOT,
        "%-17s %-27s %3s %9s %9s %9s  %s%n",
        "type",
        "cause",
        "n",
        "p50 ms",
        "p99 ms",
        "max ms",
        "each (ms)");
    for (CredentialType type : TYPES) {
      for (Cause cause : List.of(Cause.DELETED, Cause.UNBOUND, Cause.POD_DELETED)) {
        row(type, cause.label, revoked.stream().filter(l -> l.type == type && l.cause == cause));
      }
      row(type, "all", revoked.stream().filter(l -> l.type == type));
    }
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "%-17s %-20s %8s %11s %11s %10s %8s %9s%n",
        "type",
        "holder",
        "revoked",
        "statements",
        "characters",
        "cutoffs",
        "siblings",
        "reissued");
    for (CredentialType type : TYPES) {
      Policy p = policies.get(type);
      System.out.printf(
          Locale.ROOT,
          "%-17s %-20s %8d %11d %11d %10d %8s %9d%n",
          type.wireName(),
          holderLabel(type),
          revoked.stream().filter(l -> l.type == type).count(),
          p.statements(),
          p.size(),
          p.cutoffs(),
          // (a sibling whose first credential was refused after the last revocation is one a
          // cutoff denied, then re-issued: see revokeAndMeasure)
          (siblings.stream().filter(l -> l.type == type).count() - reissued.get(type))
              + "/"
              + siblings.stream().filter(l -> l.type == type).count(),
          reissued.get(type));
    }
    System.out.printf(
        "  (siblings: the allowed call with their first credential every second during the"
            + " revocations, refused for %d of them; and once after the last revocation was"
            + " refused, %s: the column siblings, those it still worked for)%n",
        siblingRefusals.size(), lastRefused);
  }

  private static void row(CredentialType type, String cause, java.util.stream.Stream<Lease> of) {
    List<Long> ms = new ArrayList<>(of.map(l -> l.refusedAfterMillis).toList());
    if (ms.isEmpty()) {
      return;
    }
    Collections.sort(ms);
    System.out.printf(
        Locale.ROOT,
        "%-17s %-27s %3d %9d %9d %9d  %s%n",
        type.wireName(),
        cause,
        ms.size(),
        percentile(ms, 0.50),
        percentile(ms, 0.99),
        ms.get(ms.size() - 1),
        ms);
  }

  /** The nearest-rank percentile of sorted {@code ms}. */
  static long percentile(List<Long> ms, double q) {
    int rank = (int) Math.ceil(q * ms.size());
    return ms.get(Math.max(0, rank - 1));
  }

  // --- AWS calls with the issued credentials ---------------------------------------------------

  /**
   * ec2:DescribeInstances: true if allowed, false if refused (or expired). One client per
   * credential, kept: building one per call would cost the 2 cores more than the call.
   */
  private boolean allowed(AwsCredentials credential) {
    Ec2Client ec2 = ec2Clients.computeIfAbsent(credential, c -> Aws.ec2(env, c));
    for (int attempt = 0; ; attempt++) {
      try {
        ec2.describeInstances();
        return true;
      } catch (AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
        if ("UnauthorizedOperation".equals(code)
            || "AccessDenied".equals(code)
            || "ExpiredToken".equals(code)) {
          return false;
        }
        if (attempt < 20 && ("RequestLimitExceeded".equals(code) || e.statusCode() >= 500)) {
          sleep(Duration.ofMillis(50));
          continue;
        }
        throw e;
      }
    }
  }

  /**
   * ec2:DescribeRegions, which no role of the suite allows (nor the operator's user, whose policy
   * bounds federation and session tokens): true if refused by policy.
   */
  private boolean refusedByPolicy(AwsCredentials credential) {
    Ec2Client ec2 = ec2Clients.computeIfAbsent(credential, c -> Aws.ec2(env, c));
    for (int attempt = 0; ; attempt++) {
      try {
        ec2.describeRegions();
        return false;
      } catch (AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
        if ("RequestLimitExceeded".equals(code) && attempt < 20) {
          sleep(Duration.ofMillis(200));
          continue;
        }
        return "UnauthorizedOperation".equals(code);
      }
    }
  }

  // --- Kubernetes ------------------------------------------------------------------------------

  private AwsCredentialRequest request(String name, String namespace, String role) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(Map.of(LABEL, VALUE))
            .build());
    r.setSpec(new AwsCredentialRequestSpec());
    r.getSpec().roleRef = role;
    r.getSpec().ttl = TTL;
    r.getSpec().identity = new AwsCredentialRequestSpec.Identity();
    r.getSpec().identity.serviceAccountName = "default";
    return r;
  }

  private AwsCredentialRequest get(AwsCredentialRequest request) {
    return client
        .resources(AwsCredentialRequest.class)
        .inNamespace(request.getMetadata().getNamespace())
        .withName(request.getMetadata().getName())
        .get();
  }

  private Secret secret(AwsCredentialRequest ready) {
    return client
        .secrets()
        .inNamespace(ready.getMetadata().getNamespace())
        .withName(ready.getStatus().secretName)
        .get();
  }

  /**
   * Deletes this run's requests while the operator runs, and waits until they are gone (their
   * finalizers wait for the denials, which need the config and the roles), then its roles and
   * config.
   */
  private void cleanUp() {
    for (String ns : List.of(NS, NS_UNBOUND)) {
      client.resources(AwsCredentialRequest.class).inNamespace(ns).withLabel(LABEL, VALUE).delete();
    }
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                List.of(NS, NS_UNBOUND).stream()
                    .allMatch(
                        ns ->
                            client
                                .resources(AwsCredentialRequest.class)
                                .inNamespace(ns)
                                .withLabel(LABEL, VALUE)
                                .list()
                                .getItems()
                                .isEmpty()));
    for (Map<CredentialType, String> names : List.of(roles, narrowedRoles)) {
      for (String role : names.values()) {
        client.resources(VaultAwsRole.class).withName(role).delete();
      }
    }
    client.resources(AwsAuthConfig.class).withName("rs-" + run).delete();
    for (Lease l : leases) {
      if (l.cause == Cause.POD_DELETED) {
        client.pods().inNamespace(NS).withName(l.request.getMetadata().getName()).delete();
      }
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
