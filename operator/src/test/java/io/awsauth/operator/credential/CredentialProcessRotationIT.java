package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Deliverable 3 of issue 17: real SDKs read the request's Secret the way a pod that mounts it does
 * (a directory the test updates as the kubelet does: files behind the {@code ..data} symlink,
 * swapped atomically), with {@code AWS_CONFIG_FILE} set to its {@code config} key, and call STS
 * every second across at least three rotations of an iam_user and an assumed_role lease: botocore
 * (the AWS CLI's library, in a Python subprocess), the Java SDK v2 ({@code
 * ProfileCredentialsProvider} → {@code ProcessCredentialsProvider}) and the Go SDK v2 ({@code
 * config.LoadDefaultConfig} → {@code processcreds}, src/test/go/credproc, in a subprocess). No call
 * may fail, nothing is restarted, and when each SDK switched to each new key, against renewAt and
 * the previous credential's expiry, is printed.
 */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class CredentialProcessRotationIT {
  static final String NS = "aao-credproc-it";
  static final String CONFIG = "credproc-it";
  static final String SA = "app";
  static final int ROTATIONS = 3;

  static TestEnvironment env;
  static KubernetesClient client;
  static String operatorArn;
  static Path goBinary;

  @BeforeAll
  static void operatorIdentity() throws Exception {
    goBinary = Files.createTempDirectory("aao-credproc-go-").resolve("credproc");
    Process build =
        new ProcessBuilder("go", "build", "-o", goBinary.toString(), ".")
            .directory(TestEnvironment.repoRoot().resolve("operator/src/test/go/credproc").toFile())
            .redirectErrorStream(true)
            .start();
    String buildLog = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(build.waitFor()).as("go build of src/test/go/credproc: %s", buildLog).isZero();
    env = TestEnvironment.get();
    client = env.client();
    Fixtures.namespace(client, NS);
    Fixtures.serviceAccount(client, NS, SA);
    String user = Aws.unique("credproc-root");
    AwsAccount operator = Aws.operatorUser(env, user);
    operatorArn = "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":user/" + user;
    Fixtures.credentialsSecret(client, NS, "operator", operator);
    Fixtures.readyAuthConfig(client, CONFIG, NS, "operator", env.awsEndpoint());
  }

  @Test
  void botocoreJavaAndGoSdksKeepCallingAcrossRotationsWithoutAFailure() throws Exception {
    // iam_user: 100s leases renewed 35s before expiry: a rotation every ~65s, and the previous
    // key lives to its Expiration + 30s, which is the next rotation.
    VaultAwsRole iamRole = role(Aws.unique("credproc-user"), CredentialType.IAM_USER);
    createReady(iamRole);
    Lease iamUser = new Lease(request(Aws.unique("credproc-user"), iamRole, "100s", "35s"));
    // assumed_role: STS's shortest lease (15m) renewed 14m before expiry: a rotation every ~60s;
    // every old session lives its 15 minutes.
    String target = Aws.unique("credproc-target");
    try (var iam = Aws.iam(env, env.accountA())) {
      iam.createRole(
          r ->
              r.roleName(target)
                  .assumeRolePolicyDocument(
                      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                          + "\"Principal\":{\"AWS\":\""
                          + operatorArn
                          + "\"},\"Action\":\"sts:AssumeRole\"}]}"));
    }
    VaultAwsRole stsRole = role(Aws.unique("credproc-assumed"), CredentialType.ASSUMED_ROLE);
    stsRole.getSpec().roleArns =
        List.of("arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/" + target);
    createReady(stsRole);
    Lease assumed = new Lease(request(Aws.unique("credproc-assumed"), stsRole, "15m", "14m"));

    List<Lease> leases = List.of(iamUser, assumed);
    for (Lease l : leases) {
      l.start();
    }
    try {
      await()
          .atMost(Duration.ofMinutes(7))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () ->
                  leases.stream().allMatch(l -> l.keys.size() > ROTATIONS)
                      // iam_user: every SDK used the last key too (Java switches 15s before the
                      // previous Expiration)
                      && iamUser.javaSdk.switchedTo(iamUser.keys.get(ROTATIONS).keyHash)
                      && iamUser.botocore.switchedTo(iamUser.keys.get(ROTATIONS).keyHash)
                      && iamUser.goSdk.switchedTo(iamUser.keys.get(ROTATIONS).keyHash)
                      && assumed.botocore.switchedTo(assumed.keys.get(ROTATIONS).keyHash));
    } finally {
      for (Lease l : leases) {
        l.stop();
      }
    }

    for (Lease l : leases) {
      System.out.println(l.report());
    }
    for (Lease l : leases) {
      for (Sdk sdk : l.sdks()) {
        assertThat(sdk.failures)
            .as("failed calls of %s on %s: %s", sdk.name, l.name, sdk.failureMessages)
            .hasValue(0);
        assertThat(sdk.calls.get()).as("%s calls on %s", sdk.name, l.name).isGreaterThan(100);
        assertThat(sdk.ranThroughout()).as("%s ran without a restart", sdk.name).isTrue();
        // every key the SDK used is one the operator issued for this request
        assertThat(l.issuedHashes()).containsAll(sdk.firstUse.keySet());
      }
    }
    // iam_user: every SDK followed every rotation, before the previous key's Expiration
    for (Sdk sdk : iamUser.sdks()) {
      for (int i = 1; i <= ROTATIONS; i++) {
        Issued previous = iamUser.keys.get(i - 1);
        Instant switched = sdk.firstUse.get(iamUser.keys.get(i).keyHash);
        assertThat(switched).as("%s switched to key %d", sdk.name, i).isNotNull();
        // (the Go SDK switches at the Expiration itself: its first call at or after it, a call a
        // second, so up to a second past it; the old key stays valid 30 s longer)
        assertThat(switched)
            .as("%s switched to key %d by the previous one's Expiration", sdk.name, i)
            .isBeforeOrEqualTo(previous.expiresAt.plusMillis(1500));
      }
    }
    // botocore re-reads inside its 15-minute advisory window, so it follows every STS rotation at
    // once; the Java and Go SDKs keep their session until 15s before / at its Expiration (15m).
    for (int i = 1; i <= ROTATIONS; i++) {
      assertThat(assumed.botocore.firstUse).containsKey(assumed.keys.get(i).keyHash);
    }
  }

  // --- a lease, the directory the "kubelet" keeps, and the SDK loops -------------------------

  /** One issued credential of a lease, as its status said. */
  record Issued(String keyHash, Instant issuedAt, Instant renewAt, Instant expiresAt) {}

  final class Lease {
    final AwsCredentialRequest request;
    final String name;
    final Path dir;
    final List<Issued> keys = new CopyOnWriteArrayList<>();
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger volumeUpdates = new AtomicInteger();
    Sdk javaSdk;
    Sdk botocore;
    Sdk goSdk;
    Thread kubelet;

    Lease(AwsCredentialRequest request) throws IOException {
      this.request = request;
      this.name = request.getMetadata().getName();
      this.dir = Files.createTempDirectory("aao-credproc-");
      request.getSpec().mountPath = dir.toString();
      client.resource(request).create();
    }

    void start() throws Exception {
      AwsCredentialRequest ready = Fixtures.awaitCondition(client, request, "Ready", "True");
      observe(ready);
      syncVolume(); // the pod starts with the Secret mounted
      kubelet = new Thread(this::kubeletLoop, "kubelet-" + name);
      kubelet.setDaemon(true);
      kubelet.start();
      javaSdk = new JavaSdk(this);
      botocore = Subprocess.botocore(this);
      goSdk = Subprocess.go(this);
      for (Sdk sdk : sdks()) {
        sdk.start();
      }
    }

    void stop() throws InterruptedException, IOException {
      stop.set(true);
      for (Sdk sdk : sdks()) {
        if (sdk != null) {
          sdk.stop();
        }
      }
      if (kubelet != null) {
        kubelet.join(5000);
      }
      client.resource(request).delete();
      // (the copy of the Secret holds secret material: it goes with the test)
      try (var files = Files.walk(dir)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      } catch (IOException e) {
        System.out.println("could not delete " + dir + ": " + e);
      }
    }

    List<Sdk> sdks() {
      return Arrays.asList(javaSdk, botocore, goSdk);
    }

    Path configFile() {
      return dir.resolve("config");
    }

    List<String> issuedHashes() {
      return keys.stream().map(Issued::keyHash).toList();
    }

    /** Status is polled every 500 ms: each new key with its issuedAt, renewAt and expiresAt. */
    void observe(AwsCredentialRequest r) {
      if (r == null || r.getStatus() == null || r.getStatus().accessKeyId == null) {
        return;
      }
      String hash = hash(r.getStatus().accessKeyId);
      if (keys.stream().noneMatch(k -> k.keyHash.equals(hash))) {
        keys.add(
            new Issued(
                hash,
                Instant.parse(r.getStatus().issuedAt),
                Instant.parse(r.getStatus().renewAt),
                Instant.parse(r.getStatus().expiresAt)));
      }
    }

    private void kubeletLoop() {
      while (!stop.get()) {
        try {
          observe(
              client.resources(AwsCredentialRequest.class).inNamespace(NS).withName(name).get());
          syncVolume();
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          System.out.println("kubelet " + name + ": " + e);
        }
      }
    }

    private String shownVersion;

    /**
     * What the kubelet does to a Secret volume (atomic_writer.go): the files go into a fresh {@code
     * ..<timestamp>} directory, the {@code ..data} symlink is swapped to it with a rename, and each
     * key is a symlink through {@code ..data}.
     */
    void syncVolume() throws IOException {
      Secret secret = client.secrets().inNamespace(NS).withName(name).get();
      if (secret == null
          || secret.getData() == null
          || secret.getMetadata().getResourceVersion().equals(shownVersion)) {
        return;
      }
      Path next = dir.resolve("..v" + System.nanoTime());
      Files.createDirectory(next);
      for (Map.Entry<String, String> e : secret.getData().entrySet()) {
        Files.write(next.resolve(e.getKey()), Base64.getDecoder().decode(e.getValue()));
      }
      Path data = dir.resolve("..data");
      Path previous = Files.isSymbolicLink(data) ? Files.readSymbolicLink(data) : null;
      Path tmp = dir.resolve("..data_tmp");
      Files.deleteIfExists(tmp);
      Files.createSymbolicLink(tmp, next.getFileName());
      Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      for (String key : secret.getData().keySet()) {
        Path link = dir.resolve(key);
        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createSymbolicLink(link, Path.of("..data").resolve(key));
        }
      }
      if (previous != null) {
        Path old = dir.resolve(previous);
        try (var files = Files.list(old)) {
          for (Path f : files.toList()) {
            Files.delete(f);
          }
        }
        Files.delete(old);
      }
      shownVersion = secret.getMetadata().getResourceVersion();
      volumeUpdates.incrementAndGet();
    }

    String report() {
      StringBuilder b =
          new StringBuilder("\n== credential_process across rotations: ")
              .append(name)
              .append(" (")
              .append(keys.size() - 1)
              .append(" rotations, ")
              .append(volumeUpdates.get())
              .append(" volume updates)\n");
      for (Sdk sdk : sdks()) {
        b.append(
            String.format(
                "  %-9s calls %d, failed %d, credential_process runs %s%n",
                sdk.name, sdk.calls.get(), sdk.failures.get(), sdk.processRuns()));
      }
      b.append("  key  issued                renewAt(prev)         expires(prev)        ");
      b.append(" switch vs renewAt / vs expiry (s), per SDK\n");
      for (int i = 1; i < keys.size(); i++) {
        Issued k = keys.get(i);
        Issued p = keys.get(i - 1);
        b.append(String.format("  %-4d %-21s %-21s %-21s", i, k.issuedAt, p.renewAt, p.expiresAt));
        for (Sdk sdk : sdks()) {
          Instant at = sdk.firstUse.get(k.keyHash);
          b.append(
              at == null
                  ? String.format(" %s: not yet", sdk.name)
                  : String.format(
                      " %s: %+.1f / %+.1f",
                      sdk.name,
                      Duration.between(p.renewAt, at).toMillis() / 1000.0,
                      Duration.between(p.expiresAt, at).toMillis() / 1000.0));
        }
        b.append('\n');
      }
      return b.toString();
    }
  }

  /** An SDK's loop: a call every second, the key it used, failures. */
  abstract static class Sdk {
    final String name;
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final List<String> failureMessages = new CopyOnWriteArrayList<>();
    final Map<String, Instant> firstUse = new ConcurrentHashMap<>();

    Sdk(String name) {
      this.name = name;
    }

    abstract void start() throws Exception;

    abstract void stop() throws InterruptedException, IOException;

    /** Whether the workload ran as one process (or one client) from start to stop. */
    abstract boolean ranThroughout();

    String processRuns() {
      return "n/a";
    }

    boolean switchedTo(String keyHash) {
      return firstUse.containsKey(keyHash);
    }

    void used(String keyHash, Instant at) {
      calls.incrementAndGet();
      firstUse.putIfAbsent(keyHash, at);
    }

    void failed(String message) {
      calls.incrementAndGet();
      failures.incrementAndGet();
      if (failureMessages.size() < 10) {
        failureMessages.add(message);
      }
    }
  }

  /** The Java SDK v2: the Secret's config file as the profile file, nothing else. */
  static final class JavaSdk extends Sdk {
    private final Lease lease;
    private final AtomicBoolean stop = new AtomicBoolean();
    private Thread thread;
    private volatile boolean ended;

    JavaSdk(Lease lease) {
      super("java-v2");
      this.lease = lease;
    }

    @Override
    void start() {
      ProfileFile profiles =
          ProfileFile.builder()
              .content(lease.configFile())
              .type(ProfileFile.Type.CONFIGURATION)
              .build();
      ProfileCredentialsProvider provider =
          ProfileCredentialsProvider.builder().profileFile(profiles).profileName("default").build();
      StsClient sts =
          StsClient.builder()
              .credentialsProvider(provider)
              .region(Region.US_EAST_1)
              .endpointOverride(URI.create(env.awsEndpoint()))
              .build();
      thread =
          new Thread(
              () -> {
                try (sts;
                    provider) {
                  while (!stop.get()) {
                    Instant at = Instant.now();
                    try {
                      sts.getCallerIdentity();
                      used(hash(provider.resolveCredentials().accessKeyId()), at);
                    } catch (RuntimeException e) {
                      failed(at + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                    sleepUntil(at.plusSeconds(1));
                  }
                  ended = true;
                }
              },
              "java-sdk-" + lease.name);
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    void stop() throws InterruptedException {
      stop.set(true);
      thread.join(10000);
    }

    @Override
    boolean ranThroughout() {
      return ended; // one provider and one client, from start to stop
    }
  }

  /**
   * A workload in its own process for the whole run, printing one JSON line per call (time, ok, a
   * hash of the key ID it used): botocore in Python, or the Go SDK v2 (src/test/go/credproc).
   */
  static final class Subprocess extends Sdk {
    static final String BOTOCORE =
        String.join(
            "\n",
            "import hashlib, json, os, sys, time",
            "import botocore.credentials, botocore.session",
            "runs = [0]",
            "run = botocore.credentials.ProcessProvider._retrieve_credentials_using",
            "def counting(self, command):",
            "    runs[0] += 1",
            "    return run(self, command)",
            "botocore.credentials.ProcessProvider._retrieve_credentials_using = counting",
            "s = botocore.session.get_session()",
            "sts = s.create_client('sts', endpoint_url=os.environ['AAO_ENDPOINT'])",
            "stop = sys.argv[1]",
            "while not os.path.exists(stop):",
            "    t = time.time()",
            "    try:",
            "        sts.get_caller_identity()",
            "        key = s.get_credentials().get_frozen_credentials().access_key",
            "        h = hashlib.sha256(key.encode()).hexdigest()[:16]",
            "        print(json.dumps({'t': t, 'ok': True, 'key': h, 'runs': runs[0]}),"
                + " flush=True)",
            "    except Exception as e:",
            "        print(json.dumps({'t': t, 'ok': False, 'error': type(e).__name__ + ': '"
                + " + str(e)[:200], 'runs': runs[0]}), flush=True)",
            "    time.sleep(max(0, t + 1 - time.time()))",
            "");

    private final Lease lease;
    private final List<String> command;
    private Process process;
    private Thread reader;
    private Path stopFile;
    private final AtomicInteger runs = new AtomicInteger(-1);
    private volatile boolean aliveAtStop;

    Subprocess(String name, Lease lease, List<String> command) {
      super(name);
      this.lease = lease;
      this.command = command;
    }

    static Subprocess botocore(Lease lease) {
      return new Subprocess(
          "botocore", lease, List.of(env.var("AAO_BOTO3_PYTHON"), "-c", BOTOCORE));
    }

    static Subprocess go(Lease lease) {
      return new Subprocess("go-v2", lease, List.of(goBinary.toString()));
    }

    @Override
    void start() throws IOException {
      stopFile = lease.dir.getParent().resolve(lease.dir.getFileName() + "." + name + ".stop");
      List<String> argv = new java.util.ArrayList<>(command);
      argv.add(stopFile.toString());
      ProcessBuilder pb = new ProcessBuilder(argv);
      Map<String, String> e = pb.environment();
      e.keySet().removeIf(k -> k.startsWith("AWS_"));
      e.put("AWS_CONFIG_FILE", lease.configFile().toString());
      e.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
      e.put("AWS_EC2_METADATA_DISABLED", "true");
      e.put("AAO_ENDPOINT", env.awsEndpoint());
      pb.redirectErrorStream(true);
      process = pb.start();
      reader =
          new Thread(
              () -> {
                com.fasterxml.jackson.databind.ObjectMapper json =
                    new com.fasterxml.jackson.databind.ObjectMapper();
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    if (!line.startsWith("{")) {
                      System.out.println(name + " " + lease.name + ": " + line);
                      continue;
                    }
                    var n = json.readTree(line);
                    Instant at = Instant.ofEpochMilli((long) (n.get("t").asDouble() * 1000));
                    runs.set(n.get("runs").asInt());
                    if (n.get("ok").asBoolean()) {
                      used(n.get("key").asText(), at);
                    } else {
                      failed(at + " " + n.get("error").asText());
                    }
                  }
                } catch (IOException ex) {
                  System.out.println(name + " " + lease.name + ": " + ex);
                }
              },
              name + "-" + lease.name);
      reader.setDaemon(true);
      reader.start();
    }

    @Override
    void stop() throws InterruptedException, IOException {
      aliveAtStop = process.isAlive();
      try {
        Files.writeString(stopFile, "stop");
      } catch (IOException e) {
        process.destroy();
      }
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      reader.join(5000);
      Files.deleteIfExists(stopFile);
    }

    @Override
    boolean ranThroughout() {
      return aliveAtStop; // the one process started before the first rotation
    }

    @Override
    String processRuns() {
      return runs.get() < 0 ? "not counted" : String.valueOf(runs.get());
    }
  }

  // --- helpers ------------------------------------------------------------------------------

  static String hash(String keyId) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(keyId.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, 16);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void sleepUntil(Instant t) {
    long ms = Duration.between(Instant.now(), t).toMillis();
    if (ms > 0) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static VaultAwsRole role(String name, CredentialType type) throws IOException {
    VaultAwsRole role = new VaultAwsRole();
    role.setMetadata(new ObjectMetaBuilder().withName(name).build());
    role.setSpec(new VaultAwsRoleSpec());
    role.getSpec().credentialType = type;
    role.getSpec().authConfigRef = CONFIG;
    role.getSpec().bindings = new RoleBindings();
    role.getSpec().bindings.namespaces = List.of(NS);
    role.getSpec().policyDocument =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                        + "\"Action\":\"ec2:DescribeRegions\",\"Resource\":\"*\"}]}");
    return role;
  }

  private static void createReady(VaultAwsRole role) {
    client.resource(role).create();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> client.resources(VaultAwsRole.class).withName(role.getMetadata().getName()).get(),
            r -> r.getStatus() != null && r.getStatus().isTrue("Ready"));
  }

  private static AwsCredentialRequest request(
      String name, VaultAwsRole role, String ttl, String renewBefore) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    r.setSpec(new AwsCredentialRequestSpec());
    r.getSpec().roleRef = role.getMetadata().getName();
    r.getSpec().identity = new AwsCredentialRequestSpec.Identity();
    r.getSpec().identity.serviceAccountName = SA;
    r.getSpec().ttl = ttl;
    r.getSpec().renewBefore = renewBefore;
    return r;
  }
}
