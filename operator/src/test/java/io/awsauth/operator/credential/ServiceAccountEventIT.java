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
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Service accounts are an event source of the request controller: a request that names one not yet
 * created is refused (ServiceAccountNotFound) and issued as soon as it is created, not at the next
 * look (a refusal that waits for a change schedules none; the poll it replaced was a minute).
 */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class ServiceAccountEventIT {
  static final String NS = "aao-sa-event-it";
  static final String CONFIG = "sa-event-it";

  /** Far below the minute the request was looked at again before. */
  static final Duration PROMPTLY = Duration.ofSeconds(10);

  static KubernetesClient client;

  @BeforeAll
  static void operatorIdentity() {
    TestEnvironment env = TestEnvironment.get();
    client = env.client();
    Fixtures.namespace(client, NS);
    Fixtures.credentialsSecret(
        client, NS, "operator", Aws.operatorUser(env, Aws.unique("vault-root")));
    Fixtures.readyAuthConfig(client, CONFIG, NS, "operator", env.awsEndpoint());
  }

  @Test
  void aRequestWaitingForItsServiceAccountIsIssuedWhenItIsCreated() {
    VaultAwsRole role = new VaultAwsRole();
    role.setMetadata(new ObjectMetaBuilder().withName(Aws.unique("sa-event")).build());
    role.setSpec(new VaultAwsRoleSpec());
    role.getSpec().credentialType = CredentialType.SESSION_TOKEN;
    role.getSpec().authConfigRef = CONFIG;
    role.getSpec().bindings = new RoleBindings();
    role.getSpec().bindings.namespaces = List.of(NS);
    client.resource(role).create();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> client.resources(VaultAwsRole.class).withName(role.getMetadata().getName()).get(),
            r -> r.getStatus() != null && r.getStatus().isTrue("Ready"));

    String serviceAccount = Aws.unique("late");
    AwsCredentialRequest request = new AwsCredentialRequest();
    request.setMetadata(
        new ObjectMetaBuilder().withName(Aws.unique("waits")).withNamespace(NS).build());
    request.setSpec(new AwsCredentialRequestSpec());
    request.getSpec().roleRef = role.getMetadata().getName();
    request.getSpec().identity = new AwsCredentialRequestSpec.Identity();
    request.getSpec().identity.serviceAccountName = serviceAccount;
    client.resource(request).create();

    AwsCredentialRequest refused =
        Fixtures.awaitCondition(client, request, "IdentityVerified", "False");
    Condition c = refused.getStatus().condition("IdentityVerified").orElseThrow();
    assertThat(c.getReason()).isEqualTo("ServiceAccountNotFound");
    assertThat(c.getMessage()).contains(serviceAccount);
    assertThat(refused.getStatus().isTrue("Ready")).isFalse();

    Instant created = Instant.now();
    Fixtures.serviceAccount(client, NS, serviceAccount);
    await()
        .atMost(PROMPTLY)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                client
                    .resources(AwsCredentialRequest.class)
                    .inNamespace(NS)
                    .withName(request.getMetadata().getName())
                    .get(),
            r -> r.getStatus() != null && r.getStatus().isTrue("Ready"));
    Duration took = Duration.between(created, Instant.now());
    assertThat(took).as("from the ServiceAccount's creation to Ready").isLessThan(PROMPTLY);
  }
}
