package io.awsauth.e2e.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The benchmark of issue 7 (run by {@code e2e/benchmark}, never by {@code mvn verify}): starts its
 * own local environment and operator process, and measures each figure against a baseline in the
 * same run. See docs/benchmarks.md.
 */
public final class Benchmark {
  static final String POLICY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\","
          + "\"Resource\":\"*\"}]}";
  static final String CONFIG = "bench";
  static final String SA = "app";
  static final String NS_SETUP = "aao-bench";
  static final String NS_LAT = "aao-bench-lat";
  static final String NS_BASE = "aao-bench-base";
  static final String NS_TPUT = "aao-bench-tput";
  static final String NS_SCALE = "aao-bench-scale";
  static final String NS_ROT = "aao-bench-rot";
  static final String NS_NOISE = "aao-bench-noise";
  static final List<CredentialType> TYPES =
      List.of(
          CredentialType.SESSION_TOKEN,
          CredentialType.FEDERATION_TOKEN,
          CredentialType.ASSUMED_ROLE,
          CredentialType.IAM_USER);

  // --- options ----------------------------------------------------------------------------
  int latencyN = 50;
  int throughputM = 500;
  int scaleK = 1000;
  int noiseSecrets = 1000;
  int noiseMib = 1;
  int rotationR = 10;
  int rotationSeconds = 120;

  /**
   * The baseline's and the peer's threads: by default the operator's reconcile threads, as this run
   * configures them ({@link OperatorThreads}).
   */
  int concurrency;

  int createThreads = 16;
  String throughputType = "assumed_role";

  /**
   * The operator's -Xmx; by default what the chart's pod gives it: its memory limit times the
   * MaxRAMPercentage of its jvmOptions (helm/aws-auth-operator/values.yaml).
   */
  String xmx;

  List<String> jvmOptions = List.of();

  /** Run the operator with the chart's jvmOptions and MALLOC_ARENA_MAX, as it runs in its pod. */
  boolean chartJvm = true;

  Set<String> skip = Set.of();
  Map<String, String> operatorProps = new LinkedHashMap<>();
  Path out;
  boolean keepEnv;

  /** The peer measured beside the operator and the SDK baseline: null (none) or "vault". */
  String peer;

  /** A Vault binary the user already has (--vault-bin); null: e2e/local-env vault builds one. */
  Path vaultBin;

  /** The allowed call that shows an issued credential works: a policy of every type allows it. */
  static final String ALLOWED_CALL = "ec2:DescribeInstances";

  /** Issuances per type and side for the time until the issued keys work. */
  int keysN() {
    return Math.min(latencyN, 10);
  }

  // --- state ------------------------------------------------------------------------------
  TestEnvironment env;
  KubernetesClient client;
  Path repo;
  AwsAccount identity;
  String assumedRoleArn;
  BenchOperator operator;
  VaultPeer vault;
  int operatorRuns;
  final Map<String, CompletableFuture<Long>> secretSeen = new ConcurrentHashMap<>();
  final Map<String, CompletableFuture<Long>> readySeen = new ConcurrentHashMap<>();
  final List<Rotation> rotations = Collections.synchronizedList(new ArrayList<>());
  final Map<String, AwsCredentialRequest> lastRot = new ConcurrentHashMap<>();
  final Report report = new Report();
  final ObjectMapper json = new ObjectMapper();

  record Rotation(String request, Instant oldRenewAt, Instant newIssuedAt, long observedAtMs) {}

  public static void main(String[] args) throws Exception {
    Benchmark b = new Benchmark();
    b.parse(args);
    int status = 0;
    try {
      b.run();
    } catch (Throwable t) {
      t.printStackTrace();
      status = 1;
    } finally {
      b.finish();
    }
    System.exit(status);
  }

  void parse(String[] args) {
    for (String a : args) {
      String[] kv = a.replaceFirst("^--", "").split("=", 2);
      String v = kv.length > 1 ? kv[1] : "true";
      switch (kv[0]) {
        case "n" -> latencyN = Integer.parseInt(v);
        case "m" -> throughputM = Integer.parseInt(v);
        case "k" -> scaleK = Integer.parseInt(v);
        case "secrets" -> noiseSecrets = Integer.parseInt(v);
        case "secret-mib" -> noiseMib = Integer.parseInt(v);
        case "rotations" -> rotationR = Integer.parseInt(v);
        case "rotation-seconds" -> rotationSeconds = Integer.parseInt(v);
        case "concurrency" -> concurrency = Integer.parseInt(v);
        case "create-threads" -> createThreads = Integer.parseInt(v);
        case "throughput-type" -> throughputType = v;
        case "xmx" -> xmx = v;
        case "jvm" -> jvmOptions = List.of(v.trim().split("\\s+"));
        case "chart-jvm" -> chartJvm = Boolean.parseBoolean(v);
        case "skip" -> skip = Set.of(v.split(","));
        case "operator-prop" -> {
          String[] p = v.split("=", 2);
          operatorProps.put(p[0], p[1]);
        }
        case "out" -> out = Path.of(v);
        case "keep-env" -> keepEnv = true;
        case "peer" -> {
          if (!v.equals("vault")) {
            throw new IllegalArgumentException("--peer=" + v + ": the only peer is vault");
          }
          peer = v;
        }
        case "vault-bin" -> vaultBin = Path.of(v);
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + a
                    + "; options: --n --m --k --secrets --secret-mib --rotations"
                    + " --rotation-seconds --concurrency --create-threads --throughput-type"
                    + " --xmx --skip=latency,keys,throughput,scale,memory,rotation"
                    + " --operator-prop=k=v --out=DIR --keep-env --peer=vault"
                    + " --vault-bin=PATH");
      }
    }
    if (vaultBin != null && peer == null) {
      throw new IllegalArgumentException("--vault-bin needs --peer=vault");
    }
  }

  void run() throws Exception {
    repo = TestEnvironment.repoRoot();
    if (out == null) {
      out = repo.resolve("e2e/target/benchmark");
    }
    Files.createDirectories(out);
    long limitMib = ChartJvm.memoryLimitMib(repo);
    if (xmx == null) {
      xmx = ChartJvm.podHeapMib(repo) + "m";
    }
    report.memoryLimitMib = limitMib;
    report.jvmSettings =
        (chartJvm
                ? "the chart's " + ChartJvm.options(repo) + " + " + ChartJvm.env(repo) + ", "
                : "")
            + "-Xmx"
            + xmx
            + (jvmOptions.isEmpty() ? "" : ", then " + jvmOptions);
    report.option("latency N per type", latencyN);
    report.option("throughput M (" + throughputType + ")", throughputM);
    report.option("scale K (assumed_role)", scaleK);
    report.option("unrelated Secrets x MiB", noiseSecrets + " x " + noiseMib);
    report.option(
        "rotation requests (iam_user, ttl 40s) x seconds", rotationR + " x " + rotationSeconds);
    int threads = OperatorThreads.of(repo, operatorProps);
    if (concurrency == 0) {
      concurrency = threads;
    }
    report.option(
        "baseline and peer concurrency",
        concurrency
            + (concurrency == threads
                ? " (= the operator's reconcile threads)"
                : " (the operator's reconcile threads: " + threads + ")"));
    report.option("keys: issuances per type and side, to the first allowed call", keysN());
    report.option(
        "operator -Xmx",
        xmx
            + " (the chart's pod: "
            + ChartJvm.podHeapMib(repo)
            + "m of its "
            + limitMib
            + "Mi memory limit, helm/aws-auth-operator/values.yaml)");
    report.option("operator JVM options", report.jvmSettings);
    report.option("operator properties", operatorProps.isEmpty() ? "(defaults)" : operatorProps);
    Path vaultBinary = peer == null ? null : vaultBinary();
    report.load("start");
    log("starting the local environment (e2e/local-env up)");
    env = TestEnvironment.get();
    client = env.client();
    setUp();
    if (vaultBinary != null) {
      startVault(vaultBinary);
    }
    watch();
    startUp();
    if (!skip.contains("latency")) {
      latency();
    }
    if (!skip.contains("keys")) {
      keysWork();
    }
    if (!skip.contains("throughput")) {
      throughput();
    }
    if (!skip.contains("scale")) {
      scale();
    }
    if (!skip.contains("memory")) {
      memory();
    }
    if (!skip.contains("rotation")) {
      rotation();
    }
    report.load("end");
  }

  void finish() {
    stopVault();
    try {
      if (operator != null) {
        report.awsCallsTotal = operator.awsCalls();
        notePeakRss();
        operator.stop();
      }
    } catch (RuntimeException e) {
      e.printStackTrace();
    }
    try {
      if (out != null) {
        String md = report.markdown();
        System.out.println();
        System.out.println(md);
        Files.writeString(out.resolve("results.md"), md);
        Files.writeString(out.resolve("results.json"), report.json());
        LatencyPlot.write(report.latencySeries(), out.resolve("latency.png"));
        log(
            "wrote "
                + out.resolve("results.md")
                + ", "
                + out.resolve("results.json")
                + " and "
                + out.resolve("latency.png"));
      }
    } catch (IOException | RuntimeException e) {
      e.printStackTrace();
    }
    if (!keepEnv && env != null) {
      try {
        new ProcessBuilder(repo.resolve("e2e/local-env").toString(), "down")
            .inheritIO()
            .start()
            .waitFor(120, TimeUnit.SECONDS);
      } catch (IOException e) {
        e.printStackTrace();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // --- set-up -----------------------------------------------------------------------------

  void setUp() {
    for (String ns : List.of(NS_SETUP, NS_LAT, NS_BASE, NS_TPUT, NS_SCALE, NS_ROT, NS_NOISE)) {
      Fixtures.namespace(client, ns);
      client
          .resource(
              new ServiceAccountBuilder()
                  .withNewMetadata()
                  .withName(SA)
                  .withNamespace(ns)
                  .endMetadata()
                  .build())
          .serverSideApply();
    }
    String user = Aws.unique("bench-operator");
    identity = Aws.userWithPolicy(env, env.accountA(), user, "config/iam/operator-policy.json");
    String operatorArn = "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":user/" + user;
    String target = Aws.unique("bench-target");
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.createRole(
          r ->
              r.roleName(target)
                  .assumeRolePolicyDocument(
                      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                          + "\"Principal\":{\"AWS\":\""
                          + operatorArn
                          + "\"},\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\","
                          + "\"sts:SetSourceIdentity\"]}]}"));
      // The call that shows an assumed_role credential works (keysWork) is one the role allows.
      iam.putRolePolicy(
          r ->
              r.roleName(target)
                  .policyName("bench-allowed-call")
                  .policyDocument(
                      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                          + "\"Action\":\""
                          + ALLOWED_CALL
                          + "\",\"Resource\":\"*\"}]}"));
    }
    assumedRoleArn = "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/" + target;
    Fixtures.credentialsSecret(client, NS_SETUP, "operator", identity);
    client
        .resource(Fixtures.authConfig(CONFIG, NS_SETUP, "operator", env.awsEndpoint()))
        .serverSideApply();
    for (CredentialType type : TYPES) {
      VaultAwsRole role = new VaultAwsRole();
      role.setMetadata(new ObjectMetaBuilder().withName(roleName(type)).build());
      role.setSpec(new VaultAwsRoleSpec());
      role.getSpec().credentialType = type;
      role.getSpec().authConfigRef = CONFIG;
      role.getSpec().bindings = new RoleBindings();
      role.getSpec().bindings.namespaces = List.of(NS_SETUP, NS_LAT, NS_TPUT, NS_SCALE, NS_ROT);
      if (type != CredentialType.SESSION_TOKEN) {
        role.getSpec().policyDocument = policyNode();
      }
      if (type == CredentialType.ASSUMED_ROLE) {
        role.getSpec().roleArns = List.of(assumedRoleArn);
      }
      client.resource(role).serverSideApply();
    }
  }

  ObjectNode policyNode() {
    try {
      return (ObjectNode) json.readTree(POLICY);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String roleName(CredentialType type) {
    return "bench-" + type.wireName().replace('_', '-');
  }

  /** Informers on the requests and on the operator's Secrets: when each first held keys/Ready. */
  void watch() {
    SharedIndexInformer<Secret> secrets =
        client
            .secrets()
            .inAnyNamespace()
            .withLabel("app.kubernetes.io/managed-by", "aws-auth-operator")
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Secret s) {
                    seen(s);
                  }

                  @Override
                  public void onUpdate(Secret old, Secret s) {
                    seen(s);
                  }

                  @Override
                  public void onDelete(Secret s, boolean unknown) {}
                });
    SharedIndexInformer<AwsCredentialRequest> requests =
        client
            .resources(AwsCredentialRequest.class)
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(AwsCredentialRequest r) {
                    seen(r);
                  }

                  @Override
                  public void onUpdate(AwsCredentialRequest old, AwsCredentialRequest r) {
                    seen(r);
                  }

                  @Override
                  public void onDelete(AwsCredentialRequest r, boolean unknown) {}
                });
    if (!secrets.isRunning() || !requests.isRunning()) {
      throw new IllegalStateException("informers did not start");
    }
  }

  void seen(Secret s) {
    long now = System.nanoTime();
    if (s.getData() != null && s.getData().containsKey("AWS_ACCESS_KEY_ID")) {
      future(secretSeen, key(s.getMetadata().getNamespace(), s.getMetadata().getName()))
          .complete(now);
    }
  }

  void seen(AwsCredentialRequest r) {
    long now = System.nanoTime();
    String key = key(r.getMetadata().getNamespace(), r.getMetadata().getName());
    if (r.getStatus() != null && r.getStatus().isTrue("Ready")) {
      future(readySeen, key).complete(now);
    }
    if (NS_ROT.equals(r.getMetadata().getNamespace()) && r.getStatus() != null) {
      AwsCredentialRequest previous = lastRot.put(key, r);
      if (previous != null
          && previous.getStatus() != null
          && previous.getStatus().issuedAt != null
          && previous.getStatus().renewAt != null
          && r.getStatus().issuedAt != null
          && !previous.getStatus().issuedAt.equals(r.getStatus().issuedAt)) {
        rotations.add(
            new Rotation(
                key,
                Instant.parse(previous.getStatus().renewAt),
                Instant.parse(r.getStatus().issuedAt),
                System.currentTimeMillis()));
      }
    }
  }

  static CompletableFuture<Long> future(Map<String, CompletableFuture<Long>> map, String key) {
    return map.computeIfAbsent(key, k -> new CompletableFuture<>());
  }

  static String key(String ns, String name) {
    return ns + "/" + name;
  }

  AwsCredentialRequest request(String ns, String name, CredentialType type, String ttl) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    r.setSpec(new AwsCredentialRequestSpec());
    r.getSpec().roleRef = roleName(type);
    r.getSpec().ttl = ttl;
    r.getSpec().identity = new AwsCredentialRequestSpec.Identity();
    r.getSpec().identity.serviceAccountName = SA;
    return r;
  }

  BenchOperator startOperator() {
    operatorRuns++;
    Path log = out.resolve("operator-" + operatorRuns + ".log");
    BenchOperator o =
        BenchOperator.start(
            repo,
            Path.of(env.var("KUBECONFIG")),
            log,
            xmx,
            chartJvm ? ChartJvm.options(repo) : List.of(),
            chartJvm ? ChartJvm.env(repo) : Map.of(),
            jvmOptions,
            operatorProps);
    log("operator started (pid " + o.pid() + ", metrics :" + o.port + ", log " + log + ")");
    return o;
  }

  // --- 5. start-up ------------------------------------------------------------------------

  /**
   * The config, the four roles and one session_token request exist before the operator starts: the
   * time from process start to that request's Secret holding keys.
   */
  void startUp() {
    String name = "startup";
    client.resource(request(NS_SETUP, name, CredentialType.SESSION_TOKEN, "1h")).create();
    operator = startOperator();
    long done = await(future(secretSeen, key(NS_SETUP, name)), Duration.ofMinutes(3));
    double seconds = (done - operator.startedNanos) / 1e9;
    long readyNanos = await(future(readySeen, key(NS_SETUP, name)), Duration.ofSeconds(30));
    log(String.format(Locale.ROOT, "start-up: first Secret with keys after %.2fs", seconds));
    // Roles and config are Ready by now: wait for the roles of the other types too.
    awaitUntil(
        () ->
            TYPES.stream()
                .allMatch(
                    t -> {
                      VaultAwsRole r =
                          client.resources(VaultAwsRole.class).withName(roleName(t)).get();
                      return r != null && r.getStatus() != null && r.getStatus().isTrue("Ready");
                    }),
        Duration.ofMinutes(2),
        "the benchmark roles to be Ready");
    awaitUntil(
        () -> {
          AwsAuthConfig c = client.resources(AwsAuthConfig.class).withName(CONFIG).get();
          return c.getStatus() != null && c.getStatus().isTrue("Ready");
        },
        Duration.ofMinutes(1),
        "AwsAuthConfig bench to be Ready");
    // Where the start-up went: when the config and the roles turned Ready (whole seconds).
    AwsAuthConfig config = client.resources(AwsAuthConfig.class).withName(CONFIG).get();
    StringBuilder breakdown = new StringBuilder();
    breakdown
        .append("AwsAuthConfig Ready at ")
        .append(
            sinceStart(
                config.getStatus().condition("Ready").orElseThrow().getLastTransitionTime()));
    for (CredentialType t : TYPES) {
      VaultAwsRole r = client.resources(VaultAwsRole.class).withName(roleName(t)).get();
      breakdown
          .append(", role ")
          .append(t.wireName())
          .append(" Ready at ")
          .append(
              sinceStart(r.getStatus().condition("Ready").orElseThrow().getLastTransitionTime()));
    }
    report.startup =
        new Report.Startup(
            seconds,
            (readyNanos - operator.startedNanos) / 1e9,
            operator.quarkusStartedIn(),
            breakdown.toString());
  }

  /** A status timestamp (whole seconds) as seconds since the operator process started. */
  String sinceStart(String timestamp) {
    return String.format(
        Locale.ROOT,
        "%+.0f s",
        (Instant.parse(timestamp).toEpochMilli() - operator.startedWallMs) / 1000.0);
  }

  // --- 1. latency -------------------------------------------------------------------------

  void latency() throws Exception {
    try (Baseline baseline = baseline()) {
      for (CredentialType type : TYPES) {
        String t = type.wireName().replace('_', '-');
        Map<String, Double> before = operator.awsCalls();
        double[] issuanceBefore = operator.issuance(type.wireName());
        List<Double> op = new ArrayList<>();
        int failed = 0;
        for (int i = 0; i < latencyN; i++) {
          String name = "lat-" + t + "-" + i;
          long t0 = System.nanoTime();
          client.resource(request(NS_LAT, name, type, "1h")).create();
          try {
            long done = await(future(secretSeen, key(NS_LAT, name)), Duration.ofSeconds(120));
            op.add((done - t0) / 1e6);
          } catch (IllegalStateException e) {
            failed++;
          }
        }
        Map<String, Double> calls = delta(before, operator.awsCalls());
        // The timer stops when the Secret is written, a moment before the benchmark can see it:
        // wait (briefly) until it counts every issuance seen.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        double[] issuanceAfter = operator.issuance(type.wireName());
        while (issuanceAfter[1] - issuanceBefore[1] < op.size() && System.nanoTime() < deadline) {
          Thread.sleep(100);
          issuanceAfter = operator.issuance(type.wireName());
        }
        double internalMs =
            (issuanceAfter[0] - issuanceBefore[0])
                * 1000
                / Math.max(1, issuanceAfter[1] - issuanceBefore[1]);
        List<Double> base = new ArrayList<>();
        int baseFailed = 0;
        for (int i = 0; i < latencyN; i++) {
          String name = "base-" + t + "-" + i;
          long t0 = System.nanoTime();
          try {
            baseline.issue(type, NS_BASE, name);
            base.add((System.nanoTime() - t0) / 1e6);
          } catch (RuntimeException e) {
            baseFailed++;
            if (baseFailed == 1) {
              e.printStackTrace();
            }
          }
        }
        if (vault != null && VaultPeer.hasCounterpart(type)) {
          List<Double> peerMs = new ArrayList<>();
          int peerFailed = 0;
          for (int i = 0; i < latencyN; i++) {
            long t0 = System.nanoTime();
            try {
              vault.issue(type, "1h");
              peerMs.add((System.nanoTime() - t0) / 1e6);
            } catch (RuntimeException e) {
              if (++peerFailed == 1) {
                e.printStackTrace();
              }
            }
          }
          report.vaultLatency(type.wireName(), peerMs, peerFailed);
        }
        int working = verifyKeys(NS_LAT, "lat-" + t + "-", Math.min(latencyN, 10));
        report.latency(
            type.wireName(),
            op,
            base,
            failed,
            baseFailed,
            calls,
            latencyN,
            working,
            internalMs,
            (long) (issuanceAfter[1] - issuanceBefore[1]));
        log(report.latencyLine(type.wireName()));
      }
    }
  }

  Baseline baseline() {
    return new Baseline(
        client,
        env.awsEndpoint(),
        identity.accessKeyId(),
        identity.secretAccessKey(),
        POLICY,
        assumedRoleArn,
        concurrency);
  }

  /** GetCallerIdentity with the keys of up to {@code max} of the Secrets: how many work. */
  int verifyKeys(String ns, String prefix, int max) {
    int ok = 0;
    int tried = 0;
    for (Secret s : client.secrets().inNamespace(ns).list().getItems()) {
      if (!s.getMetadata().getName().startsWith(prefix) || tried >= max) {
        continue;
      }
      tried++;
      Map<String, String> d = new HashMap<>();
      s.getData()
          .forEach(
              (k, v) ->
                  d.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
      AwsCredentials c =
          d.containsKey("AWS_SESSION_TOKEN")
              ? AwsSessionCredentials.create(
                  d.get("AWS_ACCESS_KEY_ID"),
                  d.get("AWS_SECRET_ACCESS_KEY"),
                  d.get("AWS_SESSION_TOKEN"))
              : AwsBasicCredentials.create(
                  d.get("AWS_ACCESS_KEY_ID"), d.get("AWS_SECRET_ACCESS_KEY"));
      try (StsClient sts = Aws.sts(env, c)) {
        sts.getCallerIdentity();
        ok++;
      } catch (RuntimeException e) {
        log("keys of " + s.getMetadata().getName() + " do not work: " + e.getMessage());
      }
    }
    return ok;
  }

  // --- 2. throughput ----------------------------------------------------------------------

  void throughput() throws Exception {
    CredentialType type =
        TYPES.stream()
            .filter(t -> t.wireName().equals(throughputType))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("--throughput-type=" + throughputType));
    Report.Burst op = burst(NS_TPUT, "tput", type, throughputM);
    Report.Burst base = baselineBurst("tput", type, throughputM);
    report.throughput = new Report.BurstPair(type.wireName(), throughputM, op, base);
    if (vault != null && VaultPeer.hasCounterpart(type)) {
      report.vaultThroughput = vaultBurst(type, throughputM);
    }
    log(
        String.format(
            Locale.ROOT,
            "throughput: operator %.1f/s, baseline %.1f/s%s",
            op.perSecond(),
            base.perSecond(),
            report.vaultThroughput == null
                ? ""
                : String.format(
                    Locale.ROOT, ", Vault %.1f/s", report.vaultThroughput.perSecond())));
  }

  /** Creates {@code count} requests at once; the time until every Secret holds keys. */
  Report.Burst burst(String ns, String prefix, CredentialType type, int count) throws Exception {
    Map<String, Double> before = operator.awsCalls();
    long t0 = System.nanoTime();
    parallel(
        createThreads,
        count,
        i -> client.resource(request(ns, prefix + "-" + i, type, "1h")).create());
    long created = System.nanoTime();
    long last = 0;
    long lastReady = 0;
    int failed = 0;
    Duration timeout = Duration.ofSeconds(Math.max(300, count / 2));
    for (int i = 0; i < count; i++) {
      try {
        last = Math.max(last, await(future(secretSeen, key(ns, prefix + "-" + i)), timeout));
        lastReady =
            Math.max(
                lastReady,
                await(future(readySeen, key(ns, prefix + "-" + i)), Duration.ofSeconds(60)));
      } catch (IllegalStateException e) {
        failed++;
      }
    }
    return new Report.Burst(
        count,
        failed,
        (created - t0) / 1e9,
        (last - t0) / 1e9,
        (lastReady - t0) / 1e9,
        delta(before, operator.awsCalls()));
  }

  /**
   * {@code count} requests created while the operator is stopped (issue 19: creating them is no
   * longer in the figure), then a new operator process: its times run from the process start, so
   * they include the start-up. The creates are timed apart.
   */
  Report.Burst backlog(String ns, String prefix, CredentialType type, int count) throws Exception {
    notePeakRss();
    operator.stop();
    long c0 = System.nanoTime();
    parallel(
        createThreads,
        count,
        i -> client.resource(request(ns, prefix + "-" + i, type, "1h")).create());
    double createSeconds = (System.nanoTime() - c0) / 1e9;
    log(
        String.format(
            Locale.ROOT,
            "scale: %d requests created in %.1fs with the operator stopped; starting it",
            count,
            createSeconds));
    operator = startOperator();
    long t0 = operator.startedNanos;
    long last = 0;
    long lastReady = 0;
    int failed = 0;
    Duration timeout = Duration.ofSeconds(Math.max(300, count / 2));
    for (int i = 0; i < count; i++) {
      try {
        last = Math.max(last, await(future(secretSeen, key(ns, prefix + "-" + i)), timeout));
        lastReady =
            Math.max(
                lastReady,
                await(future(readySeen, key(ns, prefix + "-" + i)), Duration.ofSeconds(60)));
      } catch (IllegalStateException e) {
        failed++;
      }
    }
    return new Report.Burst(
        count,
        failed,
        createSeconds,
        (last - t0) / 1e9,
        (lastReady - t0) / 1e9,
        operator.awsCalls());
  }

  /** The same issuances made by {@code concurrency} threads with the SDK and fabric8. */
  Report.Burst baselineBurst(String prefix, CredentialType type, int count) throws Exception {
    AtomicInteger failed = new AtomicInteger();
    long t0 = System.nanoTime();
    try (Baseline baseline = baseline()) {
      parallel(
          concurrency,
          count,
          i -> {
            try {
              baseline.issue(
                  type, NS_BASE, prefix + "-" + type.wireName().replace('_', '-') + "-" + i);
            } catch (RuntimeException e) {
              if (failed.incrementAndGet() == 1) {
                e.printStackTrace();
              }
            }
          });
    }
    double s = (System.nanoTime() - t0) / 1e9;
    return new Report.Burst(count, failed.get(), s, s, s, Map.of());
  }

  /** The same number of issuances from Vault by {@code concurrency} threads, one HTTP client. */
  Report.Burst vaultBurst(CredentialType type, int count) throws Exception {
    AtomicInteger failed = new AtomicInteger();
    long t0 = System.nanoTime();
    parallel(
        concurrency,
        count,
        i -> {
          try {
            vault.issue(type, "1h");
          } catch (RuntimeException e) {
            if (failed.incrementAndGet() == 1) {
              e.printStackTrace();
            }
          }
        });
    double s = (System.nanoTime() - t0) / 1e9;
    return new Report.Burst(count, failed.get(), s, s, s, Map.of());
  }

  // --- 3. scale and restart ---------------------------------------------------------------

  void scale() throws Exception {
    Report.Burst cold = backlog(NS_SCALE, "scale", CredentialType.ASSUMED_ROLE, scaleK);
    log(
        String.format(
            Locale.ROOT,
            "scale: %d assumed_role that existed before the start Ready %.1fs after it",
            scaleK,
            cold.readySeconds()));
    Report.Burst base = baselineBurst("scale", CredentialType.ASSUMED_ROLE, scaleK);
    if (vault != null) {
      report.vaultCold = vaultBurst(CredentialType.ASSUMED_ROLE, scaleK);
    }
    Thread.sleep(5000);
    long rss = operator.rssKib();
    long liveHeap = operator.heapUsedAfterGcKib();
    // Where the memory goes at scale: the classes on the heap, and (with
    // --jvm=-XX:NativeMemoryTracking=summary) the JVM's own areas.
    Files.createDirectories(out);
    Files.writeString(
        out.resolve("scale-class-histogram.txt"), operator.diagnostic("GC.class_histogram"));
    Files.writeString(
        out.resolve("scale-native-memory.txt"), operator.diagnostic("VM.native_memory summary"));
    long ready =
        client.resources(AwsCredentialRequest.class).inAnyNamespace().list().getItems().stream()
            .filter(r -> r.getStatus() != null && r.getStatus().isTrue("Ready"))
            .count();
    double gaugeBefore = operator.leases("ready");
    log("killing the operator (SIGKILL) with " + ready + " Ready requests in the cluster");
    notePeakRss();
    operator.kill();
    operator = startOperator();
    long t0 = operator.startedNanos;
    Duration limit = Duration.ofMinutes(10);
    double resync = -1;
    double firstReconcile = -1;
    while (System.nanoTime() - t0 < limit.toNanos()) {
      double g = operator.leases("ready");
      if (g >= 1 && firstReconcile < 0) {
        firstReconcile = (System.nanoTime() - t0) / 1e9;
      }
      if (g >= ready) {
        resync = (System.nanoTime() - t0) / 1e9;
        break;
      }
      Thread.sleep(100);
    }
    Map<String, Double> callsAtResync = operator.awsCalls();
    Thread.sleep(10_000);
    Map<String, Double> callsAfter10s = operator.awsCalls();
    report.scale =
        new Report.Scale(
            cold,
            base,
            rss,
            liveHeap,
            ready,
            gaugeBefore,
            resync,
            firstReconcile,
            operator.quarkusStartedIn(),
            callsAtResync,
            callsAfter10s);
    log(String.format(Locale.ROOT, "restart: all %d reconciled after %.1fs", ready, resync));
  }

  // --- 4. memory with unrelated Secrets ---------------------------------------------------

  void memory() throws Exception {
    Thread.sleep(3000);
    long before = operator.rssKib();
    String payload = "x".repeat(noiseMib * 1024 * 1024 - 1024);
    String encoded = Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    long t0 = System.nanoTime();
    parallel(
        4,
        noiseSecrets,
        i ->
            client
                .secrets()
                .resource(
                    new SecretBuilder()
                        .withNewMetadata()
                        .withName("noise-" + i)
                        .withNamespace(NS_NOISE)
                        .endMetadata()
                        .withType("Opaque")
                        .withData(Map.of("blob", encoded))
                        .build())
                .create());
    double createSeconds = (System.nanoTime() - t0) / 1e9;
    long peak = before;
    for (int i = 0; i < 20; i++) {
      Thread.sleep(1000);
      peak = Math.max(peak, operator.rssKib());
    }
    long after = operator.rssKib();
    report.memory = new Report.Memory(noiseSecrets, noiseMib, before, after, peak, createSeconds);
    log(String.format(Locale.ROOT, "memory: RSS %d KiB -> %d KiB (peak %d)", before, after, peak));
    // The noise leaves: etcd and the API server should not carry it into the next phase.
    try {
      client.secrets().inNamespace(NS_NOISE).withTimeout(5, TimeUnit.MINUTES).delete();
    } catch (RuntimeException e) {
      log("could not delete the unrelated Secrets (" + e.getMessage() + "); going on");
    }
  }

  // --- 6. rotation lateness ---------------------------------------------------------------

  void rotation() throws Exception {
    for (int i = 0; i < rotationR; i++) {
      client.resource(request(NS_ROT, "rot-" + i, CredentialType.IAM_USER, "40s")).create();
    }
    long t0 = System.nanoTime();
    Thread.sleep(rotationSeconds * 1000L);
    List<Rotation> observed;
    synchronized (rotations) {
      observed = new ArrayList<>(rotations);
    }
    report.rotation = new Report.RotationResult(rotationR, rotationSeconds, observed);
    log(
        "rotation: "
            + observed.size()
            + " rotations observed in "
            + (System.nanoTime() - t0) / 1_000_000_000
            + "s");
  }

  // --- time until the issued keys work ---------------------------------------------------

  /**
   * Per type, {@link #keysN()} issuances one at a time by the operator, the SDK baseline and Vault:
   * from just before the request (the create, the first SDK call, the HTTP request) to the first
   * {@link #ALLOWED_CALL} that succeeds with the issued keys, tried every 50 ms for up to 30 s (a
   * type is given up after 3 failures).
   */
  void keysWork() throws Exception {
    try (Baseline baseline = baseline()) {
      for (CredentialType type : TYPES) {
        String t = type.wireName().replace('_', '-');
        List<Double> op = new ArrayList<>();
        List<Double> base = new ArrayList<>();
        List<Double> peerMs = new ArrayList<>();
        int failed = 0;
        for (int i = 0; i < keysN(); i++) {
          String name = "keys-" + t + "-" + i;
          long t0 = System.nanoTime();
          try {
            client.resource(request(NS_LAT, name, type, "1h")).create();
            await(future(secretSeen, key(NS_LAT, name)), Duration.ofSeconds(120));
            Secret s = client.secrets().inNamespace(NS_LAT).withName(name).get();
            op.add(untilWorks(Aws.credentialsIn(s), t0));
          } catch (RuntimeException e) {
            failed++;
            log("keys of " + name + ": " + e.getMessage());
          }
          t0 = System.nanoTime();
          try {
            base.add(untilWorks(baseline.issue(type, NS_BASE, "keys-base-" + t + "-" + i), t0));
          } catch (RuntimeException e) {
            failed++;
            log("keys of the baseline's " + name + ": " + e.getMessage());
          }
          if (vault != null && VaultPeer.hasCounterpart(type)) {
            t0 = System.nanoTime();
            try {
              peerMs.add(untilWorks(vault.issue(type, "1h"), t0));
            } catch (RuntimeException e) {
              failed++;
              log("keys of Vault's " + type.wireName() + " credential: " + e.getMessage());
            }
          }
          if (failed >= 3) {
            log("keys work " + type.wireName() + ": " + failed + " failures, the type given up");
            break;
          }
        }
        report.keysWork(
            type.wireName(),
            op,
            base,
            vault != null && VaultPeer.hasCounterpart(type) ? peerMs : null,
            failed);
        log(
            String.format(
                Locale.ROOT,
                "keys work %s: operator p50 %.0f ms, baseline p50 %.0f ms%s",
                type.wireName(),
                Report.pct(op, 50),
                Report.pct(base, 50),
                peerMs.isEmpty()
                    ? ""
                    : String.format(Locale.ROOT, ", Vault p50 %.0f ms", Report.pct(peerMs, 50))));
      }
    }
  }

  /**
   * Milliseconds from {@code t0} to the first {@link #ALLOWED_CALL} that succeeds with {@code c}.
   */
  double untilWorks(AwsCredentials c, long t0) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try (Ec2Client ec2 = Aws.ec2(env, c)) {
      while (true) {
        try {
          ec2.describeInstances();
          return (System.nanoTime() - t0) / 1e6;
        } catch (SdkServiceException e) {
          if (System.nanoTime() > end) {
            throw new IllegalStateException(
                ALLOWED_CALL + " still refused after 30 s: " + e.getMessage(), e);
          }
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
  }

  // --- the peer ---------------------------------------------------------------------------

  /** --vault-bin, or the binary e2e/local-env vault builds once and caches. */
  Path vaultBinary() throws IOException, InterruptedException {
    if (vaultBin != null) {
      if (!Files.isExecutable(vaultBin)) {
        throw new IllegalArgumentException("--vault-bin=" + vaultBin + " is not an executable");
      }
      return vaultBin;
    }
    log("building (once, cached) Vault with e2e/local-env vault");
    Process p =
        new ProcessBuilder(repo.resolve("e2e/local-env").toString(), "vault")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String path = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (p.waitFor() != 0 || path.isEmpty()) {
      throw new IllegalStateException("e2e/local-env vault failed (status " + p.exitValue() + ")");
    }
    return Path.of(path);
  }

  void startVault(Path binary) throws IOException, InterruptedException {
    Path log = out.resolve("vault.log");
    vault = VaultPeer.start(binary, log);
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopVault, "stop-vault"));
    Map<CredentialType, String> roles = new LinkedHashMap<>();
    TYPES.forEach(t -> roles.put(t, roleName(t)));
    vault.configure(
        env.awsEndpoint(),
        identity.accessKeyId(),
        identity.secretAccessKey(),
        POLICY,
        assumedRoleArn,
        roles);
    report.peer =
        "HashiCorp Vault "
            + vault.version()
            + " ("
            + binary
            + "), dev mode (in-memory storage) on "
            + vault.address()
            + ", aws/config/root = the operator's key, IAM and STS endpoints = the emulator";
    report.option("peer", report.peer);
    log("Vault " + vault.version() + " started (pid " + vault.pid() + ", log " + log + ")");
  }

  synchronized void stopVault() {
    if (vault != null) {
      vault.close();
      log("Vault stopped (" + (vault.alive() ? "still alive!" : "process gone") + ")");
      vault = null;
    }
  }

  // --- helpers ----------------------------------------------------------------------------

  /** The peak resident memory of the running operator process, before it ends. */
  void notePeakRss() {
    try {
      report.peakRssKib.put("process " + operatorRuns, operator.peakRssKib());
    } catch (RuntimeException e) {
      log("could not read VmHWM of the operator: " + e.getMessage());
    }
  }

  static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Double> d = new HashMap<>();
    after.forEach(
        (k, v) -> {
          double x = v - before.getOrDefault(k, 0.0);
          if (x > 0) {
            d.put(k, x);
          }
        });
    return d;
  }

  static void parallel(int threads, int count, IntConsumer task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int n = i;
        futures.add(pool.submit(() -> task.accept(n)));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static long await(CompletableFuture<Long> f, Duration timeout) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("not seen within " + timeout, e);
    }
  }

  static void awaitUntil(BooleanSupplier condition, Duration timeout, String what) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  static void log(String message) {
    System.err.println(
        "[benchmark " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "] " + message);
  }
}
