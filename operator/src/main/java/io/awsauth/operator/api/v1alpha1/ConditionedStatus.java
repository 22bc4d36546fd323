package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What every status of this API carries: the generation it describes and its conditions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class ConditionedStatus {
  @JsonPropertyDescription(
      "The metadata.generation of the spec this status describes. When it is lower than"
          + " metadata.generation, the operator has not yet acted on the latest change.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Standard Kubernetes conditions. Every kind has Ready; see the kind's description for the"
          + " others. reason is a CamelCase word that a script can match; message is for people.")
  public List<Condition> conditions = new ArrayList<>();

  public Optional<Condition> condition(String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public boolean isTrue(String type) {
    return condition(type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
