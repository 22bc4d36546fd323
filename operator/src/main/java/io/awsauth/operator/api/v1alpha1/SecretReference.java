package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A Secret in a given namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretReference {
  @Required
  @Pattern(ApiPatterns.K8S_NAME)
  @JsonPropertyDescription("Namespace of the Secret.")
  public String namespace;

  @Required
  @Pattern(ApiPatterns.K8S_NAME)
  @JsonPropertyDescription("Name of the Secret.")
  public String name;

  public SecretReference() {}

  public SecretReference(String namespace, String name) {
    this.namespace = namespace;
    this.name = name;
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
