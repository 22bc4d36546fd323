package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec.RestartPolicy;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec.RolloutTarget;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.runtime.OperatorConfig;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Restarts after a rotation on the real API server (issue 17): targets by labels, restartPolicy
 * Never, and the spread of one namespace's restarts. Four iam_user requests of 40 s leases are
 * created before the tests (the spread pair, then the other two), so that their rotations (about 27
 * s after issuance) overlap the tests' waits: the class costs about one rotation plus one spread
 * interval of wall time.
 */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutRestartIT {
  static final String NS = "aao-restart-it";

  /** The spread requests have a namespace of their own: no other restart takes its times. */
  static final String SPREAD_NS = "aao-restart-spread-it";

  static final String CONFIG = "restart-it";
  static final String SA = "app";
  static final String EC2_ALL =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\","
          + "\"Resource\":\"*\"}]}";

  static TestEnvironment env;
  static KubernetesClient client;
  static final List<AwsCredentialRequest> requests = new ArrayList<>();
  static AwsCredentialRequest bySelector;
  static AwsCredentialRequest never;
  static AwsCredentialRequest spreadOne;
  static AwsCredentialRequest spreadTwo;
  static String web1;
  static String web2;
  static String notSelected;
  static String kept;
  static String spreadTarget1;
  static String spreadTarget2;

  /** Per request: its first lease, as the tests found it Ready. */
  static final Map<String, AwsCredentialRequest> first = new HashMap<>();

  /** Per workload: its pod template's annotations once every first lease was issued. */
  static final Map<String, Map<String, String>> annotationsAfterIssuance = new HashMap<>();

  @Inject OperatorConfig config;

  @BeforeAll
  static void fourRequestsWithFortySecondLeases() {
    env = TestEnvironment.get();
    client = env.client();
    AwsAccount operator = Aws.operatorUser(env, Aws.unique("vault-root"));
    for (String ns : List.of(NS, SPREAD_NS)) {
      Fixtures.namespace(client, ns);
      Fixtures.serviceAccount(client, ns, SA);
    }
    Fixtures.credentialsSecret(client, NS, "operator", operator);
    Fixtures.readyAuthConfig(client, CONFIG, NS, "operator", env.awsEndpoint());
    VaultAwsRole role = new VaultAwsRole();
    role.setMetadata(new ObjectMetaBuilder().withName(Aws.unique("restarted")).build());
    role.setSpec(new VaultAwsRoleSpec());
    role.getSpec().credentialType = CredentialType.IAM_USER;
    role.getSpec().authConfigRef = CONFIG;
    role.getSpec().bindings = new RoleBindings();
    role.getSpec().bindings.namespaces = List.of(NS, SPREAD_NS);
    role.getSpec().policyDocument = json(EC2_ALL);
    client.resource(role).create();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> client.resources(VaultAwsRole.class).withName(role.getMetadata().getName()).get(),
            r -> r.getStatus() != null && r.getStatus().isTrue("Ready"));

    String tier = Aws.unique("tier");
    web1 =
        Fixtures.idleDeployment(client, NS, Aws.unique("web"), Map.of("tier", tier), SA)
            .getMetadata()
            .getName();
    web2 =
        Fixtures.idleDeployment(client, NS, Aws.unique("web"), Map.of("tier", tier), SA)
            .getMetadata()
            .getName();
    notSelected =
        Fixtures.idleDeployment(client, NS, Aws.unique("db"), Map.of("tier", tier + "-db"), SA)
            .getMetadata()
            .getName();
    kept =
        Fixtures.idleDeployment(client, NS, Aws.unique("kept"), Map.of(), SA)
            .getMetadata()
            .getName();
    spreadTarget1 =
        Fixtures.idleDeployment(client, SPREAD_NS, Aws.unique("one"), Map.of(), SA)
            .getMetadata()
            .getName();
    spreadTarget2 =
        Fixtures.idleDeployment(client, SPREAD_NS, Aws.unique("two"), Map.of(), SA)
            .getMetadata()
            .getName();

    spreadOne = request(SPREAD_NS, "spread-one", role, byName(spreadTarget1));
    spreadTwo = request(SPREAD_NS, "spread-two", role, byName(spreadTarget2));
    RolloutTarget labels = new RolloutTarget();
    labels.kind = RolloutTarget.Kind.DEPLOYMENT;
    labels.matchLabels = Map.of("tier", tier);
    bySelector = request(NS, "by-labels", role, labels);
    never = request(NS, "never", role, byName(kept));
    never.getSpec().restartPolicy = RestartPolicy.NEVER;
    // The spread pair alone first: their issuances (and so their rotations) share the IAM pacing
    // of the tests' operator (2 calls/s) with nothing else, and come within a second or two.
    create(spreadOne, spreadTwo);
    create(bySelector, never);
    for (String[] w :
        new String[][] {
          {NS, web1},
          {NS, web2},
          {NS, notSelected},
          {NS, kept},
          {SPREAD_NS, spreadTarget1},
          {SPREAD_NS, spreadTarget2}
        }) {
      annotationsAfterIssuance.put(w[1], templateAnnotations(w[0], w[1]));
    }
  }

  private static void create(AwsCredentialRequest... together) {
    for (AwsCredentialRequest r : together) {
      client.resource(r).create();
      requests.add(r);
    }
    for (AwsCredentialRequest r : together) {
      first.put(r.getMetadata().getName(), Fixtures.awaitCondition(client, r, "Ready", "True"));
    }
  }

  @AfterAll
  static void deleteTheRequests() {
    // (else their 40 s leases keep rotating through the classes after this one)
    for (AwsCredentialRequest r : requests) {
      client.resource(r).withTimeout(60, TimeUnit.SECONDS).delete();
    }
  }

  @Test
  @Order(2)
  void aSelectorTargetRestartsEveryMatchingWorkloadOnceOnRotationAndNothingOnIssuance() {
    assertThat(first.get(bySelector.getMetadata().getName()).getStatus().restartPending)
        .as("the first issuance owes no restart")
        .isNull();
    assertThat(annotationsAfterIssuance.get(web1)).doesNotContainKey(RolloutRestarts.RESTARTED_AT);
    assertThat(annotationsAfterIssuance.get(web2)).doesNotContainKey(RolloutRestarts.RESTARTED_AT);

    AwsCredentialRequest restarted = awaitRestartedAfterRotation(bySelector);
    String at1 = templateAnnotations(NS, web1).get(RolloutRestarts.RESTARTED_AT);
    String at2 = templateAnnotations(NS, web2).get(RolloutRestarts.RESTARTED_AT);
    assertThat(at1)
        .as("both workloads the labels select, with one time")
        .isNotNull()
        .isEqualTo(at2);
    assertThat(Instant.parse(at1)).isAfterOrEqualTo(Instant.parse(restarted.getStatus().issuedAt));
    assertThat(templateAnnotations(NS, notSelected))
        .as("a workload the labels do not select")
        .doesNotContainKey(RolloutRestarts.RESTARTED_AT);
    assertThat(eventReasons(NS, bySelector)).contains("RolloutRestarted").contains("Rotated");
  }

  @Test
  @Order(3)
  void restartPolicyNeverRestartsNothingOnRotation() {
    String firstLease = first.get(never.getMetadata().getName()).getStatus().leaseId;
    AwsCredentialRequest rotated =
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> get(never),
                r -> !firstLease.equals(r.getStatus().leaseId) && r.getStatus().isTrue("Ready"));
    assertThat(rotated.getStatus().restartPending).isNull();
    assertThat(rotated.getStatus().restartedFor).isNull();
    assertThat(templateAnnotations(NS, kept)).doesNotContainKey(RolloutRestarts.RESTARTED_AT);
    assertThat(eventReasons(NS, never)).contains("Rotated").doesNotContain("RolloutRestarted");
  }

  /** First: it compares the first rotations of the two (the others hold in any later one too). */
  @Test
  @Order(1)
  void twoRequestsRotatingInOneNamespaceAreRestartedAnIntervalApart() {
    Duration interval = config.rolloutRestart().interval();
    assertThat(interval).as("%test.aao.rollout-restart.interval").isPositive();
    AwsCredentialRequest one = awaitRestartedAfterRotation(spreadOne);
    AwsCredentialRequest two = awaitRestartedAfterRotation(spreadTwo);
    Duration rotatedApart =
        Duration.between(
                Instant.parse(one.getStatus().issuedAt), Instant.parse(two.getStatus().issuedAt))
            .abs();
    assertThat(rotatedApart)
        .as("the two rotations came within an interval of each other (else nothing was spread)")
        .isLessThan(interval.minusSeconds(1));

    Instant at1 =
        Instant.parse(
            templateAnnotations(SPREAD_NS, spreadTarget1).get(RolloutRestarts.RESTARTED_AT));
    Instant at2 =
        Instant.parse(
            templateAnnotations(SPREAD_NS, spreadTarget2).get(RolloutRestarts.RESTARTED_AT));
    assertThat(Duration.between(at1, at2).abs())
        .as("restartedAt of %s (%s) and %s (%s)", spreadTarget1, at1, spreadTarget2, at2)
        .isGreaterThanOrEqualTo(interval);
  }

  /** The request once a rotation replaced its first lease and its targets were restarted for it. */
  private static AwsCredentialRequest awaitRestartedAfterRotation(AwsCredentialRequest request) {
    String firstLease = first.get(request.getMetadata().getName()).getStatus().leaseId;
    AwsCredentialRequest restarted =
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> get(request),
                r ->
                    r.getStatus().leaseId != null
                        && !firstLease.equals(r.getStatus().leaseId)
                        && r.getStatus().leaseId.equals(r.getStatus().restartedFor));
    assertThat(restarted.getStatus().restartPending).isNull();
    return restarted;
  }

  private static RolloutTarget byName(String name) {
    RolloutTarget t = new RolloutTarget();
    t.kind = RolloutTarget.Kind.DEPLOYMENT;
    t.name = name;
    return t;
  }

  private static AwsCredentialRequest request(
      String namespace, String prefix, VaultAwsRole role, RolloutTarget target) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.setMetadata(
        new ObjectMetaBuilder().withName(Aws.unique(prefix)).withNamespace(namespace).build());
    r.setSpec(new AwsCredentialRequestSpec());
    r.getSpec().roleRef = role.getMetadata().getName();
    r.getSpec().ttl = "40s";
    r.getSpec().identity = new AwsCredentialRequestSpec.Identity();
    r.getSpec().identity.serviceAccountName = SA;
    r.getSpec().rolloutRestartTargets = List.of(target);
    return r;
  }

  private static AwsCredentialRequest get(AwsCredentialRequest request) {
    return client
        .resources(AwsCredentialRequest.class)
        .inNamespace(request.getMetadata().getNamespace())
        .withName(request.getMetadata().getName())
        .get();
  }

  private static Map<String, String> templateAnnotations(String namespace, String name) {
    Map<String, String> annotations =
        client
            .apps()
            .deployments()
            .inNamespace(namespace)
            .withName(name)
            .get()
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  private static List<String> eventReasons(String namespace, AwsCredentialRequest request) {
    return client.events().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> request.getMetadata().getName().equals(e.getRegarding().getName()))
        .map(Event::getReason)
        .toList();
  }

  private static ObjectNode json(String s) {
    try {
      return (ObjectNode) new ObjectMapper().readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
