package io.awsauth.operator.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.awsauth.operator.api.v1alpha1.AuthType;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.api.v1alpha1.SecretReference;
import io.awsauth.operator.api.v1alpha1.StsRoleBinding;
import io.awsauth.operator.api.v1alpha1.StsRoleBindingSpec;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What the identity ITs share: a namespace with service account {@value #SA}, an AwsAuthConfig
 * whose identity is a user in account A holding exactly config/iam/operator-policy.json (and
 * account B's admin keys for StsRoleBindings that manage trust), roles and requests, and the
 * assertions on the request's conditions.
 */
public final class IdentityScenario {
  public static final String SA = "app";

  public final TestEnvironment env;
  public final KubernetesClient client;
  public final String namespace;
  public final String config;
  private final String endpoint;
  private final Map<String, String> labels;

  private IdentityScenario(
      String namespace, String config, String endpoint, Map<String, String> labels) {
    this.env = TestEnvironment.get();
    this.client = env.client();
    this.namespace = namespace;
    this.config = config;
    this.endpoint = endpoint == null ? env.awsEndpoint() : endpoint;
    this.labels = labels;
  }

  public static IdentityScenario start(String namespace, String config) {
    return start(namespace, config, null, Map.of());
  }

  /**
   * The same, with the config's AWS endpoints on {@code endpoint} (null: the emulator itself, e.g.
   * a {@code FaultProxy} in front of it) and {@code labels} on every config, binding, role and
   * request the scenario creates (e.g. the label selecting an operator process under test).
   */
  public static IdentityScenario start(
      String namespace, String config, String endpoint, Map<String, String> labels) {
    IdentityScenario s = new IdentityScenario(namespace, config, endpoint, labels);
    // A binding left by an earlier run trusts that run's operator user, not this one's; two
    // bindings for one account and config would make the choice between them arbitrary.
    s.client.resources(StsRoleBinding.class).list().getItems().stream()
        .filter(b -> config.equals(b.getSpec().authConfigRef))
        .forEach(b -> s.client.resource(b).withTimeout(60, TimeUnit.SECONDS).delete());
    Fixtures.namespace(s.client, namespace);
    s.client
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(SA)
                .withNamespace(namespace)
                .endMetadata()
                .build())
        .serverSideApply();
    AwsAccount operator = Aws.operatorUser(s.env, Aws.unique("vault-root"));
    Fixtures.credentialsSecret(s.client, namespace, "operator", operator);
    Fixtures.credentialsSecret(s.client, namespace, "admin-b", s.env.accountB());
    s.applyReady(s.authConfig(config));
    return s;
  }

  /** An AwsAuthConfig on the emulator acting as the operator user. */
  public AwsAuthConfig authConfig(String name) {
    AwsAuthConfig c = Fixtures.authConfig(name, namespace, "operator", endpoint);
    c.getMetadata().setLabels(labels);
    return c;
  }

  public void applyReady(AwsAuthConfig authConfig) {
    client.resource(authConfig).serverSideApply();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                client
                    .resources(AwsAuthConfig.class)
                    .withName(authConfig.getMetadata().getName())
                    .get(),
            c -> c.getStatus() != null && c.getStatus().isTrue("Ready"));
  }

  /** A Ready StsRoleBinding into account B whose trust the operator manages. */
  public StsRoleBinding secondaryAccountBinding() {
    StsRoleBinding binding = new StsRoleBinding();
    binding.setMetadata(
        new ObjectMetaBuilder().withName(Aws.unique("secondary")).withLabels(labels).build());
    binding.setSpec(new StsRoleBindingSpec());
    binding.getSpec().accountId = TestEnvironment.ACCOUNT_B;
    binding.getSpec().roleArn =
        "arn:aws:iam::" + TestEnvironment.ACCOUNT_B + ":role/" + Aws.unique("Role-to-Assume");
    binding.getSpec().authConfigRef = config;
    binding.getSpec().trust = new StsRoleBindingSpec.Trust();
    binding.getSpec().trust.manage = true;
    binding.getSpec().trust.adminSecretRef = new SecretReference(namespace, "admin-b");
    client.resource(binding).create();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                client
                    .resources(StsRoleBinding.class)
                    .withName(binding.getMetadata().getName())
                    .get(),
            b -> b.getStatus() != null && b.getStatus().isTrue("Ready"));
    return binding;
  }

  /** A Ready role of this scenario's namespace and config; {@code bindings} adds the rest. */
  public VaultAwsRole role(
      String name,
      CredentialType type,
      AuthType authType,
      String authConfig,
      Consumer<RoleBindings> bindings) {
    VaultAwsRole role = new VaultAwsRole();
    role.setMetadata(new ObjectMetaBuilder().withName(name).withLabels(labels).build());
    role.setSpec(new VaultAwsRoleSpec());
    role.getSpec().credentialType = type;
    role.getSpec().authConfigRef = authConfig;
    role.getSpec().authType = authType;
    role.getSpec().bindings = new RoleBindings();
    role.getSpec().bindings.namespaces = List.of(namespace);
    bindings.accept(role.getSpec().bindings);
    if (type == CredentialType.IAM_USER) {
      role.getSpec().policyArns = List.of("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess");
    }
    client.resource(role).create();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> client.resources(VaultAwsRole.class).withName(name).get(),
            r -> r.getStatus() != null && r.getStatus().isTrue("Ready"));
    return role;
  }

  /**
   * Creates a request for the role as service account {@value #SA}; {@code identity} adds to it.
   */
  public AwsCredentialRequest request(
      String name, VaultAwsRole role, Consumer<AwsCredentialRequestSpec> spec) {
    return request(namespace, name, role, spec);
  }

  /** The same in another namespace (whose service account {@value #SA} the caller made). */
  public AwsCredentialRequest request(
      String inNamespace, String name, VaultAwsRole role, Consumer<AwsCredentialRequestSpec> spec) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(inNamespace)
            .withLabels(labels)
            .build());
    r.setSpec(new AwsCredentialRequestSpec());
    r.getSpec().roleRef = role.getMetadata().getName();
    r.getSpec().identity = new AwsCredentialRequestSpec.Identity();
    r.getSpec().identity.serviceAccountName = SA;
    spec.accept(r.getSpec());
    client.resource(r).create();
    return r;
  }

  public AwsCredentialRequest get(AwsCredentialRequest request) {
    return client
        .resources(AwsCredentialRequest.class)
        .inNamespace(request.getMetadata().getNamespace())
        .withName(request.getMetadata().getName())
        .get();
  }

  public AwsCredentialRequest awaitCondition(
      AwsCredentialRequest request, String type, String value) {
    return Fixtures.awaitCondition(client, request, type, value);
  }

  /** The credential Secret: spec.secretName is unset, so it has the request's name. */
  public Secret secret(AwsCredentialRequest request) {
    String name =
        request.getSpec().secretName == null
            ? request.getMetadata().getName()
            : request.getSpec().secretName;
    return client.secrets().inNamespace(request.getMetadata().getNamespace()).withName(name).get();
  }

  /**
   * IdentityVerified=True on an issued request. Its reason and message are not compared: while a
   * lease is held and not due, the operator may restate the condition from the bindings alone, so
   * what the verifier said at issuance does not stay there; the proof that the verifier admitted
   * the request is that it was issued under bindings that admit nobody else.
   */
  public void assertVerified(AwsCredentialRequest ready) {
    assertThat(ready.getStatus().isTrue("IdentityVerified")).isTrue();
    assertThat(ready.getStatus().isTrue("Ready")).isTrue();
  }

  /**
   * IdentityVerified=False with the reason and a message that mentions {@code mentions} and no
   * signature, nothing issued, no Secret with keys, and an Event with the reason.
   */
  public void assertDenied(AwsCredentialRequest request, String reason, String mentions) {
    assertDenied(request, "IdentityVerified", reason, mentions);
  }

  /** The same for condition {@code type} (e.g. Ready, for a denial after the identity check). */
  public void assertDenied(
      AwsCredentialRequest request, String type, String reason, String mentions) {
    AwsCredentialRequest denied = awaitCondition(request, type, "False");
    Condition c = denied.getStatus().condition(type).orElseThrow();
    assertThat(c.getReason()).isEqualTo(reason);
    assertThat(c.getMessage()).contains(mentions);
    assertThat(c.getMessage()).doesNotContain("Signature=").doesNotContain("Credential=");
    assertThat(denied.getStatus().isTrue("Ready")).isFalse();
    assertThat(denied.getStatus().leaseId).isNull();
    assertThat(denied.getStatus().accessKeyId).isNull();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                client
                    .events()
                    .v1()
                    .events()
                    .inNamespace(request.getMetadata().getNamespace())
                    .list()
                    .getItems()
                    .stream()
                    .filter(e -> request.getMetadata().getName().equals(e.getRegarding().getName()))
                    .map(Event::getReason)
                    .toList()
                    .contains(reason));
    Secret secret = secret(request);
    if (secret != null) {
      assertThat(secret.getData()).doesNotContainKey("AWS_ACCESS_KEY_ID");
    }
  }
}
