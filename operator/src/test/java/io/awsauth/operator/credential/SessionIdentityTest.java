package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.runtime.OperatorConfig;
import io.awsauth.operator.runtime.TestConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an assumed_role session says about who holds it. */
class SessionIdentityTest {
  private final OperatorConfig.SessionIdentity keys = TestConfig.defaults().sessionIdentity();

  private static AwsCredentialRequest request(String namespace, String sa, String pod) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace(namespace)
            .withName("ledger")
            .withUid("0d4c2a9e-1111-2222-3333-444455556666")
            .build());
    r.setSpec(new AwsCredentialRequestSpec());
    if (sa != null || pod != null) {
      r.getSpec().identity = new AwsCredentialRequestSpec.Identity();
      r.getSpec().identity.serviceAccountName = sa;
      r.getSpec().identity.podName = pod;
    }
    return r;
  }

  @Test
  void namesTheWorkloadInOrderOfImportance() {
    SessionIdentity id =
        SessionIdentity.of(request("payments", "ledger-sa", "ledger-0"), "c1", keys);

    assertThat(id.sourceIdentity()).contains("ledger-sa@payments");
    assertThat(id.tags())
        .containsExactly(
            Map.entry("kubernetes-namespace", "payments"),
            Map.entry("kubernetes-service-account", "ledger-sa"),
            Map.entry("kubernetes-cluster", "c1"),
            Map.entry("awsauth-request", "ledger"),
            Map.entry("awsauth-request-uid", "0d4c2a9e-1111-2222-3333-444455556666"),
            Map.entry("kubernetes-pod", "ledger-0"));
  }

  @Test
  void noPodTagWithoutAPodAndTheDefaultServiceAccount() {
    SessionIdentity id = SessionIdentity.of(request("payments", null, null), "c1", keys);

    assertThat(id.sourceIdentity()).contains("default@payments");
    assertThat(id.tags()).doesNotContainKey("kubernetes-pod").hasSize(5);
  }

  @Test
  void aLongSourceIdentityIsCutToSixtyFourWithAHashThatKeepsNamesApart() {
    String ns = "n".repeat(40);
    String a = SessionIdentity.sourceIdentity("a".repeat(40), ns);
    String b = SessionIdentity.sourceIdentity("a".repeat(39) + "b", ns);

    assertThat(a).hasSize(64).matches("[\\w+=,.@-]+").startsWith("a".repeat(40) + "@");
    assertThat(b).hasSize(64);
    assertThat(a).isNotEqualTo(b);
    assertThat(SessionIdentity.sourceIdentity("sa", "ns")).isEqualTo("sa@ns");
  }

  @Test
  void theRoleCannotOverrideTheWorkloadsTagsAndKeepsItsOthers() {
    SessionIdentity id = SessionIdentity.of(request("payments", "sa", null), "c1", keys);
    Map<String, String> role = new LinkedHashMap<>();
    role.put("Kubernetes-Namespace", "someone-else");
    role.put("team", "ledger");

    Map<String, String> merged = id.mergedWith(role);

    assertThat(merged)
        .containsEntry("kubernetes-namespace", "payments")
        .containsEntry("team", "ledger");
    assertThat(merged).doesNotContainKey("Kubernetes-Namespace").hasSize(6);
  }

  @Test
  void atMostFiftyTagsTheWorkloadsLastGivingWayFirst() {
    SessionIdentity id = SessionIdentity.of(request("payments", "sa", "p"), "c1", keys);
    Map<String, String> role = new LinkedHashMap<>();
    for (int i = 0; i < 46; i++) {
      role.put("k" + i, "v");
    }

    assertThat(id.mergedWith(role)).hasSize(50).containsKeys("kubernetes-namespace", "k45");
    assertThat(id.crowdedOutBy(role)).containsExactly("awsauth-request-uid", "kubernetes-pod");
    assertThat(id.crowdedOutBy(Map.of())).isEmpty();
  }

  @Test
  void withoutLastTagDropsTheLeastImportantAndKeepsTheSourceIdentity() {
    SessionIdentity id = SessionIdentity.of(request("payments", "sa", "p"), "c1", keys);

    SessionIdentity fewer = id.withoutLastTag().withoutLastTag();

    assertThat(fewer.tags()).hasSize(4).doesNotContainKeys("kubernetes-pod", "awsauth-request-uid");
    assertThat(fewer.sourceIdentity()).isEqualTo(id.sourceIdentity());
    assertThat(SessionIdentity.none().isEmpty()).isTrue();
  }

  @Test
  void transitiveKeysAreThoseTheSessionHas() {
    Map<String, String> tags = Map.of("kubernetes-namespace", "p", "team", "x");

    assertThat(SessionIdentity.transitive(List.of("Team", "missing"), tags))
        .containsExactly("Team");
    assertThat(SessionIdentity.transitive(null, tags)).isEmpty();
  }

  @Test
  void tagValuesKeepOnlyWhatAwsAccepts() {
    SessionIdentity id = SessionIdentity.of(request("payments", "sa", null), "c#1!", keys);

    assertThat(id.tags()).containsEntry("kubernetes-cluster", "c-1-");
  }
}
