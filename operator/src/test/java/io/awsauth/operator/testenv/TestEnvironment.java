package io.awsauth.operator.testenv;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The real API server and AWS emulator the {@code *IT} and {@code *E2E} tests run against, started
 * once per test JVM. The cluster is an explicit choice ({@code -De2e.cluster}):
 *
 * <ul>
 *   <li>{@code local} (default): kube-apiserver, etcd, kube-controller-manager and moto,
 *       provisioned and started by {@code e2e/local-env up --no-node}; {@link #withNode()} adds the
 *       node (kube-scheduler, containerd, kubelet: real pods, docs/local-node.md);
 *   <li>{@code k3s}: K3s through Testcontainers (needs a Docker engine; without one the run fails,
 *       it never skips), with moto from {@code e2e/local-env}.
 * </ul>
 */
public final class TestEnvironment {
  public static final String ACCOUNT_A = "111111111111";
  public static final String ACCOUNT_B = "222222222222";

  /** The accounts of partition aws-cn (region {@link #CN_REGION}), for the partition tests. */
  public static final String ACCOUNT_CN_A = "333333333333";

  public static final String ACCOUNT_CN_B = "444444444444";
  public static final String CN_REGION = "cn-north-1";

  private static TestEnvironment instance;

  private final Map<String, String> env;
  private boolean node;
  private final String kubeconfig;
  private final KubernetesClient client;

  private TestEnvironment(Map<String, String> env, String kubeconfig) {
    this.env = env;
    this.kubeconfig = kubeconfig;
    this.client =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
  }

  /**
   * The environment of this JVM (of this class loader: a {@code @QuarkusTest} sees its own),
   * started at the first call. {@link TestEnvironmentExtension} and {@link OperatorTestResource}
   * stop it at the end of the run; outside JUnit (e2e/benchmark) it lives as long as the JVM.
   */
  public static synchronized TestEnvironment get() {
    if (instance == null) {
      instance = start();
      instance.installCrds();
      instance.emulatorTime();
    }
    return instance;
  }

  /** Whether {@link #get()} has started the environment and it has not been stopped since. */
  static synchronized boolean running() {
    return instance != null;
  }

  /**
   * Stops what this JVM started for the environment: its client and, with {@code k3s}, the
   * container. The components of {@code e2e/local-env} stay up: bash owns them, the next test JVM
   * reuses them and {@code e2e/local-env down} stops them. Idempotent; a later {@link #get()}
   * starts the environment again.
   */
  static synchronized void stop() {
    if (instance == null) {
      return;
    }
    try {
      instance.client.close();
    } finally {
      instance = null;
      K3sCluster.stop();
    }
  }

  /**
   * The environment with its node: pods run (hostNetwork only) on node {@code 127.0.0.1}. Local
   * cluster only; the first call builds kubelet/kube-scheduler and fetches containerd when they are
   * not cached.
   */
  public static synchronized TestEnvironment withNode() {
    if (!"local".equals(System.getProperty("e2e.cluster", "local"))) {
      throw new IllegalStateException(
          "the pod-level e2e tests need the local cluster's node (-De2e.cluster=local)");
    }
    TestEnvironment env = get();
    if (!env.node) {
      env.env.putAll(localEnvUp(true));
      env.node = true;
    }
    return env;
  }

  private static TestEnvironment start() {
    String cluster = System.getProperty("e2e.cluster", "local");
    Map<String, String> exports = localEnvUp(false);
    switch (cluster) {
      case "local":
        return new TestEnvironment(exports, read(Path.of(exports.get("KUBECONFIG"))));
      case "k3s":
        return new TestEnvironment(exports, K3sCluster.start());
      default:
        throw new IllegalStateException(
            "unknown -De2e.cluster=" + cluster + ": use 'local' (default) or 'k3s'");
    }
  }

  /**
   * Runs {@code e2e/local-env up} (with the node, or {@code --no-node}) and parses the {@code
   * export NAME='value'} lines it prints.
   */
  static Map<String, String> localEnvUp(boolean node) {
    Path script = repoRoot().resolve("e2e/local-env");
    try {
      List<String> command =
          node ? List.of(script.toString(), "up") : List.of(script.toString(), "up", "--no-node");
      Process p =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      p.getOutputStream().close();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InputStream in = p.getInputStream()) {
        in.transferTo(out);
      }
      if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException(
            script + " up failed (exit " + p.exitValue() + "); its log is above");
      }
      return parseExports(out.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs {@code e2e/local-env <action> <component>} on this environment (action: stop, kill, start,
   * restart; component: etcd, kube-apiserver, kube-controller-manager, moto, and with the node
   * kube-scheduler, containerd, kubelet): the component goes away or comes back in place, with the
   * same ports, certificates and data. {@code start} returns once the component is healthy. Local
   * cluster only.
   */
  public void component(String action, String component) {
    if (!"local".equals(System.getProperty("e2e.cluster", "local"))) {
      throw new IllegalStateException(
          "control-plane faults need the local cluster (-De2e.cluster)");
    }
    Path script = repoRoot().resolve("e2e/local-env");
    try {
      Path log = repoRoot().resolve("operator/target/local-env-components.log");
      Files.createDirectories(log.getParent());
      ProcessBuilder builder =
          new ProcessBuilder(script.toString(), action, component)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().put("AAO_LOCAL_ENV_DIR", var("AAO_LOCAL_ENV_DIR"));
      Process p = builder.start();
      p.getOutputStream().close();
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException(
            script + " " + action + " " + component + " failed; see " + log);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Map<String, String> parseExports(String text) {
    Map<String, String> vars = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(?m)^export ([A-Za-z_][A-Za-z0-9_]*)='([^']*)'$").matcher(text);
    while (m.find()) {
      vars.put(m.group(1), m.group(2));
    }
    for (String required :
        List.of("KUBECONFIG", "AWS_ENDPOINT_URL", "AAO_ACCOUNT_A_ACCESS_KEY_ID")) {
      if (!vars.containsKey(required)) {
        throw new IllegalStateException("e2e/local-env up did not export " + required);
      }
    }
    return vars;
  }

  public static Path repoRoot() {
    String configured = System.getProperty("aao.repo.root");
    Path start = Path.of(configured != null ? configured : "").toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isExecutable(p.resolve("e2e/local-env"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "cannot find the repository root (e2e/local-env) from " + start);
  }

  /** Installs (or updates) the CRDs the build generated from the Java model. */
  /**
   * The emulator's time settings of this run: system property {@code aao.emulator.time} (the build
   * sets it for every *IT and *E2E: propagation delays and throttling on), {@code off} or unset for
   * none. Tests that change them for an account restore that account afterwards.
   */
  private void emulatorTime() {
    String time = System.getProperty("aao.emulator.time", "off").strip();
    if (time.isEmpty() || "off".equals(time)) {
      Emulator.configure(
          this,
          "{\"default\":{\"propagation\":0,\"throttle\":{\"iam\":null,"
              + "\"ec2\":null,\"sts\":null}}}");
      return;
    }
    System.out.println("[test environment] emulator time: " + Emulator.configure(this, time));
  }

  private void installCrds() {
    Path generated = repoRoot().resolve("operator/target/crds");
    Path dir = Files.isDirectory(generated) ? generated : repoRoot().resolve("crds");
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(f)) {
          CustomResourceDefinition crd =
              client.apiextensions().v1().customResourceDefinitions().load(in).item();
          // Forced: e2e/run-local (kubectl apply --server-side) may own the fields already.
          client.resource(crd).forceConflicts().serverSideApply();
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(crd.getMetadata().getName())
              .waitUntilCondition(
                  c ->
                      c != null
                          && c.getStatus() != null
                          && c.getStatus().getConditions() != null
                          && c.getStatus().getConditions().stream()
                              .anyMatch(
                                  k ->
                                      "Established".equals(k.getType())
                                          && "True".equals(k.getStatus())),
                  30,
                  TimeUnit.SECONDS);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public KubernetesClient client() {
    return client;
  }

  public String kubeconfig() {
    return kubeconfig;
  }

  /** A variable {@code e2e/local-env up} exported, e.g. AWS_ENDPOINT_URL. */
  public String var(String name) {
    String v = env.get(name);
    if (v == null) {
      throw new IllegalStateException("e2e/local-env did not export " + name);
    }
    return v;
  }

  public String awsEndpoint() {
    return var("AWS_ENDPOINT_URL");
  }

  public AwsAccount accountA() {
    return new AwsAccount(
        var("AAO_ACCOUNT_A_ID"),
        var("AAO_ACCOUNT_A_ACCESS_KEY_ID"),
        var("AAO_ACCOUNT_A_SECRET_ACCESS_KEY"));
  }

  public AwsAccount accountB() {
    return new AwsAccount(
        var("AAO_ACCOUNT_B_ID"),
        var("AAO_ACCOUNT_B_ACCESS_KEY_ID"),
        var("AAO_ACCOUNT_B_SECRET_ACCESS_KEY"));
  }

  /** The administrator of the first aws-cn account (keys signed for {@link #CN_REGION}). */
  public AwsAccount accountCnA() {
    return new AwsAccount(
        var("AAO_ACCOUNT_CN_A_ID"),
        var("AAO_ACCOUNT_CN_A_ACCESS_KEY_ID"),
        var("AAO_ACCOUNT_CN_A_SECRET_ACCESS_KEY"));
  }

  /** The administrator of the second aws-cn account. */
  public AwsAccount accountCnB() {
    return new AwsAccount(
        var("AAO_ACCOUNT_CN_B_ID"),
        var("AAO_ACCOUNT_CN_B_ACCESS_KEY_ID"),
        var("AAO_ACCOUNT_CN_B_SECRET_ACCESS_KEY"));
  }

  /** Deletes what a test created, without waiting for finalizers. */
  public void deleteQuietly(HasMetadata... resources) {
    for (HasMetadata r : resources) {
      try {
        client.resource(r).withTimeout(30, TimeUnit.SECONDS).delete();
      } catch (RuntimeException ignored) {
        // best effort clean-up between tests
      }
    }
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An administrator identity in one emulated AWS account. */
  public record AwsAccount(String id, String accessKeyId, String secretAccessKey) {}

  static Duration timeout() {
    return Duration.ofSeconds(60);
  }
}
