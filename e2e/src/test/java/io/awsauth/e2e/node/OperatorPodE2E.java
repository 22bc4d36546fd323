package io.awsauth.e2e.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.awsauth.operator.api.v1alpha1.AuthType;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec.RolloutTarget;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.SecretHygiene;
import io.awsauth.operator.testenv.SuiteRoles;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironmentExtension;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The path every user takes, on the local node: the chart installs the operator, its pod runs from
 * the locally built image under the chart's own securityContext, probes, limits and RBAC; a
 * workload (config/samples/workload-deployment.yaml) mounts the issued Secret and calls AWS with it
 * as environment variables and as {@code ~/.aws/credentials}; a rotation replaces its pods through
 * {@code rolloutRestartTargets}; a lease bound to a running pod ends with the pod.
 */
@ExtendWith(TestEnvironmentExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorPodE2E {
  private final String suffix =
      UUID.randomUUID().toString().substring(0, 6).toLowerCase(Locale.ROOT);
  private final String operatorNamespace = "aao-pod-" + suffix;
  private final String release = "pod-" + suffix;
  private final String appNamespace = "aao-app-" + suffix;
  private final String configName = "pod-" + suffix;
  private final String roleName = "pod-ec2-" + suffix;

  private final SecretHygiene hygiene = new SecretHygiene();

  private LocalNode node;
  private KubernetesClient client;

  @BeforeAll
  void install() {
    node = LocalNode.get();
    client = node.client;
    Fixtures.namespace(client, operatorNamespace);
    Fixtures.namespace(client, appNamespace);
    Fixtures.credentialsSecret(client, operatorNamespace, "root", node.env.accountA());
    // Exists before the operator starts: its first reconcile is part of the start-up figure.
    client
        .resource(
            Fixtures.authConfig(configName, operatorNamespace, "root", node.env.awsEndpoint()))
        .create();
    node.installOperator(operatorNamespace, release, Map.of());
  }

  @AfterAll
  void uninstall() {
    if (client != null) {
      node.tearDown(
          operatorNamespace, List.of(release), appNamespace, List.of(roleName), configName);
    }
  }

  @Test
  @Order(1)
  void theChartsPodRunsFromTheLocalImageUnderTheChartsOwnSettings() {
    Pod pod = node.awaitReadyOperatorPods(operatorNamespace, release, 1).get(0);
    Container container = pod.getSpec().getContainers().get(0);
    assertThat(container.getImage())
        .isEqualTo(LocalNode.OPERATOR_REPOSITORY + ":" + LocalNode.OPERATOR_TAG);
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(pod.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(container.getResources().getLimits()).containsEntry("memory", new Quantity("768Mi"));
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isNotBlank();
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(release + "-aws-auth-operator");
    ContainerStatus status = pod.getStatus().getContainerStatuses().get(0);
    assertThat(status.getReady()).isTrue();
    assertThat(status.getRestartCount()).as("no crash loop").isZero();

    // The operator in the pod is the leader: it holds the chart's Lease under the pod's name.
    String leaseName = release + "-aws-auth-operator-lease";
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Lease lease =
                  client.leases().inNamespace(operatorNamespace).withName(leaseName).get();
              assertThat(lease).isNotNull();
              assertThat(lease.getSpec().getHolderIdentity())
                  .isEqualTo(pod.getMetadata().getName());
            });

    // It reconciled the AwsAuthConfig that existed before it started, with the chart's RBAC.
    AwsAuthConfig config =
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () -> client.resources(AwsAuthConfig.class).withName(configName).get(),
                c -> c.getStatus() != null && c.getStatus().isTrue("Ready"));
    Instant started = Instant.parse(status.getState().getRunning().getStartedAt());
    Instant reconciled =
        Instant.parse(
            config.getStatus().condition("Ready").map(Condition::getLastTransitionTime).get());
    Map<String, Long> memory = podMemory(pod);
    System.out.printf(
        "[operator pod] container start -> AwsAuthConfig Ready: %d s (API times, 1 s"
            + " resolution); pod memory (cgroup): usage %.1f MiB, peak %.1f MiB, limit %.0f MiB%n",
        Duration.between(started, reconciled).toSeconds(),
        memory.get("usage") / 1048576.0,
        memory.get("peak") / 1048576.0,
        memory.get("limit") / 1048576.0);
    assertThat(memory.get("limit"))
        .as("the chart's memory limit is enforced")
        .isEqualTo(768L << 20);
    assertThat(memory.get("peak")).isLessThan(memory.get("limit"));
  }

  @Test
  @Order(2)
  void aWorkloadPodUsesItsSecretForOneAllowedAndOneDeniedCallAndARotationReplacesIt() {
    createReadyRole();
    String app = "aws-cli-" + suffix;
    AwsCredentialRequest request = request("creds-" + suffix);
    request.getSpec().ttl = "90s";
    RolloutTarget target = new RolloutTarget();
    target.kind = RolloutTarget.Kind.DEPLOYMENT;
    target.name = app;
    request.getSpec().rolloutRestartTargets = List.of(target);
    client.resource(request).create();
    AwsCredentialRequest first = Fixtures.awaitCondition(client, request, "Ready", "True");
    Secret firstSecret = secret(request.getMetadata().getName());
    hygiene.record(firstSecret);

    client.resource(node.workload(appNamespace, app, request.getMetadata().getName(), 3)).create();
    Pod firstPod = awaitRunningPod(app, null);
    assertCallsInLog(firstPod, "the first pod");

    // The rotation (renewAt, before the 90 s expiry): a new key in the Secret, the Deployment
    // restarted; the old key is kept for workloads that have not re-read the Secret yet, and
    // deleted once its lease is over (expiry + 30 s, docs/rotation.md).
    AwsCredentialRequest second =
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> get(request),
                r ->
                    r.getStatus().accessKeyId != null
                        && !r.getStatus().accessKeyId.equals(first.getStatus().accessKeyId)
                        && r.getStatus().isTrue("Ready"));
    hygiene.record(secret(request.getMetadata().getName()));
    Instant retired = Instant.parse(first.getStatus().expiresAt).plusSeconds(30);
    await()
        .atMost(Duration.between(Instant.now(), retired).plusSeconds(60))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () ->
                assertThat(ec2Outcome(firstSecret))
                    .as("the rotated-away key is refused once its overlap is over")
                    .isEqualTo("refused"));
    assertThat(Instant.now())
        .as("the old key was not deleted before its lease was over")
        .isAfter(Instant.parse(first.getStatus().expiresAt));
    Pod secondPod = awaitRunningPod(app, firstPod.getMetadata().getName());
    assertThat(secondPod.getMetadata().getCreationTimestamp())
        .as("a new pod, created by the restart")
        .isGreaterThan(firstPod.getMetadata().getCreationTimestamp());
    // The old key no longer works, so the new pod's allowed calls prove it uses the new key.
    assertCallsInLog(secondPod, "the pod after the rotation");
    assertThat(second.getStatus().iamUserName).isEqualTo(first.getStatus().iamUserName);
    client.apps().deployments().inNamespace(appNamespace).withName(app).delete();
  }

  @Test
  @Order(3)
  void aLeaseBoundToARunningPodIsRevokedWhenThePodIsDeleted() {
    createReadyRole();
    String podName = "bound-" + suffix;
    client.resource(boundPod(podName)).create();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> LocalNode.ready(client.pods().inNamespace(appNamespace).withName(podName).get()));
    AwsCredentialRequest request = request("bound-creds-" + suffix);
    request.getSpec().identity.podName = podName;
    client.resource(request).create();
    Fixtures.awaitCondition(client, request, "Ready", "True");
    Secret issued = secret(request.getMetadata().getName());
    hygiene.record(issued);
    assertThat(ec2Outcome(issued)).isEqualTo("allowed");

    client.pods().inNamespace(appNamespace).withName(podName).delete();
    AwsCredentialRequest revoked =
        Fixtures.awaitCondition(client, request, "IdentityVerified", "False");
    assertThat(revoked.getStatus().condition("IdentityVerified").orElseThrow().getReason())
        .isEqualTo("PodNotFound");
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(ec2Outcome(issued)).isEqualTo("refused"));
    Secret after = secret(request.getMetadata().getName());
    assertThat(after.getData() == null || after.getData().isEmpty())
        .as("the Secret no longer holds the revoked key")
        .isTrue();
  }

  /**
   * authType ec2 through the real node: node 127.0.0.1's {@code spec.providerID} names an instance
   * of the emulator (set once per environment: the API server lets it go from empty to a value,
   * never change), the request's pod runs on that node, and the operator verifies pod → node →
   * providerID → ec2:DescribeInstances against the role's EC2 bindings.
   */
  @Test
  @Order(4)
  void anEc2IdentityThroughTheNodeTheRequestsPodRunsOn() {
    Instance instance = nodeInstance();
    String ec2Role = "pod-node-" + suffix;
    VaultAwsRole role =
        LocalNode.role(
            ec2Role,
            CredentialType.FEDERATION_TOKEN,
            configName,
            appNamespace,
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":\"ec2:DescribeRegions\",\"Resource\":\"*\"}]}");
    role.getSpec().authType = AuthType.EC2;
    role.getSpec().bindings.vpcIds = List.of(instance.vpcId());
    role.getSpec().bindings.amiIds = List.of(instance.imageId());
    role.getSpec().bindings.accountIds = List.of(node.env.accountA().id());
    client.resource(role).create();
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> client.resources(VaultAwsRole.class).withName(ec2Role).get(),
              r -> r.getStatus() != null && r.getStatus().isTrue("Ready"));
      String podName = "on-node-" + suffix;
      client.resource(boundPod(podName)).create();
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  LocalNode.ready(client.pods().inNamespace(appNamespace).withName(podName).get()));
      assertThat(
              client
                  .pods()
                  .inNamespace(appNamespace)
                  .withName(podName)
                  .get()
                  .getSpec()
                  .getNodeName())
          .isEqualTo(node.env.var("AAO_NODE_NAME"));
      AwsCredentialRequest request = request("node-creds-" + suffix);
      request.getSpec().roleRef = ec2Role;
      request.getSpec().identity.podName = podName;
      client.resource(request).create();
      AwsCredentialRequest ready = Fixtures.awaitCondition(client, request, "Ready", "True");
      assertThat(ready.getStatus().condition("IdentityVerified").orElseThrow().getStatus())
          .isEqualTo("True");
      Secret issued = secret(request.getMetadata().getName());
      hygiene.record(issued);
      assertThat(ec2Outcome(issued)).as("ec2:DescribeRegions allowed").isEqualTo("allowed");
      try (Ec2Client ec2 = Aws.ec2(node.env, Aws.credentialsIn(issued))) {
        assertThatThrownBy(() -> ec2.describeInstances())
            .as("ec2:DescribeInstances is not in the role's policy")
            .isInstanceOfSatisfying(
                AwsServiceException.class,
                e ->
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnauthorizedOperation"));
      }
      client.resource(request).withTimeout(60, TimeUnit.SECONDS).delete();
      client.pods().inNamespace(appNamespace).withName(podName).delete();
    } finally {
      client.resources(VaultAwsRole.class).withName(ec2Role).delete();
    }
  }

  /**
   * Issue 17 in a pod: a long-lived botocore client in a pod that mounts the request's Secret as a
   * directory and sets AWS_CONFIG_FILE to its {@code config} key (credential_process) keeps calling
   * through three rotations of an iam_user lease with no failed call and no restart; each rotated
   * key reaches it through the kubelet's update of the volume. Every second it makes the call its
   * role allows and one it does not; it prints a hash of the key it signed with (never the key).
   */
  @Test
  @Order(5)
  void
      aPodReadingTheMountedSecretThroughCredentialProcessFollowsThreeRotationsWithoutAFailedCall() {
    createReadyRole();
    AwsCredentialRequest request = request("credproc-" + suffix);
    // a rotation every ~55 s; the previous key lives to its Expiration + 30 s: the kubelet
    // (syncFrequency 10 s on the local node) has 45 s to update the file before anything fails
    request.getSpec().ttl = "100s";
    request.getSpec().renewBefore = "45s";
    client.resource(request).create();
    String secretName = request.getMetadata().getName();
    AwsCredentialRequest first = Fixtures.awaitCondition(client, request, "Ready", "True");
    hygiene.record(secret(secretName));
    Pod pod = client.resource(credentialProcessPod("credproc-" + suffix, secretName)).create();
    String podName = pod.getMetadata().getName();

    List<String> keys = new ArrayList<>(List.of(keyHash(first.getStatus().accessKeyId)));
    int rotations = 3;
    await()
        .atMost(Duration.ofMinutes(6))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              AwsCredentialRequest now = get(request);
              if (now.getStatus().accessKeyId != null
                  && !keys.contains(keyHash(now.getStatus().accessKeyId))) {
                keys.add(keyHash(now.getStatus().accessKeyId));
                hygiene.record(secret(secretName));
              }
              return keys.size() > rotations
                  && podLog(podName).contains(" key " + keys.get(rotations));
            });
    String log = podLog(podName);
    List<String> lines = log.lines().toList();
    System.out.printf(
        "[credential_process pod %s] %d calls, keys in order %s; last lines %s%n",
        podName, lines.size(), keys, lines.subList(Math.max(0, lines.size() - 2), lines.size()));
    assertThat(lines).as("the pod's log: a line per second").hasSizeGreaterThan(100);
    assertThat(lines)
        .as("every call: ec2:DescribeRegions allowed and s3:ListAllMyBuckets AccessDenied")
        .allMatch(l -> l.startsWith("ok "), "starts with ok");
    for (int i = 1; i <= rotations; i++) {
      assertThat(log).as("the pod signed with rotated key %d", i).contains(" key " + keys.get(i));
    }
    Pod ran = client.pods().inNamespace(appNamespace).withName(podName).get();
    assertThat(ran.getStatus().getContainerStatuses().get(0).getRestartCount())
        .as("the container was never restarted")
        .isZero();
    node.saveLog(appNamespace, podName);
    client.resource(ran).withGracePeriod(0).delete();
    client.resource(request).withTimeout(60, TimeUnit.SECONDS).delete();
  }

  @Test
  @Order(6)
  void noSecretMaterialInTheOperatorsLogEventsOrStatus() {
    List<Path> logs = new ArrayList<>();
    for (Pod p : node.operatorPods(operatorNamespace, release)) {
      logs.add(node.saveLog(operatorNamespace, p.getMetadata().getName()));
    }
    assertThat(logs).isNotEmpty();
    hygiene.scan(client, logs).assertClean();
  }

  // --- helpers ---------------------------------------------------------------------------

  private void createReadyRole() {
    if (client.resources(VaultAwsRole.class).withName(roleName).get() == null) {
      node.createReady(
          LocalNode.role(
              roleName, CredentialType.IAM_USER, configName, appNamespace, SuiteRoles.EC2_ALL));
    }
  }

  private AwsCredentialRequest request(String name) {
    return LocalNode.request(appNamespace, name, roleName);
  }

  private AwsCredentialRequest get(AwsCredentialRequest request) {
    return client
        .resources(AwsCredentialRequest.class)
        .inNamespace(appNamespace)
        .withName(request.getMetadata().getName())
        .get();
  }

  private Secret secret(String name) {
    return client.secrets().inNamespace(appNamespace).withName(name).get();
  }

  /**
   * A pod of the workload image running one botocore client for its whole life, with the Secret
   * mounted as a directory at the request's mountPath (the default) and AWS_CONFIG_FILE pointing at
   * its {@code config} key: every second one allowed and one denied call, a line each second ("ok N
   * key <hash>" or "FAIL N ...").
   */
  private Pod credentialProcessPod(String name, String secretName) {
    String mountPath = "/var/run/secrets/awsauth.io";
    String script =
        String.join(
            "\n",
            // (the CLI v1 bundles botocore: importable as botocore once awscli is imported)
            "import awscli",
            "import botocore.session, hashlib, sys, time",
            "session = botocore.session.Session()",
            "ec2 = session.create_client('ec2')",
            "s3 = session.create_client('s3')",
            "n = 0",
            "while True:",
            "    n += 1",
            "    try:",
            "        ec2.describe_regions()",
            "        key = ec2._request_signer._credentials.get_frozen_credentials().access_key",
            "        try:",
            "            s3.list_buckets()",
            "            denied = 'FAIL allowed'",
            "        except s3.exceptions.ClientError as e:",
            "            denied = e.response['Error']['Code']",
            "        h = hashlib.sha256(key.encode()).hexdigest()[:12]",
            "        if denied == 'AccessDenied':",
            "            print('ok %d key %s' % (n, h), flush=True)",
            "        else:",
            "            print('FAIL %d s3:ListAllMyBuckets %s' % (n, denied), flush=True)",
            "    except Exception as e:",
            "        print('FAIL %d %s: %s' % (n, type(e).__name__, str(e)[:200]), flush=True)",
            "    time.sleep(1)");
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(appNamespace)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName("default")
        .withAutomountServiceAccountToken(false)
        .withHostNetwork(true)
        .withDnsPolicy("Default")
        .withNodeSelector(Map.of(LocalNode.HOSTNAME_LABEL, node.env.var("AAO_NODE_NAME")))
        .withTerminationGracePeriodSeconds(1L)
        .withRestartPolicy("Never")
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(1000L)
        .endSecurityContext()
        .addNewContainer()
        .withName("app")
        .withImage(node.awsCliImage)
        .withImagePullPolicy("Never")
        .withCommand("python3", "-u", "-c", script)
        .addNewEnv()
        .withName("AWS_CONFIG_FILE")
        .withValue(mountPath + "/config")
        .endEnv()
        .addNewEnv()
        .withName("AWS_ENDPOINT_URL")
        .withValue(node.env.awsEndpoint())
        .endEnv()
        .addNewEnv()
        .withName("HOME")
        .withValue("/tmp")
        .endEnv()
        .addNewVolumeMount()
        .withName("aws")
        .withMountPath(mountPath)
        .withReadOnly(true)
        .endVolumeMount()
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .endContainer()
        .addNewVolume()
        .withName("aws")
        .withNewSecret()
        .withSecretName(secretName)
        .endSecret()
        .endVolume()
        .endSpec()
        .build();
  }

  private String podLog(String pod) {
    String log = node.log(appNamespace, pod);
    return log == null ? "" : log;
  }

  /** The first 12 hex digits of the SHA-256 of an access key ID, as the pod prints them. */
  private static String keyHash(String accessKeyId) {
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(accessKeyId.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d).substring(0, 12);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A bare pod of the workload image that only sleeps, as ServiceAccount default. */
  private Pod boundPod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(appNamespace)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName("default")
        .withHostNetwork(true)
        .withDnsPolicy("Default")
        .withNodeSelector(Map.of(LocalNode.HOSTNAME_LABEL, node.env.var("AAO_NODE_NAME")))
        .withTerminationGracePeriodSeconds(1L)
        .addNewContainer()
        .withName("app")
        .withImage(node.awsCliImage)
        .withImagePullPolicy("Never")
        .withCommand("/bin/sh", "-c", "while true; do sleep 1; done")
        .endContainer()
        .endSpec()
        .build();
  }

  /** The Running, Ready pod of Deployment {@code app} that is not {@code notThisOne}. */
  private Pod awaitRunningPod(String app, String notThisOne) {
    return await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                client
                    .pods()
                    .inNamespace(appNamespace)
                    .withLabel("app", app)
                    .list()
                    .getItems()
                    .stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .filter(p -> !p.getMetadata().getName().equals(notThisOne))
                    .filter(LocalNode::ready)
                    .findFirst(),
            java.util.Optional::isPresent)
        .get();
  }

  /**
   * The pod's log shows, with the key as environment variables and as the credentials file, the
   * call the role allows succeed and the one it does not refused by AWS (AccessDenied, not a
   * network error).
   */
  private void assertCallsInLog(Pod pod, String which) {
    String name = pod.getMetadata().getName();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              String log = node.log(appNamespace, name);
              assertThat(log)
                  .as("%s (%s) log", which, name)
                  .contains("env  ec2:DescribeRegions: allowed (expected allowed) ok")
                  .contains(
                      "env  s3:ListAllMyBuckets: denied (expected denied) An error occurred"
                          + " (AccessDenied)")
                  .contains("file ec2:DescribeRegions: allowed (expected allowed) ok")
                  .contains(
                      "file s3:ListAllMyBuckets: denied (expected denied) An error occurred"
                          + " (AccessDenied)");
            });
    String log = node.log(appNamespace, name);
    System.out.printf("[workload pod %s] %s%n", name, log.lines().limit(4).toList());
  }

  /** "allowed", or "refused" when the emulator rejects the key itself. */
  private String ec2Outcome(Secret secret) {
    try (Ec2Client ec2 = Aws.ec2(node.env, Aws.credentialsIn(secret))) {
      ec2.describeRegions();
      return "allowed";
    } catch (AwsServiceException e) {
      String code = e.awsErrorDetails().errorCode();
      if ("AuthFailure".equals(code) || "InvalidClientTokenId".equals(code)) {
        return "refused";
      }
      throw e;
    }
  }

  /**
   * The emulated instance node 127.0.0.1 stands for: the one its providerID names, or a new one
   * whose providerID is then set.
   */
  private Instance nodeInstance() {
    String nodeName = node.env.var("AAO_NODE_NAME");
    String providerId = client.nodes().withName(nodeName).get().getSpec().getProviderID();
    try (Ec2Client ec2 = Aws.ec2(node.env, awsCredentials(node.env.accountA()))) {
      if (providerId == null || providerId.isEmpty()) {
        String imageId = ec2.describeImages(r -> r.owners("amazon")).images().get(0).imageId();
        Instance started =
            ec2.runInstances(
                    r ->
                        r.imageId(imageId)
                            .minCount(1)
                            .maxCount(1)
                            .instanceType("t3.micro")
                            .placement(p -> p.availabilityZone("us-east-1a")))
                .instances()
                .get(0);
        client
            .nodes()
            .withName(nodeName)
            .edit(
                n -> {
                  n.getSpec().setProviderID("aws:///us-east-1a/" + started.instanceId());
                  return n;
                });
        return started;
      }
      String instanceId = providerId.substring(providerId.lastIndexOf('/') + 1);
      List<Instance> found = new ArrayList<>();
      ec2.describeInstances(r -> r.instanceIds(instanceId))
          .reservations()
          .forEach(res -> found.addAll(res.instances()));
      assertThat(found)
          .as(
              "node %s has providerID %s from an earlier run: its instance must still exist in the"
                  + " emulator (e2e/local-env down resets both)",
              nodeName, providerId)
          .hasSize(1);
      return found.get(0);
    }
  }

  private static AwsBasicCredentials awsCredentials(TestEnvironment.AwsAccount account) {
    return AwsBasicCredentials.create(account.accessKeyId(), account.secretAccessKey());
  }

  /** The pod's memory figures from its cgroup (v1 or v2), in bytes. */
  private Map<String, Long> podMemory(Pod pod) {
    String uid = pod.getMetadata().getUid();
    String cgroup = node.env.var("AAO_NODE_CGROUP");
    boolean v1 = Files.isDirectory(Path.of("/sys/fs/cgroup/memory"));
    Path root = v1 ? Path.of("/sys/fs/cgroup/memory", cgroup) : Path.of("/sys/fs/cgroup", cgroup);
    Path dir;
    try (Stream<Path> walk = Files.walk(root, 4)) {
      dir =
          walk.filter(Files::isDirectory)
              .filter(
                  p -> {
                    String n = p.getFileName().toString();
                    return n.equals("pod" + uid) || n.equals("pod" + uid.replace('-', '_'));
                  })
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("no cgroup of pod " + uid + " under " + root));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Long> m = new LinkedHashMap<>();
    if (v1) {
      m.put("usage", number(dir.resolve("memory.usage_in_bytes")));
      m.put("peak", number(dir.resolve("memory.max_usage_in_bytes")));
      m.put("limit", number(dir.resolve("memory.limit_in_bytes")));
    } else {
      m.put("usage", number(dir.resolve("memory.current")));
      m.put("peak", number(dir.resolve("memory.peak")));
      m.put("limit", number(dir.resolve("memory.max")));
    }
    return m;
  }

  private static long number(Path file) {
    try {
      return Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
