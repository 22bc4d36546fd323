package io.awsauth.operator.trust;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TrustPoliciesTest {
  private static final String OPERATOR = "arn:aws:iam::111111111111:user/vault-primary";
  private static final String FOREIGN =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
          + "\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";

  private final ObjectNode statement =
      TrustPolicies.trustStatement("AwsAuthOperatorAbc", OPERATOR, Optional.of("ext-1"));

  @Test
  void statementAdmitsThePrincipalWithTheExternalId() throws Exception {
    JsonNode s = TrustPolicies.JSON.readTree(TrustPolicies.document(statement)).at("/Statement/0");
    assertThat(s.at("/Principal/AWS").asText()).isEqualTo(OPERATOR);
    assertThat(s.at("/Action"))
        .extracting(JsonNode::asText)
        .containsExactly("sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession");
    assertThat(s.at("/Condition/StringEquals/sts:ExternalId").asText()).isEqualTo("ext-1");
  }

  @Test
  void noExternalIdMeansNoCondition() {
    ObjectNode s = TrustPolicies.trustStatement("Sid1", OPERATOR, Optional.empty());
    assertThat(s.has("Condition")).isFalse();
  }

  @Test
  void mergeKeepsForeignStatementsAndAddsOurs() throws Exception {
    String merged = TrustPolicies.merge(Optional.of(FOREIGN), statement);
    JsonNode statements = TrustPolicies.JSON.readTree(merged).get("Statement");
    assertThat(statements).hasSize(2);
    assertThat(statements.get(0).at("/Principal/Service").asText()).isEqualTo("ec2.amazonaws.com");
    assertThat(TrustPolicies.contains(merged, statement)).isTrue();
  }

  @Test
  void mergeIsIdempotent() {
    String once = TrustPolicies.merge(Optional.of(FOREIGN), statement);
    String twice = TrustPolicies.merge(Optional.of(once), statement);
    assertThat(twice).isEqualTo(once);
  }

  @Test
  void mergeReplacesOurOwnStatementWhenItChanged() throws Exception {
    String old = TrustPolicies.merge(Optional.of(FOREIGN), statement);
    ObjectNode changed =
        TrustPolicies.trustStatement("AwsAuthOperatorAbc", OPERATOR, Optional.of("ext-2"));
    String merged = TrustPolicies.merge(Optional.of(old), changed);
    JsonNode statements = TrustPolicies.JSON.readTree(merged).get("Statement");
    assertThat(statements).hasSize(2);
    assertThat(TrustPolicies.contains(merged, changed)).isTrue();
    assertThat(TrustPolicies.contains(merged, statement)).isFalse();
  }

  @Test
  void mergeAcceptsASingleStatementObject() throws Exception {
    String single =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":"
            + "{\"AWS\":\"arn:aws:iam::333333333333:root\"},\"Action\":\"sts:AssumeRole\"}}";
    JsonNode statements =
        TrustPolicies.JSON
            .readTree(TrustPolicies.merge(Optional.of(single), statement))
            .get("Statement");
    assertThat(statements).hasSize(2);
  }

  @Test
  void mergeIntoNothingIsADocumentWithOurStatement() {
    assertThat(TrustPolicies.merge(Optional.empty(), statement))
        .isEqualTo(TrustPolicies.document(statement));
  }

  @Test
  void removeTakesOnlyOurStatement() {
    String merged = TrustPolicies.merge(Optional.of(FOREIGN), statement);
    String removed = TrustPolicies.remove(merged, "AwsAuthOperatorAbc");
    assertThat(TrustPolicies.contains(removed, statement)).isFalse();
    assertThat(removed).contains("ec2.amazonaws.com");
    assertThat(TrustPolicies.isEmpty(removed)).isFalse();
    assertThat(
            TrustPolicies.isEmpty(
                TrustPolicies.remove(TrustPolicies.document(statement), "AwsAuthOperatorAbc")))
        .isTrue();
  }

  @Test
  void sidIsAlphanumericAndStable() {
    String sid = TrustPolicies.sid("6e545703-3d4a-4cbf-b8b8-c0f9b36b2f08");
    assertThat(sid).isEqualTo("AwsAuthOperator6e5457033d4a").matches("[A-Za-z0-9]+");
  }
}
