package io.awsauth.operator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.operator.aws.IamAction.Scope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The least-privilege documents in config/iam/ name exactly the actions the code calls. */
class IamPolicyDocumentsTest {
  private final Path iam = Path.of(System.getProperty("aao.repo.root", "..")).resolve("config/iam");

  @Test
  void operatorPolicyCoversExactlyTheOperatorsActions() throws IOException {
    assertThat(actions(iam.resolve("operator-policy.json")))
        .isEqualTo(IamAction.actionsFor(Scope.OPERATOR, Scope.BOTH, Scope.ALL));
  }

  @Test
  void roleToAssumePolicyCoversExactlyTheRemoteActions() throws IOException {
    assertThat(actions(iam.resolve("role-to-assume-policy.json")))
        .isEqualTo(
            IamAction.actionsFor(Scope.BOTH, Scope.ALL).stream()
                .filter(
                    a ->
                        !a.startsWith("iam:")
                            || a.startsWith("iam:Get")
                            || a.endsWith("RolePolicy"))
                .collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
  }

  @Test
  void trustAdminPolicyCoversExactlyTheTrustManagementActions() throws IOException {
    Set<String> expected = new TreeSet<>(IamAction.actionsFor(Scope.ADMIN, Scope.ALL));
    expected.add(IamAction.IAM_GET_ROLE.action());
    assertThat(actions(iam.resolve("trust-admin-policy.json"))).isEqualTo(expected);
  }

  @Test
  void theRolePolicyTheOperatorAttachesIsTheDocumentedOne() throws IOException {
    try (var in = getClass().getResourceAsStream("/iam/role-to-assume-policy.json")) {
      // the resource names the partition of the role it is attached to; config/iam shows aws's
      assertThat(new String(in.readAllBytes()).replace("${partition}", "aws"))
          .isEqualTo(Files.readString(iam.resolve("role-to-assume-policy.json")));
    }
  }

  private static Set<String> actions(Path doc) throws IOException {
    Set<String> actions = new TreeSet<>();
    for (JsonNode s : new ObjectMapper().readTree(doc.toFile()).get("Statement")) {
      JsonNode a = s.get("Action");
      if (a.isArray()) {
        a.forEach(x -> actions.add(x.asText()));
      } else {
        actions.add(a.asText());
      }
    }
    return actions;
  }
}
