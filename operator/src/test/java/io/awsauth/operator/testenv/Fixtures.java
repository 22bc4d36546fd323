package io.awsauth.operator.testenv;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.ConditionedStatus;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.api.v1alpha1.SecretReference;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/** The Kubernetes objects tests arrange again and again. */
public final class Fixtures {
  private Fixtures() {}

  /** A role of {@code type} on AwsAuthConfig {@code authConfig}, bound to {@code namespace}. */
  public static VaultAwsRole role(
      String name, CredentialType type, String authConfig, String namespace) {
    VaultAwsRole role = new VaultAwsRole();
    role.setMetadata(new ObjectMetaBuilder().withName(name).build());
    role.setSpec(new VaultAwsRoleSpec());
    role.getSpec().credentialType = type;
    role.getSpec().authConfigRef = authConfig;
    role.getSpec().bindings = new RoleBindings();
    role.getSpec().bindings.namespaces = List.of(namespace);
    return role;
  }

  /** Creates {@code role} and waits until it is Ready. */
  public static VaultAwsRole createReady(KubernetesClient client, VaultAwsRole role) {
    client.resource(role).create();
    return org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(90))
        .pollInterval(java.time.Duration.ofMillis(300))
        .until(
            () -> client.resources(VaultAwsRole.class).withName(role.getMetadata().getName()).get(),
            r -> r.getStatus() != null && r.getStatus().isTrue("Ready"));
  }

  /** A request for {@code role} in {@code namespace}, as ServiceAccount {@code serviceAccount}. */
  public static AwsCredentialRequest request(
      String name, String namespace, VaultAwsRole role, String serviceAccount) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    r.setSpec(new AwsCredentialRequestSpec());
    r.getSpec().roleRef = role.getMetadata().getName();
    r.getSpec().identity = new AwsCredentialRequestSpec.Identity();
    r.getSpec().identity.serviceAccountName = serviceAccount;
    return r;
  }

  public static void namespace(KubernetesClient client, String name) {
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .serverSideApply();
  }

  /** The request as the API server has it once its condition {@code type} is {@code value}. */
  public static io.awsauth.operator.api.v1alpha1.AwsCredentialRequest awaitCondition(
      KubernetesClient client,
      io.awsauth.operator.api.v1alpha1.AwsCredentialRequest request,
      String type,
      String value) {
    return org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(90))
        .pollInterval(java.time.Duration.ofMillis(300))
        .until(
            () ->
                client
                    .resources(io.awsauth.operator.api.v1alpha1.AwsCredentialRequest.class)
                    .inNamespace(request.getMetadata().getNamespace())
                    .withName(request.getMetadata().getName())
                    .get(),
            r ->
                r != null
                    && r.getStatus() != null
                    && r.getStatus()
                        .condition(type)
                        .map(io.fabric8.kubernetes.api.model.Condition::getStatus)
                        .orElse("")
                        .equals(value));
  }

  /**
   * The cluster-scoped {@code type} named {@code name} as the API server has it once its condition
   * {@code condition} carries {@code reason}.
   */
  public static <
          T extends io.fabric8.kubernetes.client.CustomResource<?, ? extends ConditionedStatus>>
      T awaitReason(
          KubernetesClient client,
          Class<T> type,
          String name,
          String condition,
          String reason,
          java.time.Duration atMost) {
    return org.awaitility.Awaitility.await()
        .atMost(atMost)
        .pollInterval(java.time.Duration.ofMillis(300))
        .until(
            () -> client.resources(type).withName(name).get(),
            r ->
                r != null
                    && r.getStatus() != null
                    && r.getStatus()
                        .condition(condition)
                        .map(io.fabric8.kubernetes.api.model.Condition::getReason)
                        .orElse("")
                        .equals(reason));
  }

  /** A ServiceAccount, created or kept. */
  public static void serviceAccount(KubernetesClient client, String namespace, String name) {
    client
        .resource(
            new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .build())
        .serverSideApply();
  }

  /** A Pod (it never runs: the local environment has no kubelet) as {@code serviceAccount}. */
  public static void pod(
      KubernetesClient client, String namespace, String name, String serviceAccount) {
    client
        .resource(
            new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withServiceAccountName(serviceAccount)
                .addNewContainer()
                .withName("app")
                .withImage("amazon/aws-cli:2.17.0")
                .endContainer()
                .endSpec()
                .build())
        .create();
  }

  /** A Secret with the given string data, created or replaced. */
  public static void secret(
      KubernetesClient client, String namespace, String name, Map<String, String> data) {
    client
        .resource(
            new SecretBuilder()
                .withMetadata(
                    new ObjectMetaBuilder().withName(name).withNamespace(namespace).build())
                .withStringData(data)
                .build())
        .serverSideApply();
  }

  /** A credentials Secret in the format AwsAuthConfig reads (access_key, secret_key). */
  public static void credentialsSecret(
      KubernetesClient client, String namespace, String name, AwsAccount key) {
    secret(
        client,
        namespace,
        name,
        Map.of("access_key", key.accessKeyId(), "secret_key", key.secretAccessKey()));
  }

  /**
   * An AwsAuthConfig using the credentials Secret {@code namespace/secretName} on {@code endpoint}.
   */
  /** Applies {@link #authConfig} and waits (60 s at most) until the operator calls it Ready. */
  public static AwsAuthConfig readyAuthConfig(
      KubernetesClient client, String name, String namespace, String secretName, String endpoint) {
    client.resource(authConfig(name, namespace, secretName, endpoint)).serverSideApply();
    return org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(60))
        .until(
            () -> client.resources(AwsAuthConfig.class).withName(name).get(),
            c -> c.getStatus() != null && c.getStatus().isTrue("Ready"));
  }

  /** Waits until the AwsAuthConfig {@code name} has condition Ready with status {@code ready}. */
  public static AwsAuthConfig awaitConfigReady(
      KubernetesClient client, String name, String ready, java.time.Duration atMost) {
    return org.awaitility.Awaitility.await()
        .atMost(atMost)
        .pollInterval(java.time.Duration.ofMillis(250))
        .until(
            () -> client.resources(AwsAuthConfig.class).withName(name).get(),
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus()
                        .condition("Ready")
                        .map(io.fabric8.kubernetes.api.model.Condition::getStatus)
                        .orElse("")
                        .equals(ready));
  }

  public static AwsAuthConfig authConfig(
      String name, String namespace, String secretName, String endpoint) {
    AwsAuthConfig config = new AwsAuthConfig();
    config.setMetadata(new ObjectMetaBuilder().withName(name).build());
    AwsAuthConfigSpec spec = new AwsAuthConfigSpec();
    spec.region = "us-east-1";
    spec.endpoints = new AwsAuthConfigSpec.Endpoints();
    spec.endpoints.sts = endpoint;
    spec.endpoints.iam = endpoint;
    spec.endpoints.ec2 = endpoint;
    spec.credentials = new AwsAuthConfigSpec.Credentials();
    spec.credentials.source = AwsAuthConfigSpec.Credentials.Source.SECRET;
    spec.credentials.secretRef = new SecretReference(namespace, secretName);
    config.setSpec(spec);
    return config;
  }

  /**
   * Creates a Deployment of no replicas running as {@code serviceAccount}: a rollout restart target
   * (its pod template is all a restart touches).
   */
  public static Deployment idleDeployment(
      KubernetesClient client,
      String namespace,
      String name,
      Map<String, String> labels,
      String serviceAccount) {
    Deployment d =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withReplicas(0)
            .withNewSelector()
            .addToMatchLabels("app", name)
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("app", name)
            .endMetadata()
            .withNewSpec()
            .withServiceAccountName(serviceAccount)
            .addNewContainer()
            .withName("app")
            .withImage("amazon/aws-cli:2.17.0")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    return client.resource(d).create();
  }
}
