package io.awsauth.e2e.node;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;
import io.awsauth.e2e.chart.Chart;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.TestEnvironment;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The local environment with its node (docs/local-node.md), the images pods of these tests run
 * (built without a registry and imported into the node's containerd, once per JVM), and the chart
 * installed the way {@code e2e/run-local} installs it: {@code e2e/env/local-node-values.yaml} plus
 * the two values that differ per environment.
 */
final class LocalNode {
  /** The operator's image as these tests tag it (the chart's image.repository + image.tag). */
  static final String OPERATOR_REPOSITORY = "aws-auth-operator";

  static final String OPERATOR_TAG = "e2e";

  /** Pods go to the node with a kubelet, not to Node objects other tests create without one. */
  static final String HOSTNAME_LABEL = "kubernetes.io/hostname";

  private static LocalNode instance;

  final TestEnvironment env;
  final KubernetesClient client;

  /** The workload image: the AWS CLI v1 on Debian's python (e2e/env/images/build-aws-cli). */
  final String awsCliImage;

  private LocalNode(TestEnvironment env, String awsCliImage) {
    this.env = env;
    this.client = env.client();
    this.awsCliImage = awsCliImage;
  }

  static synchronized LocalNode get() {
    if (instance == null) {
      TestEnvironment env = TestEnvironment.withNode();
      Path root = TestEnvironment.repoRoot();
      Path operatorTar = root.resolve("e2e/target/aws-auth-operator-e2e-image.tar");
      run(
          List.of(
              root.resolve("operator/image/build-image").toString(),
              "--app",
              root.resolve("operator/target/quarkus-app").toString(),
              "--out",
              operatorTar.toString(),
              "--name",
              OPERATOR_REPOSITORY + ":" + OPERATOR_TAG),
          Duration.ofMinutes(20));
      importImage(operatorTar);
      String cliTar =
          run(
                  List.of(root.resolve("e2e/env/images/build-aws-cli").toString()),
                  Duration.ofMinutes(20))
              .strip();
      importImage(Path.of(cliTar));
      instance = new LocalNode(env, "aao.local/aws-cli:" + awsCliVersion(root));
    }
    return instance;
  }

  private static String awsCliVersion(Path root) {
    try {
      return Files.readAllLines(root.resolve("e2e/env/images/aws-cli-requirements.txt")).stream()
          .filter(l -> l.startsWith("awscli=="))
          .map(l -> l.substring("awscli==".length()).strip())
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no awscli== pin"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void importImage(Path tar) {
    run(
        List.of(
            TestEnvironment.repoRoot().resolve("e2e/local-env").toString(),
            "import-image",
            tar.toString()),
        Duration.ofMinutes(5));
  }

  /**
   * {@code helm install} of the chart as e2e/run-local does it: the local node's values file, a
   * free HTTP port for the pod (hostNetwork: pods share the node's ports), the API server's port,
   * the image imported above; then {@code extra} values.
   */
  Release installOperator(String namespace, String release, Map<String, Object> extra) {
    InstallCommand install =
        Helm.install(Chart.DIR.toString())
            .withKubeConfigContents(env.kubeconfig())
            .withName(release)
            .withNamespace(namespace)
            .createNamespace()
            .withValuesFile(TestEnvironment.repoRoot().resolve("e2e/env/local-node-values.yaml"))
            .set("image.repository", OPERATOR_REPOSITORY)
            .set("image.tag", OPERATOR_TAG)
            .set("httpPort", freePort())
            .set("apiServer.port", apiServerPort());
    extra.forEach(install::set);
    return install.call();
  }

  void uninstall(String namespace, String release) {
    Helm.uninstall(release)
        .withKubeConfigContents(env.kubeconfig())
        .withNamespace(namespace)
        .call();
  }

  int apiServerPort() {
    return URI.create(env.var("AAO_KUBE_API_URL")).getPort();
  }

  /**
   * The operator's identity for a test: account A's administrator key in Secret {@code
   * namespace}/root and AwsAuthConfig {@code name} using it, with the emulator as every endpoint.
   */
  void authConfig(String name, String namespace) {
    Fixtures.credentialsSecret(client, namespace, "root", env.accountA());
    client.resource(Fixtures.authConfig(name, namespace, "root", env.awsEndpoint())).create();
  }

  /** A VaultAwsRole of {@code type} under {@code config}, for requests of {@code namespace}. */
  static VaultAwsRole role(
      String name, CredentialType type, String config, String namespace, String policyJson) {
    VaultAwsRole role = new VaultAwsRole();
    role.setMetadata(new ObjectMetaBuilder().withName(name).build());
    role.setSpec(new VaultAwsRoleSpec());
    role.getSpec().credentialType = type;
    role.getSpec().authConfigRef = config;
    try {
      role.getSpec().policyDocument = (ObjectNode) new ObjectMapper().readTree(policyJson);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    role.getSpec().bindings = new RoleBindings();
    role.getSpec().bindings.namespaces = List.of(namespace);
    return role;
  }

  /** Creates {@code role} and waits until it is Ready. */
  void createReady(VaultAwsRole role) {
    client.resource(role).create();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> client.resources(VaultAwsRole.class).withName(role.getMetadata().getName()).get(),
            r -> r.getStatus() != null && r.getStatus().isTrue("Ready"));
  }

  /** A request in {@code namespace} for {@code role}, as its ServiceAccount default. */
  static AwsCredentialRequest request(String namespace, String name, String role) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    r.setSpec(new AwsCredentialRequestSpec());
    r.getSpec().roleRef = role;
    r.getSpec().identity = new AwsCredentialRequestSpec.Identity();
    r.getSpec().identity.serviceAccountName = "default";
    return r;
  }

  /**
   * Undoes a test: its requests deleted while the operator still runs (so that it revokes what it
   * issued), then its roles and config; the releases uninstalled and their pods gone; both
   * namespaces deleted (not waited for).
   */
  void tearDown(
      String operatorNamespace,
      List<String> releases,
      String appNamespace,
      List<String> roles,
      String config) {
    try {
      client
          .resources(AwsCredentialRequest.class)
          .inNamespace(appNamespace)
          .withTimeout(90, TimeUnit.SECONDS)
          .delete();
      roles.forEach(r -> client.resources(VaultAwsRole.class).withName(r).delete());
      client.resources(AwsAuthConfig.class).withName(config).delete();
    } finally {
      releases.forEach(r -> uninstall(operatorNamespace, r));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> releases.stream().allMatch(r -> operatorPods(operatorNamespace, r).isEmpty()));
      client.namespaces().withName(appNamespace).delete();
      client.namespaces().withName(operatorNamespace).delete();
    }
  }

  /** The operator pods of {@code release}. */
  List<Pod> operatorPods(String namespace, String release) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel("app.kubernetes.io/instance", release)
        .list()
        .getItems();
  }

  /** Waits until {@code count} pods of {@code release} are Ready; returns them. */
  List<Pod> awaitReadyOperatorPods(String namespace, String release, int count) {
    return await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                operatorPods(namespace, release).stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .filter(LocalNode::ready)
                    .toList(),
            pods -> pods.size() == count);
  }

  static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The log of {@code pod}'s only container, through the API server and the kubelet. */
  String log(String namespace, String pod) {
    return client.pods().inNamespace(namespace).withName(pod).getLog();
  }

  /**
   * config/samples/workload-deployment.yaml as {@code name} in {@code namespace}, using Secret
   * {@code secretName}, with what the local node needs and nothing else changed: the locally built
   * image (never pulled), hostNetwork, the node's resolver, the emulator as endpoint, and calls
   * every {@code intervalSeconds}.
   */
  Deployment workload(String namespace, String name, String secretName, int intervalSeconds) {
    Deployment d;
    try (InputStream in =
        Files.newInputStream(
            TestEnvironment.repoRoot().resolve("config/samples/workload-deployment.yaml"))) {
      d = Serialization.unmarshal(in, Deployment.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    d.getMetadata().setName(name);
    d.getMetadata().setNamespace(namespace);
    d.getSpec().getSelector().setMatchLabels(Map.of("app", name));
    d.getSpec().getTemplate().getMetadata().setLabels(Map.of("app", name));
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    pod.setHostNetwork(true);
    pod.setDnsPolicy("Default");
    pod.setNodeSelector(Map.of(HOSTNAME_LABEL, env.var("AAO_NODE_NAME")));
    pod.setTerminationGracePeriodSeconds(1L);
    pod.getVolumes().get(0).getSecret().setSecretName(secretName);
    Container c = pod.getContainers().get(0);
    c.setImage(awsCliImage);
    c.setImagePullPolicy("Never");
    c.getEnvFrom().get(0).getSecretRef().setName(secretName);
    c.getEnv().add(new EnvVar("AWS_ENDPOINT_URL", env.awsEndpoint(), null));
    c.getEnv().add(new EnvVar("INTERVAL_SECONDS", Integer.toString(intervalSeconds), null));
    return d;
  }

  /** The pod's log saved under e2e/target/pod-logs/ (for the secret-hygiene scan); its path. */
  Path saveLog(String namespace, String pod) {
    try {
      Path dir = TestEnvironment.repoRoot().resolve("e2e/target/pod-logs");
      Files.createDirectories(dir);
      Path file = dir.resolve(namespace + "_" + pod + ".log");
      Files.writeString(file, log(namespace, pod));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a command (stderr to the test's output); returns its stdout; fails on a non-zero exit. */
  static String run(List<String> command, Duration timeout) {
    try {
      Process p =
          new ProcessBuilder(new ArrayList<>(command))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      p.getOutputStream().close();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InputStream in = p.getInputStream()) {
        in.transferTo(out);
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(command.get(0) + " did not finish within " + timeout);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            command.get(0) + " failed (exit " + p.exitValue() + "); its log is above");
      }
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
