package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

/**
 * A target role whose trust policy does not let the operator's principal say who holds the sessions
 * it opens, with the statement to add.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrustGap {
  @JsonPropertyDescription("The target role (an entry of a VaultAwsRole's roleArns).")
  public String roleArn;

  @JsonPropertyDescription(
      "What its trust policy does not allow the operator's principal: sts:SetSourceIdentity,"
          + " sts:TagSession or both.")
  public List<String> missingActions;

  @JsonPropertyDescription(
      "The statement (JSON) to add to the role's trust policy, beside the one that allows"
          + " sts:AssumeRole; until then its credentials carry no source identity or session"
          + " tags.")
  public String statementToAdd;

  public TrustGap() {}

  public TrustGap(String roleArn, List<String> missingActions, String statementToAdd) {
    this.roleArn = roleArn;
    this.missingActions = missingActions;
    this.statementToAdd = statementToAdd;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrustGap g
        && Objects.equals(roleArn, g.roleArn)
        && Objects.equals(missingActions, g.missingActions)
        && Objects.equals(statementToAdd, g.statementToAdd);
  }

  @Override
  public int hashCode() {
    return Objects.hash(roleArn, missingActions, statementToAdd);
  }
}
