package io.awsauth.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironmentExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart installed (CRDs included) into the real API server of {@code e2e/local-env}: it is
 * accepted, its pods pass the {@code restricted} Pod Security Standard, and its ServiceAccount has
 * exactly the permissions docs/configuration.md lists (SubjectAccessReview for allowed and denied
 * verbs). The chart's default values (no hostNetwork) are what a real cluster gets; the local node
 * runs only hostNetwork pods, so these are admitted but never start. The chart installed and
 * running as a pod on the local node: {@code io.awsauth.e2e.node.OperatorPodE2E}.
 */
@ExtendWith(TestEnvironmentExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmInstallE2E {
  private final String suffix =
      UUID.randomUUID().toString().substring(0, 6).toLowerCase(Locale.ROOT);
  private final String namespace = "aao-helm-" + suffix;
  private final String release = "e2e-" + suffix;
  private final String fullname = release + "-aws-auth-operator";
  private final String configName = "helm-e2e-" + suffix;
  private final String tenant = "tenant-" + suffix;

  private TestEnvironment env;
  private KubernetesClient client;
  private Release installed;

  @BeforeAll
  void install() {
    env = TestEnvironment.get();
    client = env.client();
    // Pods of this namespace must meet the restricted Pod Security Standard, or the ReplicaSet
    // controller's pod creation is refused.
    client
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(namespace)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .addToLabels("pod-security.kubernetes.io/enforce-version", "latest")
                .endMetadata()
                .build())
        .create();
    installed =
        Helm.install(Chart.DIR.toString())
            .withKubeConfigContents(env.kubeconfig())
            .withName(release)
            .withNamespace(namespace)
            .set("replicaCount", 2)
            .set(
                "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn",
                "arn:aws:iam::111111111111:role/aws-auth-operator")
            .set("awsAuthConfig.create", true)
            .set("awsAuthConfig.name", configName)
            .set("awsAuthConfig.credentials.source", "Default")
            .set("awsAuthConfig.endpoints.sts", env.awsEndpoint())
            .call();
  }

  @AfterAll
  void uninstall() {
    if (installed != null) {
      Helm.uninstall(release)
          .withKubeConfigContents(env.kubeconfig())
          .withNamespace(namespace)
          .call();
      assertThat(client.rbac().clusterRoles().withName(fullname).get())
          .as("ClusterRole removed by helm uninstall")
          .isNull();
    }
    if (client != null) {
      // not waited for: the namespace controller finishes it
      client.namespaces().withName(namespace).delete();
    }
  }

  @Test
  @Order(1)
  void isAcceptedWithItsCrdsAndItsPodsMeetTheRestrictedStandard() {
    assertThat(installed.getStatus()).isEqualTo("deployed");

    for (String crd :
        List.of(
            "awsauthconfigs.awsauth.io",
            "stsrolebindings.awsauth.io",
            "vaultawsroles.awsauth.io",
            "awscredentialrequests.awsauth.io")) {
      CustomResourceDefinition found =
          client.apiextensions().v1().customResourceDefinitions().withName(crd).get();
      assertThat(found).as(crd).isNotNull();
      assertThat(found.getStatus().getConditions())
          .as(crd)
          .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    Deployment deployment =
        client.apps().deployments().inNamespace(namespace).withName(fullname).get();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    // kube-controller-manager's deployment and replicaset controllers create the pods; the
    // PodSecurity admission admits them only if they meet "restricted".
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .pods()
                            .inNamespace(namespace)
                            .withLabels(deployment.getSpec().getSelector().getMatchLabels())
                            .list()
                            .getItems())
                    .hasSize(2));

    ServiceAccount sa = client.serviceAccounts().inNamespace(namespace).withName(fullname).get();
    assertThat(sa.getMetadata().getAnnotations())
        .containsEntry(
            "eks.amazonaws.com/role-arn", "arn:aws:iam::111111111111:role/aws-auth-operator");

    GenericKubernetesResource config =
        client
            .genericKubernetesResources("awsauth.io/v1alpha1", "AwsAuthConfig")
            .withName(configName)
            .get();
    assertThat(config).isNotNull();
    assertThat(config.<String>get("spec", "credentials", "source")).isEqualTo("Default");
    assertThat(config.<String>get("spec", "endpoints", "sts")).isEqualTo(env.awsEndpoint());
  }

  @Test
  @Order(2)
  void serviceAccountHasWhatTheOperatorNeeds() {
    String sa = "system:serviceaccount:" + namespace + ":" + fullname;
    for (String[] a :
        new String[][] {
          // group, resource, subresource, verb, namespace ("" = cluster scope)
          {"awsauth.io", "awsauthconfigs", "", "list", ""},
          {"awsauth.io", "awsauthconfigs", "", "watch", ""},
          {"awsauth.io", "vaultawsroles", "", "get", ""},
          {"awsauth.io", "stsrolebindings", "", "update", ""},
          {"awsauth.io", "awscredentialrequests", "", "watch", ""},
          {"awsauth.io", "awscredentialrequests", "", "patch", "team-a"},
          {"awsauth.io", "awscredentialrequests", "status", "patch", "team-a"},
          {"awsauth.io", "awsauthconfigs", "status", "patch", ""},
          {"awsauth.io", "vaultawsroles", "status", "update", ""},
          {"awsauth.io", "stsrolebindings", "status", "patch", ""},
          {"", "secrets", "", "create", "team-a"},
          {"", "secrets", "", "list", ""},
          {"", "secrets", "", "delete", "team-a"},
          {"", "pods", "", "get", "team-a"},
          {"", "serviceaccounts", "", "list", ""},
          {"", "nodes", "", "watch", ""},
          {"apps", "deployments", "", "patch", "team-a"},
          {"apps", "statefulsets", "", "get", "team-a"},
          {"apps", "deployments", "", "list", "team-a"},
          {"apps", "daemonsets", "", "patch", "team-a"},
          {"events.k8s.io", "events", "", "create", "team-a"},
          {"", "events", "", "patch", "team-a"},
          {"coordination.k8s.io", "leases", "", "create", namespace},
          {"coordination.k8s.io", "leases", "", "update", namespace},
          {"coordination.k8s.io", "leases", "", "patch", namespace},
        }) {
      assertThat(allowed(sa, a)).as("%s may %s", sa, String.join(" ", a)).isTrue();
    }
  }

  @Test
  @Order(3)
  void serviceAccountHasNothingMore() {
    String sa = "system:serviceaccount:" + namespace + ":" + fullname;
    for (String[] a :
        new String[][] {
          {"awsauth.io", "awsauthconfigs", "", "create", ""},
          {"awsauth.io", "awsauthconfigs", "", "update", ""},
          {"awsauth.io", "vaultawsroles", "", "delete", ""},
          {"awsauth.io", "stsrolebindings", "", "create", ""},
          {"awsauth.io", "awscredentialrequests", "", "create", "team-a"},
          {"awsauth.io", "awscredentialrequests", "", "delete", "team-a"},
          {"", "pods", "", "delete", "team-a"},
          {"", "pods", "exec", "create", "team-a"},
          {"", "nodes", "", "patch", ""},
          {"", "serviceaccounts", "token", "create", "team-a"},
          {"", "configmaps", "", "get", "team-a"},
          {"", "namespaces", "", "delete", ""},
          {"apps", "deployments", "", "create", "team-a"},
          {"apps", "deployments", "", "delete", "team-a"},
          {"rbac.authorization.k8s.io", "clusterroles", "", "escalate", ""},
          {"rbac.authorization.k8s.io", "rolebindings", "", "create", "team-a"},
          {"apiextensions.k8s.io", "customresourcedefinitions", "", "update", ""},
          // the Lease only in the release namespace
          {"coordination.k8s.io", "leases", "", "create", "default"},
          {"coordination.k8s.io", "leases", "", "update", "kube-system"},
          {"coordination.k8s.io", "leases", "", "delete", namespace},
          {"*", "*", "", "*", ""},
        }) {
      assertThat(allowed(sa, a)).as("%s must not %s", sa, String.join(" ", a)).isFalse();
    }
  }

  /** rbac.aggregateToDefaultRoles: a namespace's `edit` users may request credentials there. */
  @Test
  @Order(4)
  void tenantsWithEditMayRequestCredentialsInTheirNamespaceOnly() {
    client
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName(tenant + "-edit")
                .withNamespace(namespace)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "edit")
                .addNewSubject()
                .withKind("User")
                .withApiGroup("rbac.authorization.k8s.io")
                .withName(tenant)
                .endSubject()
                .build())
        .create();

    // kube-controller-manager aggregates the chart's roles into edit asynchronously
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        allowed(
                            tenant,
                            new String[] {
                              "awsauth.io", "awscredentialrequests", "", "create", namespace
                            }))
                    .isTrue());
    assertThat(allowed(tenant, new String[] {"awsauth.io", "vaultawsroles", "", "get", ""}))
        .as("the cluster-scoped kinds need a ClusterRoleBinding")
        .isFalse();
    assertThat(
            allowed(
                tenant,
                new String[] {"awsauth.io", "awscredentialrequests", "", "list", namespace}))
        .isTrue();
    assertThat(
            allowed(
                tenant,
                new String[] {"awsauth.io", "awscredentialrequests", "status", "patch", namespace}))
        .as("status is the operator's")
        .isFalse();
    assertThat(
            allowed(
                tenant,
                new String[] {"awsauth.io", "awscredentialrequests", "", "create", "default"}))
        .isFalse();
    assertThat(allowed(tenant, new String[] {"awsauth.io", "vaultawsroles", "", "create", ""}))
        .isFalse();
  }

  private boolean allowed(String user, String[] a) {
    var attributes =
        new ResourceAttributesBuilder()
            .withGroup(a[0])
            .withResource(a[1])
            .withSubresource(a[2].isEmpty() ? null : a[2])
            .withVerb(a[3])
            .withNamespace(a[4].isEmpty() ? null : a[4])
            .build();
    var spec = new SubjectAccessReviewBuilder().withNewSpec().withUser(user);
    if (user.startsWith("system:serviceaccount:")) {
      spec.withGroups(
          "system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated");
    } else {
      spec.withGroups("system:authenticated");
    }
    SubjectAccessReview review =
        client
            .authorization()
            .v1()
            .subjectAccessReview()
            .create(spec.withResourceAttributes(attributes).endSpec().build());
    return review.getStatus().getAllowed();
  }
}
