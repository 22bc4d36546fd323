package io.awsauth.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import io.awsauth.e2e.chart.Chart.Rendered;
import io.awsauth.operator.testenv.TestEnvironment;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart without a cluster: {@code helm lint} is clean, and {@code helm template} renders
 * what docs/configuration.md promises, with default and with non-default values.
 */
class ChartTemplateTest {
  private static final String RELEASE = "aws-auth-operator";
  private static final String NAMESPACE = "aws-auth-operator";
  private static final String APP_VERSION = "0.1.0-SNAPSHOT";

  @Test
  void lintIsClean() {
    LintResult result = Chart.helm().lint().strict().call();

    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .as("helm lint messages")
        .noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
  }

  @Test
  void defaultsRenderOneHardenedReplicaWithLeaderElection() {
    Rendered r = Chart.template(RELEASE, NAMESPACE, Map.of());

    assertThat(r.objects())
        .extracting(HasMetadata::getKind)
        .containsExactlyInAnyOrder(
            "ServiceAccount",
            "ClusterRole",
            "ClusterRole",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Service",
            "Deployment");
    assertThat(r.objects())
        .filteredOn(o -> !o.getKind().startsWith("Cluster"))
        .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo(NAMESPACE));

    Deployment deployment = r.only(Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo(RELEASE);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

    Container c = pod.getContainers().get(0);
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(c.getImage()).isEqualTo("aws-auth-operator:" + APP_VERSION);
    assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
    // the JVM sized for the 768Mi limit, as e2e/benchmark measures it
    assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("768Mi");
    assertThat(env(c).get("JAVA_TOOL_OPTIONS"))
        .contains("-XX:MaxRAMPercentage=33", "-XX:+UseSerialGC");
    assertThat(env(c)).containsEntry("MALLOC_ARENA_MAX", "2");

    // a writable /tmp on a read-only root filesystem
    assertThat(c.getVolumeMounts())
        .singleElement()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    assertThat(pod.getVolumes())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getName()).isEqualTo(c.getVolumeMounts().get(0).getName());
              assertThat(v.getEmptyDir()).isNotNull();
            });

    assertThat(c.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("http");
              assertThat(p.getContainerPort()).isEqualTo(8080);
            });
    assertHttpProbe(c.getLivenessProbe(), "/q/health/live");
    assertHttpProbe(c.getReadinessProbe(), "/q/health/ready");
    assertHttpProbe(c.getStartupProbe(), "/q/health/started");

    Map<String, Quantity> requests = c.getResources().getRequests();
    Map<String, Quantity> limits = c.getResources().getLimits();
    assertThat(requests).containsKeys("cpu", "memory");
    assertThat(limits).containsKeys("cpu", "memory");
    assertThat(Quantity.getAmountInBytes(limits.get("memory")))
        .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(requests.get("memory")));

    Map<String, String> env = env(c);
    assertThat(env)
        .containsEntry("AAO_LEADER_ELECTION_ENABLED", "true")
        .containsEntry("AAO_LEADER_ELECTION_LEASE_NAMESPACE", NAMESPACE)
        .containsEntry("AAO_LEADER_ELECTION_LEASE_NAME", RELEASE + "-lease")
        // reconciles in flight finish within the grace period, with 10 s left to hand over
        .containsEntry("AAO_SHUTDOWN_DRAIN_TIMEOUT", "20s");
    assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isEqualTo(30L);

    // the metrics Service selects the operator's pods on the container's named port
    Service service = r.only(Service.class);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(deployment.getSpec().getSelector().getMatchLabels())
        .isEqualTo(service.getSpec().getSelector());
    assertThat(service.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getPort()).isEqualTo(8080);
              assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
            });

    assertThat(r.ofKind("ServiceMonitor")).isEmpty();
    assertThat(r.ofKind("AwsAuthConfig")).isEmpty();
    assertThat(r.only(ServiceAccount.class).getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void theShutdownDrainFollowsTheTerminationGracePeriod() {
    assertThat(env(operatorContainer(Map.of("terminationGracePeriodSeconds", 90))))
        .containsEntry("AAO_SHUTDOWN_DRAIN_TIMEOUT", "80s");
    assertThat(env(operatorContainer(Map.of("terminationGracePeriodSeconds", 5))))
        .containsEntry("AAO_SHUTDOWN_DRAIN_TIMEOUT", "0s");
  }

  private static Container operatorContainer(Map<String, Object> values) {
    return Chart.template(RELEASE, NAMESPACE, values)
        .only(Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
  }

  @Test
  void rbacIsLeastPrivilege() {
    Rendered r = Chart.template(RELEASE, NAMESPACE, Map.of());

    List<PolicyRule> allRules =
        Stream.concat(
                r.all(ClusterRole.class).stream().flatMap(cr -> cr.getRules().stream()),
                r.all(Role.class).stream().flatMap(role -> role.getRules().stream()))
            .toList();
    assertThat(allRules).isNotEmpty();
    assertThat(allRules)
        .allSatisfy(
            rule -> {
              assertThat(rule.getVerbs()).doesNotContain("*");
              assertThat(rule.getResources()).noneMatch(res -> res.contains("*"));
              assertThat(rule.getApiGroups()).doesNotContain("*");
              assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
            });

    ClusterRole operator = r.get(ClusterRole.class, RELEASE);
    assertThat(verbs(operator, "awsauth.io", "awsauthconfigs"))
        .containsExactlyInAnyOrder("get", "list", "watch");
    assertThat(verbs(operator, "awsauth.io", "vaultawsroles"))
        .containsExactlyInAnyOrder("get", "list", "watch");
    assertThat(verbs(operator, "awsauth.io", "stsrolebindings"))
        .containsExactlyInAnyOrder("get", "list", "watch", "patch", "update");
    assertThat(verbs(operator, "awsauth.io", "awscredentialrequests"))
        .containsExactlyInAnyOrder("get", "list", "watch", "patch", "update");
    for (String kind :
        List.of("awsauthconfigs", "stsrolebindings", "vaultawsroles", "awscredentialrequests")) {
      assertThat(verbs(operator, "awsauth.io", kind + "/status"))
          .as(kind + "/status")
          .containsExactlyInAnyOrder("patch", "update");
    }
    assertThat(verbs(operator, "", "secrets"))
        .containsExactlyInAnyOrder("get", "list", "watch", "create", "update", "patch", "delete");
    for (String res : List.of("pods", "nodes", "serviceaccounts")) {
      assertThat(verbs(operator, "", res))
          .as(res)
          .containsExactlyInAnyOrder("get", "list", "watch");
    }
    // (list: rolloutRestartTargets by matchLabels; no watch, no create, no delete)
    for (String res : List.of("deployments", "statefulsets", "daemonsets")) {
      assertThat(verbs(operator, "apps", res))
          .as(res)
          .containsExactlyInAnyOrder("get", "list", "patch");
    }
    assertThat(verbs(operator, "events.k8s.io", "events"))
        .containsExactlyInAnyOrder("create", "patch");
    assertThat(verbs(operator, "", "events")).containsExactlyInAnyOrder("create", "patch");
    assertThat(verbs(operator, "", "configmaps")).isEmpty();
    assertThat(verbs(operator, "", "serviceaccounts/token")).isEmpty();

    // leases: only in a Role of the release namespace, never cluster-wide
    assertThat(r.all(ClusterRole.class))
        .allSatisfy(cr -> assertThat(verbs(cr, "coordination.k8s.io", "leases")).isEmpty());
    Role lease = r.only(Role.class);
    assertThat(lease.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(verbs(lease, "coordination.k8s.io", "leases"))
        .containsExactlyInAnyOrder("get", "create", "update", "patch");
    RoleBinding leaseBinding = r.only(RoleBinding.class);
    assertThat(leaseBinding.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(leaseBinding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(leaseBinding.getRoleRef().getName()).isEqualTo(lease.getMetadata().getName());
    assertBindsOperator(leaseBinding.getSubjects());

    ClusterRoleBinding binding = r.only(ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(RELEASE);
    assertBindsOperator(binding.getSubjects());

    // tenants: view reads all four kinds, edit/admin write requests only
    ClusterRole view = r.get(ClusterRole.class, RELEASE + "-view");
    assertThat(view.getMetadata().getLabels())
        .containsEntry("rbac.authorization.k8s.io/aggregate-to-view", "true");
    assertThat(view.getRules())
        .flatExtracting(PolicyRule::getVerbs)
        .containsOnly("get", "list", "watch");
    assertThat(view.getRules()).flatExtracting(PolicyRule::getResources).hasSize(4);
    ClusterRole edit = r.get(ClusterRole.class, RELEASE + "-edit");
    assertThat(edit.getMetadata().getLabels())
        .containsEntry("rbac.authorization.k8s.io/aggregate-to-edit", "true")
        .containsEntry("rbac.authorization.k8s.io/aggregate-to-admin", "true");
    assertThat(edit.getRules())
        .flatExtracting(PolicyRule::getResources)
        .containsOnly("awscredentialrequests");

    Rendered without =
        Chart.template(RELEASE, NAMESPACE, Map.of("rbac.aggregateToDefaultRoles", false));
    assertThat(without.all(ClusterRole.class))
        .extracting(cr -> cr.getMetadata().getName())
        .containsExactly(RELEASE);
  }

  /** config/rbac/ holds the same objects as the chart renders for release aws-auth-operator. */
  @Test
  void plainRbacManifestsMatchTheChart() throws IOException {
    Rendered r = Chart.template(RELEASE, NAMESPACE, Map.of());
    Path dir = TestEnvironment.repoRoot().resolve("config/rbac");
    List<HasMetadata> plain;
    try (Stream<Path> files = Files.list(dir)) {
      plain =
          files
              .filter(f -> f.toString().endsWith(".yaml"))
              .sorted()
              .flatMap(f -> Chart.parse(read(f)).stream())
              .toList();
    }
    assertThat(plain)
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactlyInAnyOrderElementsOf(
            r.objects().stream()
                .filter(
                    o ->
                        o instanceof ClusterRole
                            || o instanceof ClusterRoleBinding
                            || o instanceof Role
                            || o instanceof RoleBinding
                            || o instanceof ServiceAccount)
                .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .toList());
    for (HasMetadata p : plain) {
      HasMetadata rendered =
          r.objects().stream()
              .filter(
                  o ->
                      o.getKind().equals(p.getKind())
                          && o.getMetadata().getName().equals(p.getMetadata().getName()))
              .findFirst()
              .orElseThrow();
      String what = p.getKind() + "/" + p.getMetadata().getName();
      assertThat(p.getMetadata().getNamespace())
          .as(what)
          .isEqualTo(rendered.getMetadata().getNamespace());
      if (p instanceof ClusterRole cr) {
        assertThat(cr.getRules()).as(what).isEqualTo(((ClusterRole) rendered).getRules());
        assertThat(cr.getMetadata().getLabels())
            .as(what)
            .containsAllEntriesOf(aggregationLabels(rendered.getMetadata().getLabels()));
      } else if (p instanceof Role role) {
        assertThat(role.getRules()).as(what).isEqualTo(((Role) rendered).getRules());
      } else if (p instanceof ClusterRoleBinding crb) {
        ClusterRoleBinding other = (ClusterRoleBinding) rendered;
        assertThat(crb.getRoleRef()).as(what).isEqualTo(other.getRoleRef());
        assertThat(crb.getSubjects()).as(what).isEqualTo(other.getSubjects());
      } else if (p instanceof RoleBinding rb) {
        RoleBinding other = (RoleBinding) rendered;
        assertThat(rb.getRoleRef()).as(what).isEqualTo(other.getRoleRef());
        assertThat(rb.getSubjects()).as(what).isEqualTo(other.getSubjects());
      }
    }
  }

  @Test
  void nonDefaultValues(@TempDir Path tmp) throws IOException {
    Path values = tmp.resolve("values.yaml");
    Files.writeString(
        values,
        """
        replicaCount: 2
        image:
          repository: registry.example.com/platform/aws-auth-operator
          tag: "1.2.3"
        serviceAccount:
          annotations:
            eks.amazonaws.com/role-arn: arn:aws:iam::111111111111:role/aws-auth-operator
        podDisruptionBudget:
          enabled: true
        awsRateLimits:
          iam: 5
          sts: 0
        metrics:
          serviceMonitor:
            enabled: true
            interval: 15s
            labels:
              release: kube-prometheus-stack
        awsAuthConfig:
          create: true
          region: eu-west-1
          credentials:
            source: Default
          endpoints:
            sts: https://sts.eu-west-1.amazonaws.com
          iamServerIdHeaderValue: vault.example.com
          stsAllowedHosts: [sts.amazonaws.com, sts.eu-west-1.amazonaws.com]
          useStsRegionFromClient: true
          allowedStsHeaders: [X-Amz-User-Agent]
        """);
    Rendered r = Chart.template("aao", "platform", values);

    Deployment deployment = r.only(Deployment.class);
    assertThat(deployment.getMetadata().getName()).isEqualTo("aao-aws-auth-operator");
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    Container c = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("registry.example.com/platform/aws-auth-operator:1.2.3");
    assertThat(env(c))
        .containsEntry("AAO_LEADER_ELECTION_ENABLED", "true")
        .containsEntry("AAO_LEADER_ELECTION_LEASE_NAMESPACE", "platform")
        .containsEntry("AAO_AWS_RATE_LIMIT_IAM", "5")
        .containsEntry("AAO_AWS_RATE_LIMIT_STS", "0")
        .containsEntry("AAO_AWS_RATE_LIMIT_EC2", "20");

    assertThat(r.only(ServiceAccount.class).getMetadata().getAnnotations())
        .containsEntry(
            "eks.amazonaws.com/role-arn", "arn:aws:iam::111111111111:role/aws-auth-operator");
    assertThat(r.only(Role.class).getMetadata().getNamespace()).isEqualTo("platform");
    assertThat(r.ofKind("PodDisruptionBudget")).hasSize(1);

    GenericKubernetesResource monitor = generic(r, "ServiceMonitor");
    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    Map<String, Object> endpoint =
        monitor.<List<Map<String, Object>>>get("spec", "endpoints").get(0);
    assertThat(endpoint)
        .containsEntry("port", "http")
        .containsEntry("path", "/q/metrics")
        .containsEntry("interval", "15s");
    Service service = r.only(Service.class);
    assertThat(service.getMetadata().getLabels())
        .containsAllEntriesOf(monitor.get("spec", "selector", "matchLabels"));

    GenericKubernetesResource config = generic(r, "AwsAuthConfig");
    assertThat(config.getApiVersion()).isEqualTo("awsauth.io/v1alpha1");
    assertThat(config.getMetadata().getName()).isEqualTo("default");
    assertThat(config.getMetadata().getNamespace()).isNull();
    assertThat(config.<String>get("spec", "region")).isEqualTo("eu-west-1");
    assertThat(config.<Map<String, Object>>get("spec", "credentials"))
        .isEqualTo(Map.of("source", "Default"));
    assertThat(config.<Map<String, Object>>get("spec", "endpoints"))
        .isEqualTo(Map.of("sts", "https://sts.eu-west-1.amazonaws.com"));
    assertThat(config.<String>get("spec", "iamServerIdHeaderValue")).isEqualTo("vault.example.com");
    assertThat(config.<List<String>>get("spec", "stsAllowedHosts"))
        .containsExactly("sts.amazonaws.com", "sts.eu-west-1.amazonaws.com");
    assertThat(config.<Boolean>get("spec", "useStsRegionFromClient")).isTrue();
    assertThat(config.<List<String>>get("spec", "allowedStsHeaders"))
        .containsExactly("X-Amz-User-Agent");
  }

  @Test
  void bootstrapFromASecretDefaultsToTheReleaseNamespace() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("awsAuthConfig.create", true);
    values.put("awsAuthConfig.credentials.source", "Secret");
    values.put("awsAuthConfig.credentials.secretRef.name", "aws-root-credentials");
    values.put("awsAuthConfig.rootRotationPeriod", "720h");
    GenericKubernetesResource config =
        generic(Chart.template(RELEASE, "ops", values), "AwsAuthConfig");

    assertThat(config.<Map<String, Object>>get("spec", "credentials"))
        .isEqualTo(
            Map.of(
                "source",
                "Secret",
                "secretRef",
                Map.of("namespace", "ops", "name", "aws-root-credentials")));
    assertThat(config.<String>get("spec", "rootRotation", "period")).isEqualTo("720h");
  }

  /**
   * credentials.source WebIdentity: the pod gets a projected ServiceAccount token for the audience,
   * mounted read-only where the AwsAuthConfig's tokenFile defaults to, and the bootstrap config
   * names the role and audience (its tokenFile left to the CRD's default, which is that path).
   */
  @Test
  void webIdentityMountsAProjectedTokenWhereTheConfigReadsIt() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("awsAuthConfig.create", true);
    values.put("awsAuthConfig.credentials.source", "WebIdentity");
    values.put(
        "awsAuthConfig.credentials.webIdentity.roleArn",
        "arn:aws:iam::111111111111:role/aws-auth-operator");
    values.put("awsAuthConfig.credentials.webIdentity.expirationSeconds", 7200);
    Rendered r = Chart.template(RELEASE, NAMESPACE, values);

    assertThat(generic(r, "AwsAuthConfig").<Map<String, Object>>get("spec", "credentials"))
        .isEqualTo(
            Map.of(
                "source",
                "WebIdentity",
                "roleArn",
                "arn:aws:iam::111111111111:role/aws-auth-operator",
                "audience",
                "sts.amazonaws.com"));
    PodSpec pod = r.only(Deployment.class).getSpec().getTemplate().getSpec();
    var volume =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals("aws-web-identity-token"))
            .findFirst()
            .orElseThrow();
    var token = volume.getProjected().getSources().get(0).getServiceAccountToken();
    assertThat(token.getAudience()).isEqualTo("sts.amazonaws.com");
    assertThat(token.getExpirationSeconds()).isEqualTo(7200L);
    assertThat(token.getPath()).isEqualTo("token");
    var mount =
        pod.getContainers().get(0).getVolumeMounts().stream()
            .filter(m -> m.getName().equals("aws-web-identity-token"))
            .findFirst()
            .orElseThrow();
    assertThat(mount.getMountPath() + "/" + token.getPath())
        .isEqualTo(
            io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec.Credentials.DEFAULT_TOKEN_FILE);
    assertThat(mount.getReadOnly()).isTrue();

    Rendered defaults = Chart.template(RELEASE, NAMESPACE, Map.of());
    assertThat(defaults.only(Deployment.class).getSpec().getTemplate().getSpec().getVolumes())
        .extracting(v -> v.getName())
        .as("no token volume unless asked for")
        .containsExactly("tmp");
    assertThatThrownBy(
            () ->
                Chart.template(
                    RELEASE,
                    NAMESPACE,
                    Map.of(
                        "awsAuthConfig.create",
                        true,
                        "awsAuthConfig.credentials.source",
                        "WebIdentity")))
        .hasMessageContaining("roleArn");
    assertThatThrownBy(
            () ->
                Chart.template(
                    RELEASE,
                    NAMESPACE,
                    Map.of(
                        "awsAuthConfig.credentials.source",
                        "WebIdentity",
                        "awsAuthConfig.credentials.webIdentity.roleArn",
                        "arn:aws:iam::111111111111:role/r",
                        "awsAuthConfig.credentials.webIdentity.expirationSeconds",
                        60)))
        .as("the kubelet's minimum")
        .hasMessageContaining("expirationSeconds");
  }

  @Test
  void theStsRegionFipsAndDualStackReachTheAwsAuthConfig() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("awsAuthConfig.create", true);
    values.put("awsAuthConfig.region", "cn-north-1");
    values.put("awsAuthConfig.endpoints.stsRegion", "cn-northwest-1");
    values.put("awsAuthConfig.endpoints.useDualstackEndpoint", true);
    GenericKubernetesResource config =
        generic(Chart.template(RELEASE, NAMESPACE, values), "AwsAuthConfig");

    assertThat(config.<String>get("spec", "region")).isEqualTo("cn-north-1");
    assertThat(config.<Map<String, Object>>get("spec", "endpoints"))
        .isEqualTo(Map.of("stsRegion", "cn-northwest-1", "useDualstackEndpoint", true));

    values.put("awsAuthConfig.endpoints.useFipsEndpoint", true);
    values.put("awsAuthConfig.endpoints.useDualstackEndpoint", false);
    assertThat(
            generic(Chart.template(RELEASE, NAMESPACE, values), "AwsAuthConfig")
                .<Map<String, Object>>get("spec", "endpoints"))
        .isEqualTo(Map.of("stsRegion", "cn-northwest-1", "useFipsEndpoint", true));
  }

  @Test
  void refusesWhatCannotWork() {
    assertThatThrownBy(
            () ->
                Chart.template(
                    RELEASE,
                    NAMESPACE,
                    Map.of(
                        "awsAuthConfig.create",
                        true,
                        "awsAuthConfig.credentials.source",
                        "Secret")))
        .hasMessageContaining("secretRef");
    assertThatThrownBy(
            () ->
                Chart.template(
                    RELEASE, NAMESPACE, Map.of("replicaCount", 2, "leaderElection.enabled", false)))
        .hasMessageContaining("leaderElection.enabled");
    // values.schema.json: unknown keys and values outside an enum
    assertThatThrownBy(() -> Chart.template(RELEASE, NAMESPACE, Map.of("replicas", 2)))
        .hasMessageContaining("replicas");
    assertThatThrownBy(
            () ->
                Chart.template(
                    RELEASE, NAMESPACE, Map.of("awsAuthConfig.credentials.source", "Vault")))
        .hasMessageContaining("source");
  }

  @Test
  void shardsRenderOneDeploymentEachWithItsShardItsOwnPodsAndItsPdb(@TempDir Path tmp)
      throws IOException {
    Path values = tmp.resolve("values.yaml");
    Files.writeString(
        values,
        """
        sharding:
          shards: [a, b]
        replicaCount: 2
        podDisruptionBudget:
          enabled: true
        """);
    Rendered r = Chart.template(RELEASE, NAMESPACE, values);

    List<Deployment> deployments = r.all(Deployment.class);
    assertThat(deployments)
        .extracting(d -> d.getMetadata().getName())
        .containsExactly(RELEASE + "-a", RELEASE + "-b");
    for (Deployment d : deployments) {
      String shard = d.getMetadata().getName().substring(RELEASE.length() + 1);
      assertThat(d.getSpec().getReplicas()).isEqualTo(2);
      assertThat(d.getMetadata().getLabels()).containsEntry("awsauth.io/shard", shard);
      // each Deployment selects only its own pods: their selectors do not overlap
      assertThat(d.getSpec().getSelector().getMatchLabels())
          .containsEntry("awsauth.io/shard", shard);
      assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
          .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
      Map<String, String> env = env(d.getSpec().getTemplate().getSpec().getContainers().get(0));
      assertThat(env)
          .containsEntry("AAO_SHARD_NAME", shard)
          .containsEntry("AAO_SHARD_NAMES", "a,b")
          .containsEntry("AAO_LEADER_ELECTION_ENABLED", "true")
          // the operator appends the shard: aws-auth-operator-lease-a, -b
          .containsEntry("AAO_LEADER_ELECTION_LEASE_NAME", RELEASE + "-lease");
    }
    assertThat(r.all(io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class))
        .extracting(
            p -> p.getMetadata().getName(),
            p -> p.getSpec().getSelector().getMatchLabels().get("awsauth.io/shard"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(RELEASE + "-a", "a"),
            org.assertj.core.groups.Tuple.tuple(RELEASE + "-b", "b"));
    // one ServiceAccount, RBAC and metrics Service for all shards
    assertThat(r.all(ServiceAccount.class)).hasSize(1);
    assertThat(r.only(Service.class).getSpec().getSelector()).doesNotContainKey("awsauth.io/shard");

    Rendered unsharded = Chart.template(RELEASE, NAMESPACE, Map.of());
    Deployment one = unsharded.only(Deployment.class);
    assertThat(one.getMetadata().getName()).isEqualTo(RELEASE);
    assertThat(one.getSpec().getSelector().getMatchLabels()).doesNotContainKey("awsauth.io/shard");
    assertThat(env(one.getSpec().getTemplate().getSpec().getContainers().get(0)))
        .doesNotContainKeys("AAO_SHARD_NAME", "AAO_SHARD_NAMES");
  }

  @Test
  void refusesShardsThatCannotWork(@TempDir Path tmp) throws IOException {
    Path twice = tmp.resolve("twice.yaml");
    Files.writeString(twice, "sharding:\n  shards: [a, a]\n");
    assertThatThrownBy(() -> Chart.template(RELEASE, NAMESPACE, twice))
        .hasMessageContaining("shards");
    Path notALabel = tmp.resolve("label.yaml");
    Files.writeString(notALabel, "sharding:\n  shards: [\"a b\"]\n");
    assertThatThrownBy(() -> Chart.template(RELEASE, NAMESPACE, notALabel))
        .hasMessageContaining("shards");
    Path noLease = tmp.resolve("lease.yaml");
    Files.writeString(noLease, "sharding:\n  shards: [a, b]\nleaderElection:\n  enabled: false\n");
    assertThatThrownBy(() -> Chart.template(RELEASE, NAMESPACE, noLease))
        .hasMessageContaining("leaderElection.enabled");
  }

  @Test
  void leaderElectionCanBeTurnedOffForOneReplica() {
    Rendered r = Chart.template(RELEASE, NAMESPACE, Map.of("leaderElection.enabled", false));

    assertThat(r.all(Role.class)).isEmpty();
    assertThat(r.all(RoleBinding.class)).isEmpty();
    assertThat(
            env(r.only(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0)))
        .containsEntry("AAO_LEADER_ELECTION_ENABLED", "false")
        .doesNotContainKey("AAO_LEADER_ELECTION_LEASE_NAMESPACE");
    assertThat(r.all(ConfigMap.class)).isEmpty();
  }

  private static void assertHttpProbe(Probe probe, String path) {
    assertThat(probe).as(path).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
  }

  private static void assertBindsOperator(
      List<io.fabric8.kubernetes.api.model.rbac.Subject> subjects) {
    assertThat(subjects)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo(RELEASE);
              assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
            });
  }

  /** The verbs a role grants on one resource of one API group. */
  private static Set<String> verbs(HasMetadata role, String group, String resource) {
    List<PolicyRule> rules =
        role instanceof ClusterRole cr ? cr.getRules() : ((Role) role).getRules();
    return rules.stream()
        .filter(
            rule -> rule.getApiGroups().contains(group) && rule.getResources().contains(resource))
        .flatMap(rule -> rule.getVerbs().stream())
        .collect(Collectors.toSet());
  }

  private static Map<String, String> env(Container c) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : c.getEnv()) {
      env.put(e.getName(), e.getValue());
    }
    return env;
  }

  private static GenericKubernetesResource generic(Rendered r, String kind) {
    List<HasMetadata> found = r.ofKind(kind);
    assertThat(found).as(kind).hasSize(1);
    return (GenericKubernetesResource) found.get(0);
  }

  private static Map<String, String> aggregationLabels(Map<String, String> labels) {
    return labels.entrySet().stream()
        .filter(e -> e.getKey().startsWith("rbac.authorization.k8s.io/"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
