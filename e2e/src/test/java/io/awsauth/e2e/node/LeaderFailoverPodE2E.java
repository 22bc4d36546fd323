package io.awsauth.e2e.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.SuiteRoles;
import io.awsauth.operator.testenv.TestEnvironmentExtension;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.User;

/**
 * Two operator pods, one Lease, on the local node: two releases of the chart sharing {@code
 * leaderElection.leaseName} (one node with hostNetwork: each replica needs its own HTTP port, so
 * each its own release). The leader is deleted gracefully, then forcibly; each time the other pod
 * takes the Lease and reconciles, every request stays Ready with the key it had, and no iam_user
 * request gets a second IAM user or a second access key.
 */
@ExtendWith(TestEnvironmentExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeaderFailoverPodE2E {
  private final String suffix =
      UUID.randomUUID().toString().substring(0, 6).toLowerCase(Locale.ROOT);
  private final String namespace = "aao-failover-" + suffix;
  private final String appNamespace = "aao-failover-app-" + suffix;
  private final List<String> releases = List.of("fo-a-" + suffix, "fo-b-" + suffix);
  private final String leaseName = "failover-" + suffix;
  private final String configName = "failover-" + suffix;
  private final String roleName = "failover-" + suffix;
  private final String userPath = "/aao-failover-" + suffix + "/";

  private LocalNode node;
  private KubernetesClient client;

  /** request name → the access key ID it was first issued. */
  private final Map<String, String> issued = new LinkedHashMap<>();

  @BeforeAll
  void installTwoReleasesSharingOneLease() {
    node = LocalNode.get();
    client = node.client;
    Fixtures.namespace(client, namespace);
    Fixtures.namespace(client, appNamespace);
    node.authConfig(configName, namespace);
    for (String release : releases) {
      node.installOperator(namespace, release, Map.of("leaderElection.leaseName", leaseName));
    }
    for (String release : releases) {
      node.awaitReadyOperatorPods(namespace, release, 1);
    }
    VaultAwsRole role =
        LocalNode.role(
            roleName, CredentialType.IAM_USER, configName, appNamespace, SuiteRoles.EC2_ALL);
    role.getSpec().userPath = userPath;
    client.resource(role).create();
    for (int i = 0; i < 3; i++) {
      String name = "before-" + i;
      client.resource(request(name)).create();
    }
    for (int i = 0; i < 3; i++) {
      AwsCredentialRequest ready =
          Fixtures.awaitCondition(client, request("before-" + i), "Ready", "True");
      issued.put(ready.getMetadata().getName(), ready.getStatus().accessKeyId);
    }
  }

  @AfterAll
  void uninstall() {
    if (client != null) {
      node.tearDown(namespace, releases, appNamespace, List.of(roleName), configName);
    }
  }

  @Test
  @Order(1)
  void theLeaderDeletedGracefullyIsReplacedAndNothingIsIssuedTwice() {
    String leader = awaitHolder(null);
    client.pods().inNamespace(namespace).withName(leader).delete();
    String next = awaitHolder(leader);
    System.out.printf("[failover] graceful: %s -> %s%n", leader, next);
    assertNewLeaderReconcilesAndNothingIsIssuedTwice("after-graceful");
  }

  @Test
  @Order(2)
  void theLeaderForceDeletedIsReplacedAndNothingIsIssuedTwice() {
    // Both releases have a Ready pod again (the deleted one's Deployment replaced it).
    for (String release : releases) {
      node.awaitReadyOperatorPods(namespace, release, 1);
    }
    String leader = awaitHolder(null);
    client.pods().inNamespace(namespace).withName(leader).withGracePeriod(0).delete();
    String next = awaitHolder(leader);
    System.out.printf("[failover] forced: %s -> %s%n", leader, next);
    assertNewLeaderReconcilesAndNothingIsIssuedTwice("after-forced");
  }

  private void assertNewLeaderReconcilesAndNothingIsIssuedTwice(String newRequest) {
    client.resource(request(newRequest)).create();
    AwsCredentialRequest fresh =
        Fixtures.awaitCondition(client, request(newRequest), "Ready", "True");
    issued.put(newRequest, fresh.getStatus().accessKeyId);

    try (IamClient iam = Aws.iam(node.env, node.env.accountA())) {
      for (Map.Entry<String, String> e : issued.entrySet()) {
        AwsCredentialRequest now =
            client
                .resources(AwsCredentialRequest.class)
                .inNamespace(appNamespace)
                .withName(e.getKey())
                .get();
        assertThat(now.getStatus().isTrue("Ready")).as(e.getKey() + " Ready").isTrue();
        assertThat(now.getStatus().accessKeyId)
            .as(e.getKey() + " keeps the key it was issued")
            .isEqualTo(e.getValue());
        assertThat(
                iam.listAccessKeys(r -> r.userName(now.getStatus().iamUserName))
                    .accessKeyMetadata())
            .as("access keys of " + e.getKey() + "'s IAM user")
            .hasSize(1);
      }
      List<User> users = new ArrayList<>();
      iam.listUsersPaginator(r -> r.pathPrefix(userPath)).users().forEach(users::add);
      assertThat(users).as("one IAM user per request").hasSize(issued.size());
    }
  }

  /** The Lease's holder once it is a live, Ready operator pod other than {@code notThisOne}. */
  private String awaitHolder(String notThisOne) {
    return await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Lease lease = client.leases().inNamespace(namespace).withName(leaseName).get();
              String holder = lease == null ? null : lease.getSpec().getHolderIdentity();
              if (holder == null || holder.equals(notThisOne)) {
                return null;
              }
              boolean live =
                  releases.stream()
                      .flatMap(r -> node.operatorPods(namespace, r).stream())
                      .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                      .filter(LocalNode::ready)
                      .map(Pod::getMetadata)
                      .anyMatch(m -> m.getName().equals(holder));
              return live ? holder : null;
            },
            h -> h != null);
  }

  private AwsCredentialRequest request(String name) {
    return LocalNode.request(appNamespace, name, roleName);
  }
}
