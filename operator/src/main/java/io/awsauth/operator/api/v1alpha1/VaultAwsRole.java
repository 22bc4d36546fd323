package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * What credentials are issued and to whom: Vault's {@code aws/roles/<name>} (secrets engine) and
 * {@code auth/aws/role/<name>} (auth method) in one cluster-scoped object.
 */
@Group(Groups.GROUP)
@Version(Groups.VERSION)
@Kind("VaultAwsRole")
@Plural("vaultawsroles")
@Singular("vaultawsrole")
@ShortNames("var")
@AdditionalPrinterColumn(
    name = "Type",
    jsonPath = ".spec.credentialType",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Auth",
    jsonPath = ".spec.authType",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class VaultAwsRole extends CustomResource<VaultAwsRoleSpec, VaultAwsRoleStatus> {
  @Override
  // Required: an object without spec can only come from a status write racing its deletion
  // (server-side apply creates what it patches), and must not come back to life that way.
  @io.fabric8.generator.annotation.Required
  @JsonPropertyDescription(
      "What is issued (credentialType and policies) and to whom (authType and bindings): Vault's aws/roles/<name> and auth/aws/role/<name>.")
  public VaultAwsRoleSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("Observed by the operator. Conditions: Ready (the role can issue).")
  public VaultAwsRoleStatus getStatus() {
    return super.getStatus();
  }
}
