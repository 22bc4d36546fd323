package io.awsauth.operator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.credential.CredentialSecret;
import io.awsauth.operator.credential.LeaseTerms;
import io.awsauth.operator.credential.OwnerTags;
import io.awsauth.operator.faults.CrashPoints;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.FaultProxy;
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
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.User;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Issue 8's crash suite: while requests of all four credential types are created, re-issued (short
 * iam_user leases renew, spec changes re-issue) and deleted, the packaged operator is killed with
 * SIGKILL at random moments, or halts deterministically right after a chosen AWS call or API-server
 * write ({@code aao.faults.halt-after}), and is started again at once. After the last kill a final
 * operator runs: every standing request must become Ready with working keys, and IAM must hold
 * exactly one user per standing iam_user request, with exactly the Secret's key: no orphans, no
 * duplicates. Deleting everything then leaves no user. No issued credential may appear in the
 * operator logs, Events or statuses.
 *
 * <p>Run with {@code mvn -pl operator verify -Preliability -Dit.test=CrashSuite}; {@code
 * -Daao.suite.requests=N} (per type), {@code -Daao.suite.kills=K}, {@code -Daao.suite.seed=S}.
 */
@Reliability
class CrashSuite {
  static final String LABEL = SuiteRequests.UNDER_TEST;
  static final String NS = "aao-crash-suite";
  static final int PER_TYPE = Integer.getInteger("aao.suite.requests", 5);
  static final int KILLS = Integer.getInteger("aao.suite.kills", 10);
  static final long SEED = Long.getLong("aao.suite.seed", System.nanoTime());

  /**
   * A budget for the kill phase in minutes (0: none): when it runs out, the suite stops killing,
   * creates, deletes and re-specs what is left of its plan, and checks; it reports the kills done.
   */
  static final int KILL_MINUTES = Integer.getInteger("aao.suite.kill-minutes", 0);

  /** Share of cycles that halt at a chosen crash point instead of a SIGKILL at a random moment. */
  static final double HALT_SHARE = 0.25;

  /** Share of the random kills aimed at the JVM's start-up (before it has started the operator). */
  static final double START_UP_SHARE = 0.15;

  /** Share of the requests deleted partway, and of those whose spec changes (a re-issue). */
  static final double DELETE_SHARE = 0.25;

  static final double EDIT_SHARE = 0.15;

  /** Share of iam_user requests with a lease of 60-120 s, so that they renew during the suite. */
  static final double SHORT_SHARE = 0.3;

  /** Where a halting cycle stops: after each AWS call and API-server write of the lifecycle. */
  static final List<String> HALT_POINTS =
      List.of(
          "HoldFinalizer",
          "WriteAhead",
          "CreateUser",
          "PutUserPolicy",
          "AttachUserPolicy",
          "AddUserToGroup",
          "CreateAccessKey",
          "GetCallerIdentity",
          "WriteSecret",
          "ListAccessKeys",
          "DeleteAccessKey",
          "AssumeRole",
          "GetFederationToken",
          "GetSessionToken",
          "GetUser",
          "ListUserPolicies",
          "DeleteUserPolicy",
          "ListAttachedUserPolicies",
          "DetachUserPolicy",
          "ListGroupsForUser",
          "RemoveUserFromGroup",
          "DeleteUser");

  private static final Pattern PASSED = Pattern.compile("passed crash point (\\w+)");
  private static final String STARTED = ") started in ";

  private final Random random = new Random(SEED);
  private TestEnvironment env;
  private KubernetesClient client;
  private String run;
  private final Map<CredentialType, String> roles = new HashMap<>();
  private final List<Planned> planned = new ArrayList<>();
  private final List<Planned> created = new ArrayList<>();
  private final Set<String> deleted = new HashSet<>();
  private final List<Path> logs = new ArrayList<>();
  private final SecretHygiene hygiene = new SecretHygiene();
  private final Map<String, Set<String>> leasesBySecret = new ConcurrentHashMap<>();
  private final Map<String, Integer> lastPassed = new TreeMap<>();
  private final Map<String, Integer> passedInKilled = new TreeMap<>();
  private final Map<String, Integer> halts = new TreeMap<>();
  private final List<String> unexpectedExits = new ArrayList<>();
  private int randomKills;
  private int startUpKills;
  private int haltsNotReached;
  private int edits;
  private long killPhaseMillis;
  private int cycles;
  private Path archive;

  /** A request the suite will create: its type and lease. */
  private record Planned(CredentialType type, String name, String ttl, String renewBefore) {}

  @Test
  void everyStandingRequestEndsReadyWithOneUserAndOneKeyAfterHundredsOfKills() throws Exception {
    System.out.printf(
        "crash suite: seed %d (-Daao.suite.seed=%d replays the plan), %d requests per type,"
            + " %d kills%n",
        SEED, SEED, PER_TYPE, KILLS);
    Instant start = Instant.now();
    env = TestEnvironment.get();
    client = env.client();
    run = Aws.unique("x").substring(2);
    archive =
        TestEnvironment.repoRoot()
            .resolve("operator/target/operator-processes/crash-suite-" + run + ".jsa");
    String loadBefore = loadAverage();
    Fixtures.namespace(client, NS);
    Fixtures.serviceAccount(client, NS, "default");
    try (FaultProxy proxy = FaultProxy.start(env.awsEndpoint());
        Watch watch = watchSecrets()) {
      AwsAuthConfig config = arrange(proxy);
      plan();

      // The kill cycles.
      Instant killsStarted = Instant.now();
      createUpTo(planned.size() / 4);
      for (int cycle = 0; cycle < KILLS && !outOfTime(killsStarted); cycle++) {
        churn(progress(cycle, killsStarted));
        killCycle(cycle);
        cycles = cycle + 1;
        if ((cycle + 1) % 25 == 0 || cycle + 1 == KILLS) {
          System.out.printf(
              "  cycle %d/%d: %d created, %d deleted, %d issuances seen, %ds%n",
              cycle + 1,
              KILLS,
              created.size(),
              deleted.size(),
              issuances(),
              Duration.between(killsStarted, Instant.now()).toSeconds());
        }
      }
      churn(1.0);
      killPhaseMillis = Duration.between(killsStarted, Instant.now()).toMillis();
      reportKills();

      try (OperatorProcess last = operator("final", null)) {
        logs.add(last.log());
        Instant settleStarted = Instant.now();
        settle();
        List<AwsCredentialRequest> standing = awaitAllReady();
        Duration settled = Duration.between(settleStarted, Instant.now());
        Instant checkStarted = Instant.now();
        for (AwsCredentialRequest r : standing) {
          assertWorkingSecret(r);
        }
        Iam iam = iamUsers(standing);
        Duration checked = Duration.between(checkStarted, Instant.now());
        SecretHygiene.Report beforeDeletion = hygiene.scan(client, logs);

        // Everything goes: every user with it.
        Instant deletionStarted = Instant.now();
        standing.forEach(r -> client.resource(r).delete());
        await()
            .atMost(Duration.ofMinutes(10))
            .pollInterval(Duration.ofSeconds(2))
            .until(() -> suiteRequests().isEmpty());
        List<String> leftAfterDeletion = suiteUserNames();
        Duration deletion = Duration.between(deletionStarted, Instant.now());
        client.resources(VaultAwsRole.class).withLabel(LABEL, "crash-suite").delete();
        client.resource(config).delete();
        last.close();
        SecretHygiene.Report afterDeletion = hygiene.scan(client, logs);

        report(standing, iam, proxy, settled, checked, deletion, start);
        System.out.println(
            "load average (1, 5, 15 min) at the start: "
                + loadBefore
                + "; at the end: "
                + loadAverage());
        System.out.println("before deletion: " + beforeDeletion.summary());
        System.out.println("after deletion:  " + afterDeletion.summary());
        System.out.println(
            "IAM users of the suite left after deleting every request: "
                + leftAfterDeletion.size());

        assertThat(unexpectedExits).as("operator processes that exited by themselves").isEmpty();
        assertThat(iam.problems()).as("IAM against the standing requests").isEmpty();
        assertThat(leftAfterDeletion).as("IAM users left after deleting every request").isEmpty();
        beforeDeletion.assertClean();
        afterDeletion.assertClean();
        Files.deleteIfExists(archive);
      }
    }
  }

  // --- arrangement --------------------------------------------------------------------------

  private AwsAuthConfig arrange(FaultProxy proxy) throws IOException {
    AwsAccount operatorUser = Aws.operatorUser(env, Aws.unique("crash-suite-root"));
    Fixtures.credentialsSecret(client, NS, "operator-" + run, operatorUser);
    AwsAuthConfig config =
        Fixtures.authConfig("crash-suite-" + run, NS, "operator-" + run, proxy.url());
    config.getMetadata().setLabels(Map.of(LABEL, "crash-suite"));
    client.resource(config).create();
    String group = "cs-group-" + run;
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.createGroup(r -> r.groupName(group));
    }
    String target = SuiteRoles.targetRole(env, "cs-target-" + run, 4 * 3600);
    roles.putAll(
        SuiteRoles.everyType(
            client,
            type -> "cs-" + abbreviation(type) + "-" + run,
            Map.of(LABEL, "crash-suite"),
            config.getMetadata().getName(),
            NS,
            target,
            (type, spec) -> {
              if (type == CredentialType.IAM_USER) {
                // every step of Vault's iam_user issuance and revocation: inline and managed
                // policy, group
                spec.policyArns = List.of("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess");
                spec.iamGroups = List.of(group);
              }
            }));
    // A first operator makes the config and roles Ready, so that every cycle is about requests,
    // finalizes what an earlier, interrupted run left, and writes the class-data archive that
    // shortens the start-up of every later process (dumped when it exits).
    try (OperatorProcess first =
        OperatorProcess.start(
            env,
            "crash-suite-" + run + "-setup",
            properties(null),
            List.of("-XX:ArchiveClassesAtExit=" + archive))) {
      logs.add(first.log());
      finalizeEarlierRuns(proxy);
      SuiteRequests.awaitRolesReady(
          client, roles.values(), Duration.ofMinutes(3), Duration.ofMillis(500));
    }
    return config;
  }

  /**
   * Requests of earlier runs in this environment (a run that failed leaves them) are deleted, their
   * configs pointed at this run's proxy so that their users can be revoked, then their roles and
   * configs go.
   */
  private void finalizeEarlierRuns(FaultProxy proxy) {
    List<AwsCredentialRequest> stale =
        client
            .resources(AwsCredentialRequest.class)
            .inNamespace(NS)
            .withLabel(LABEL, "crash-suite")
            .list()
            .getItems();
    if (stale.isEmpty()) {
      return;
    }
    System.out.printf("finalizing %d requests of earlier runs%n", stale.size());
    for (AwsAuthConfig old :
        client.resources(AwsAuthConfig.class).withLabel(LABEL, "crash-suite").list().getItems()) {
      if (!old.getMetadata().getName().endsWith("-" + run)) {
        client
            .resource(old)
            .edit(
                c -> {
                  c.getSpec().endpoints.iam = proxy.url();
                  c.getSpec().endpoints.sts = proxy.url();
                  c.getSpec().endpoints.ec2 = proxy.url();
                  return c;
                });
      }
    }
    stale.forEach(r -> client.resource(r).delete());
    await()
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () ->
                client
                    .resources(AwsCredentialRequest.class)
                    .inNamespace(NS)
                    .withLabel(LABEL, "crash-suite")
                    .list()
                    .getItems()
                    .isEmpty());
    client.resources(VaultAwsRole.class).withLabel(LABEL, "crash-suite").list().getItems().stream()
        .filter(r -> !r.getMetadata().getName().endsWith("-" + run))
        .forEach(r -> client.resource(r).delete());
    client.resources(AwsAuthConfig.class).withLabel(LABEL, "crash-suite").list().getItems().stream()
        .filter(c -> !c.getMetadata().getName().endsWith("-" + run))
        .forEach(c -> client.resource(c).delete());
  }

  private static String abbreviation(CredentialType type) {
    return switch (type) {
      case IAM_USER -> "iu";
      case ASSUMED_ROLE -> "ar";
      case FEDERATION_TOKEN -> "ft";
      case SESSION_TOKEN -> "st";
    };
  }

  /** Every request the suite will create, in the (seeded) order it creates them. */
  private void plan() {
    for (CredentialType type : CredentialType.values()) {
      for (int i = 0; i < PER_TYPE; i++) {
        String name = abbreviation(type) + "-" + i + "-" + run;
        if (type == CredentialType.IAM_USER && random.nextDouble() < SHORT_SHARE) {
          int ttl = 60 + random.nextInt(61);
          planned.add(new Planned(type, name, ttl + "s", (ttl / 2) + "s"));
        } else {
          // long enough that nothing renews while the results are checked
          planned.add(new Planned(type, name, random.nextBoolean() ? "2h" : "3h", null));
        }
      }
    }
    Collections.shuffle(planned, random);
  }

  // --- churn --------------------------------------------------------------------------------

  private static boolean outOfTime(Instant killsStarted) {
    return KILL_MINUTES > 0
        && Duration.between(killsStarted, Instant.now()).toMinutes() >= KILL_MINUTES;
  }

  /** How far the kill phase is, 0..1: by cycles, or by time when that runs out sooner. */
  private static double progress(int cycle, Instant killsStarted) {
    double byCycles = (cycle + 1) / (double) KILLS;
    double byTime =
        KILL_MINUTES == 0
            ? 0
            : Duration.between(killsStarted, Instant.now()).toSeconds() / (KILL_MINUTES * 60.0);
    return Math.min(1.0, Math.max(byCycles, byTime));
  }

  /**
   * Creates, deletes and re-specs requests, spread over the kill phase: a quarter of the requests
   * before the first kill, the rest until 60 % of it; deletions and spec changes throughout.
   */
  private void churn(double progress) {
    createUpTo(
        planned.size() / 4 + (int) ((planned.size() * 3 / 4) * Math.min(1.0, progress / 0.6)));
    int deletionsDue = (int) (planned.size() * DELETE_SHARE * progress);
    while (deleted.size() < deletionsDue && deleted.size() < created.size() - 1) {
      Planned victim = created.get(random.nextInt(created.size()));
      if (deleted.add(victim.name())) {
        client
            .resources(AwsCredentialRequest.class)
            .inNamespace(NS)
            .withName(victim.name())
            .delete();
      }
    }
    int editsDue = (int) (planned.size() * EDIT_SHARE * progress);
    while (edits < editsDue && created.size() > deleted.size()) {
      Planned target = created.get(random.nextInt(created.size()));
      if (deleted.contains(target.name())) {
        continue;
      }
      edits++;
      client
          .resources(AwsCredentialRequest.class)
          .inNamespace(NS)
          .withName(target.name())
          .edit(
              r -> {
                r.getSpec().ttl = otherTtl(r.getSpec().ttl);
                r.getSpec().renewBefore =
                    r.getSpec().ttl.endsWith("h")
                        ? null
                        : (Integer.parseInt(r.getSpec().ttl.replace("s", "")) / 2) + "s";
                return r;
              });
    }
  }

  private String otherTtl(String ttl) {
    return switch (ttl) {
      case "2h" -> "3h";
      case "3h" -> "2h";
      default -> (60 + random.nextInt(61)) + "s";
    };
  }

  private void createUpTo(int count) {
    while (created.size() < Math.min(count, planned.size())) {
      Planned p = planned.get(created.size());
      AwsCredentialRequest r = new AwsCredentialRequest();
      r.setMetadata(
          new ObjectMetaBuilder()
              .withName(p.name())
              .withNamespace(NS)
              .withLabels(Map.of(LABEL, "crash-suite"))
              .build());
      r.setSpec(new AwsCredentialRequestSpec());
      r.getSpec().roleRef = roles.get(p.type());
      r.getSpec().ttl = p.ttl();
      r.getSpec().renewBefore = p.renewBefore();
      client.resource(r).create();
      created.add(p);
    }
  }

  // --- kills --------------------------------------------------------------------------------

  /** Starts the operator and kills it: a SIGKILL at a random moment, or a halt at a point. */
  private void killCycle(int cycle) throws InterruptedException {
    boolean halting = random.nextDouble() < HALT_SHARE;
    String haltAt =
        halting
            ? HALT_POINTS.get(random.nextInt(HALT_POINTS.size())) + "#" + (1 + random.nextInt(3))
            : null;
    boolean atStartUp = !halting && random.nextDouble() < START_UP_SHARE;
    long delay =
        atStartUp
            ? 200 + random.nextInt(2800) // from the spawn: the JVM is still starting
            : random.nextDouble() < 0.1
                ? 2000 + random.nextInt(6000) // now and then long enough to get far
                : random.nextInt(2000); // from start-up: reconciling
    OperatorProcess process = operator("cycle-" + cycle, haltAt);
    logs.add(process.log());
    if (halting) {
      // the halt comes by itself, or the point is not reached soon enough: then a SIGKILL
      Instant until = startedOrNull(process, Duration.ofSeconds(60));
      long wait = until == null ? 0 : 5000;
      long deadline = System.currentTimeMillis() + wait;
      while (process.isAlive() && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      if (!process.isAlive()) {
        int status = process.exitStatus().orElseThrow();
        if (status == CrashPoints.HALT_STATUS) {
          halts.merge(haltAt.substring(0, haltAt.indexOf('#')), 1, Integer::sum);
        } else {
          unexpectedExits.add("cycle " + cycle + " exited " + status + ": " + process.log());
        }
        return;
      }
      haltsNotReached++;
      killAndRead(process);
      return;
    }
    if (atStartUp) {
      Thread.sleep(delay);
      if (!started(process)) {
        startUpKills++;
      }
    } else {
      if (startedOrNull(process, Duration.ofSeconds(60)) == null && process.isAlive()) {
        throw new AssertionError("operator did not start within 60 s: " + process.log());
      }
      Thread.sleep(delay);
    }
    if (!process.isAlive()) {
      unexpectedExits.add(
          "cycle " + cycle + " exited " + process.exitStatus().orElse(-1) + ": " + process.log());
      return;
    }
    randomKills++;
    killAndRead(process);
  }

  /** SIGKILL, then what the log says the process had passed last. */
  private void killAndRead(OperatorProcess process) {
    process.kill();
    String last = "none (start-up, or only steady reconciles)";
    Matcher m = PASSED.matcher(read(process.log()));
    while (m.find()) {
      last = m.group(1);
      passedInKilled.merge(last, 1, Integer::sum);
    }
    lastPassed.merge(last, 1, Integer::sum);
  }

  private static boolean started(OperatorProcess process) {
    return read(process.log()).contains(STARTED);
  }

  /** Waits until the operator has started (its log says so); null if it died first. */
  private static Instant startedOrNull(OperatorProcess process, Duration timeout)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (System.currentTimeMillis() < deadline) {
      if (started(process)) {
        return Instant.now();
      }
      if (!process.isAlive()) {
        return null;
      }
      Thread.sleep(50);
    }
    return null;
  }

  /**
   * A process of the operator: with the class-data archive the setup process wrote, and only the
   * client compiler, its JVM starts in about half the time, so that the kills land in reconciling.
   */
  private OperatorProcess operator(String name, String haltAfter) {
    List<String> jvm = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    if (Files.isRegularFile(archive)) {
      jvm.add("-XX:SharedArchiveFile=" + archive);
    }
    return OperatorProcess.start(
        env, "crash-suite-" + run + "-" + name, properties(haltAfter), jvm);
  }

  private static Map<String, String> properties(String haltAfter) {
    Map<String, String> props = new HashMap<>();
    for (String c : List.of("awscredentialrequest", "vaultawsrole", "awsauthconfig")) {
      props.put("quarkus.operator-sdk.controllers." + c + ".selector", LABEL);
    }
    // No orphan sweep: a user left behind must show up here, not be cleaned up unseen.
    props.put("aao.orphan-sweep.interval", "0s");
    props.put("quarkus.log.category.\"io.awsauth.operator.faults\".level", "DEBUG");
    if (haltAfter != null) {
      props.put("aao.faults.halt-after", haltAfter);
    }
    return props;
  }

  // --- after the last kill ------------------------------------------------------------------

  /** Standing short leases get a 2h lease, so that nothing renews while IAM is compared. */
  private void settle() {
    for (AwsCredentialRequest r : suiteRequests()) {
      if (r.getMetadata().getDeletionTimestamp() == null && r.getSpec().ttl.endsWith("s")) {
        client
            .resources(AwsCredentialRequest.class)
            .inNamespace(NS)
            .withName(r.getMetadata().getName())
            .edit(
                x -> {
                  x.getSpec().ttl = "2h";
                  x.getSpec().renewBefore = null;
                  return x;
                });
      }
    }
  }

  /** Every deleted request is gone and every standing one holds the lease of its current spec. */
  private List<AwsCredentialRequest> awaitAllReady() {
    Set<String> standing =
        created.stream()
            .map(Planned::name)
            .filter(n -> !deleted.contains(n))
            .collect(Collectors.toSet());
    List<String> notReady = new ArrayList<>();
    try {
      return await()
          .atMost(Duration.ofMinutes(15))
          .pollInterval(Duration.ofSeconds(2))
          .until(
              () -> {
                List<AwsCredentialRequest> all = suiteRequests();
                notReady.clear();
                for (AwsCredentialRequest r : all) {
                  if (!standing.contains(r.getMetadata().getName())) {
                    notReady.add(r.getMetadata().getName() + " (deleted, not finalized)");
                  } else if (!ready(r)) {
                    notReady.add(r.getMetadata().getName() + " " + describe(r));
                  }
                }
                return all;
              },
              all -> notReady.isEmpty() && all.size() == standing.size());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          notReady.size()
              + " requests not settled: "
              + notReady.subList(0, Math.min(20, notReady.size())),
          e);
    }
  }

  private static boolean ready(AwsCredentialRequest r) {
    return r.getStatus() != null
        && r.getStatus().isTrue("Ready")
        && r.getStatus().pendingLease == null
        && r.getStatus().leaseId != null
        && LeaseTerms.fingerprint(r.getSpec()).equals(r.getStatus().issuedFor);
  }

  private static String describe(AwsCredentialRequest r) {
    if (r.getStatus() == null) {
      return "(no status)";
    }
    return r.getStatus()
            .condition("Ready")
            .map(c -> c.getStatus() + " " + c.getReason() + ": " + c.getMessage())
            .orElse("(no Ready)")
        + (r.getStatus().pendingLease != null ? " [pending lease]" : "");
  }

  private List<AwsCredentialRequest> suiteRequests() {
    return client
        .resources(AwsCredentialRequest.class)
        .inNamespace(NS)
        .withLabel(LABEL, "crash-suite")
        .list()
        .getItems()
        .stream()
        .filter(r -> r.getMetadata().getName().endsWith("-" + run))
        .toList();
  }

  /** The Secret holds the request's lease, and its keys work as the principal the status names. */
  private void assertWorkingSecret(AwsCredentialRequest r) {
    Secret secret = client.secrets().inNamespace(NS).withName(r.getStatus().secretName).get();
    assertThat(secret).as("Secret of %s", r.getMetadata().getName()).isNotNull();
    hygiene.record(secret);
    assertThat(CredentialSecret.leaseId(secret)).contains(r.getStatus().leaseId);
    String keyId = value(secret, CredentialSecret.ACCESS_KEY_ID);
    assertThat(keyId).isEqualTo(r.getStatus().accessKeyId);
    String secretKey = value(secret, CredentialSecret.SECRET_ACCESS_KEY);
    String token = value(secret, CredentialSecret.SESSION_TOKEN);
    AwsCredentials credentials =
        token == null || token.isEmpty()
            ? AwsBasicCredentials.create(keyId, secretKey)
            : AwsSessionCredentials.create(keyId, secretKey, token);
    try (StsClient sts = Aws.sts(env, credentials)) {
      String arn = sts.getCallerIdentity().arn();
      if ("iam_user".equals(r.getStatus().credentialType)) {
        assertThat(arn)
            .as("caller of %s's key", r.getMetadata().getName())
            .endsWith(":user/" + r.getStatus().iamUserName);
      }
      assertThat(arn)
          .as("caller of %s's key", r.getMetadata().getName())
          .isEqualTo(r.getStatus().principalArn);
    }
  }

  /** What IAM holds, against the standing iam_user requests. */
  private record Iam(int users, int orphans, int duplicates, List<String> problems) {}

  private Iam iamUsers(List<AwsCredentialRequest> standing) {
    Map<String, AwsCredentialRequest> byUid = new HashMap<>();
    standing.stream()
        .filter(r -> "iam_user".equals(r.getStatus().credentialType))
        .forEach(r -> byUid.put(r.getMetadata().getUid(), r));
    String cluster = client.namespaces().withName("kube-system").get().getMetadata().getUid();
    Set<String> existing =
        client.resources(AwsCredentialRequest.class).inAnyNamespace().list().getItems().stream()
            .map(r -> r.getMetadata().getUid())
            .collect(Collectors.toSet());
    List<String> problems = new ArrayList<>();
    Map<String, List<String>> usersByUid = new HashMap<>();
    int orphans = 0;
    int duplicates = 0;
    int users = 0;
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      for (User user : iam.listUsersPaginator(r -> r.maxItems(1000)).users()) {
        String name = user.userName();
        Map<String, String> tags =
            iam.listUserTags(r -> r.userName(name)).tags().stream()
                .collect(Collectors.toMap(t -> t.key(), t -> t.value()));
        if (!cluster.equals(tags.get(OwnerTags.CLUSTER))) {
          continue; // not issued by this cluster (the operator's own user, fixtures)
        }
        users++;
        String uid = tags.get(OwnerTags.UID);
        if (!existing.contains(uid)) {
          orphans++;
          problems.add("orphan: " + name + " of request " + tags.get(OwnerTags.NAME));
          continue;
        }
        usersByUid.computeIfAbsent(uid, k -> new ArrayList<>()).add(name);
        AwsCredentialRequest r = byUid.get(uid);
        if (r == null) {
          continue; // a request of another test of this environment
        }
        List<String> keys =
            iam.listAccessKeys(x -> x.userName(name)).accessKeyMetadata().stream()
                .map(k -> k.accessKeyId())
                .toList();
        if (!name.equals(r.getStatus().iamUserName)) {
          problems.add(r.getMetadata().getName() + ": user " + name + " is not the status's");
        }
        // (after a rotation, the key before it stays for its overlap: status.retiringKey)
        List<String> expected = new ArrayList<>();
        expected.add(r.getStatus().accessKeyId);
        if (r.getStatus().retiringKey != null) {
          expected.add(r.getStatus().retiringKey.accessKeyId);
        }
        if (keys.size() != expected.size()) {
          duplicates += Math.max(0, keys.size() - expected.size());
          problems.add(r.getMetadata().getName() + ": " + keys.size() + " keys");
        } else if (!new HashSet<>(keys).equals(new HashSet<>(expected))) {
          problems.add(r.getMetadata().getName() + ": the user's keys are not the Secret's");
        }
      }
    }
    for (AwsCredentialRequest r : byUid.values()) {
      int n = usersByUid.getOrDefault(r.getMetadata().getUid(), List.of()).size();
      if (n != 1) {
        duplicates += Math.max(0, n - 1);
        problems.add(r.getMetadata().getName() + ": " + n + " IAM users");
      }
    }
    return new Iam(users, orphans, duplicates, problems);
  }

  /** Users named for this run's iam_user role. */
  private List<String> suiteUserNames() {
    String prefix = "aao-" + roles.get(CredentialType.IAM_USER) + "-";
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      return iam.listUsersPaginator(r -> r.maxItems(1000)).users().stream()
          .map(User::userName)
          .filter(n -> n.startsWith(prefix))
          .toList();
    }
  }

  // --- figures ------------------------------------------------------------------------------

  /** Every version of every credential Secret: the issued credentials, for the hygiene scan. */
  private Watch watchSecrets() {
    return client
        .secrets()
        .inNamespace(NS)
        .withLabel(CredentialSecret.MANAGED_BY_LABEL, CredentialSecret.MANAGED_BY)
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, Secret secret) {
                if ((action == Action.ADDED || action == Action.MODIFIED)
                    && secret.getMetadata().getName().endsWith("-" + run)) {
                  hygiene.record(secret);
                  CredentialSecret.leaseId(secret)
                      .ifPresent(
                          lease ->
                              leasesBySecret
                                  .computeIfAbsent(
                                      secret.getMetadata().getName(),
                                      k -> ConcurrentHashMap.newKeySet())
                                  .add(lease));
                }
              }

              @Override
              public void onClose(WatcherException cause) {
                System.out.println("secret watch closed: " + cause.getMessage());
              }
            });
  }

  private int issuances() {
    return leasesBySecret.values().stream().mapToInt(Set::size).sum();
  }

  private void report(
      List<AwsCredentialRequest> standing,
      Iam iam,
      FaultProxy proxy,
      Duration settled,
      Duration checked,
      Duration deletion,
      Instant start) {
    Map<String, Integer> perType = new TreeMap<>();
    created.forEach(p -> perType.merge(p.type().wireName(), 1, Integer::sum));
    Map<String, Integer> standingPerType = new TreeMap<>();
    standing.forEach(r -> standingPerType.merge(r.getStatus().credentialType, 1, Integer::sum));
    int first = leasesBySecret.size();
    int issued = issuances();
    long calls = proxy.count("forwarded");
    Map<String, Long> byAction = new TreeMap<>();
    proxy
        .counts()
        .forEach(
            (k, v) -> {
              if (k.startsWith("forwarded:")) {
                byAction.put(k.substring("forwarded:".length()), v);
              }
            });
    Map<String, Long> events =
        client.v1().events().inNamespace(NS).list().getItems().stream()
            .filter(e -> e.getInvolvedObject().getName().endsWith("-" + run))
            .collect(
                Collectors.groupingBy(
                    e -> e.getReason(),
                    TreeMap::new,
                    Collectors.summingLong(e -> e.getCount() == null ? 1 : e.getCount())));
    System.out.println();
    System.out.printf(
        "Crash suite, seed %d: %d requests per type, %d kill cycles%n", SEED, PER_TYPE, cycles);
    System.out.printf(
        "requests created per type %s; deleted %d; spec changes %d; standing %s%n",
        perType, deleted.size(), edits, standingPerType);
    System.out.printf(
        "issuances seen in Secrets: %d (%d first issuances, %d re-issuances: renewals, spec"
            + " changes, re-issues after expiry)%n",
        issued, first, issued - first);
    System.out.println("Events by reason: " + events);
    System.out.printf(
        Locale.ROOT,
        "AWS calls that reached the emulator: %d, %.2f per issuance (all calls, revocations and"
            + " start-ups included); by action %s%n",
        calls,
        issued == 0 ? 0.0 : (double) calls / issued,
        byAction);
    System.out.printf(
        "IAM after the last kill: %d users of this cluster, %d orphans, %d duplicates%n",
        iam.users(), iam.orphans(), iam.duplicates());
    System.out.printf(
        "wall time: kills %ds (%.1f s per cycle), settle to all Ready %ds, checks %ds, deletion"
            + " %ds, total %ds%n",
        killPhaseMillis / 1000,
        killPhaseMillis / 1000.0 / Math.max(1, cycles),
        settled.toSeconds(),
        checked.toSeconds(),
        deletion.toSeconds(),
        Duration.between(start, Instant.now()).toSeconds());
  }

  /** The kill phase's figures, printed before the checks (so that a failing check keeps them). */
  private void reportKills() {
    long shortLeases = created.stream().filter(p -> p.ttl().endsWith("s")).count();
    System.out.println();
    System.out.printf(
        "kill phase: %d cycles of %d planned%s in %ds; %d requests created (%d iam_user with a"
            + " 60-120s lease), %d deleted, %d spec changes; %d issuances seen in Secrets%n",
        cycles,
        KILLS,
        KILL_MINUTES > 0 ? " (budget " + KILL_MINUTES + " min)" : "",
        killPhaseMillis / 1000,
        created.size(),
        shortLeases,
        deleted.size(),
        edits,
        issuances());
    System.out.printf(
        "kills: %d SIGKILL at a random moment (%d of them during JVM start-up), %d halts at a"
            + " crash point (exit %d), %d halts whose point was not reached in 5 s (then"
            + " SIGKILL)%n",
        randomKills,
        startUpKills,
        halts.values().stream().mapToInt(i -> i).sum(),
        CrashPoints.HALT_STATUS,
        haltsNotReached);
    System.out.println("halts by crash point: " + halts);
    System.out.println("SIGKILLs by the last crash point the process had passed: " + lastPassed);
    System.out.println("crash points passed by the SIGKILLed processes: " + passedInKilled);
    System.out.println("load average (1, 5, 15 min) after the kills: " + loadAverage());
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String value(Secret secret, String key) {
    String v = secret.getData() == null ? null : secret.getData().get(key);
    return v == null ? null : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
  }
}
