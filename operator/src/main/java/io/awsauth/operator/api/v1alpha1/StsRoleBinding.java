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
 * Cross-account trust: one remote account and the role the operator assumes there (Vault's {@code
 * auth/aws/config/sts/<account>}). Cluster-scoped.
 */
@Group(Groups.GROUP)
@Version(Groups.VERSION)
@Kind("StsRoleBinding")
@Plural("stsrolebindings")
@Singular("stsrolebinding")
@ShortNames("srb")
@AdditionalPrinterColumn(
    name = "Account",
    jsonPath = ".spec.accountId",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Role",
    jsonPath = ".spec.roleArn",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Trust",
    jsonPath = ".status.conditions[?(@.type==\"TrustReady\")].status",
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
public class StsRoleBinding extends CustomResource<StsRoleBindingSpec, StsRoleBindingStatus> {
  @Override
  // Required: an object without spec can only come from a status write racing its deletion
  // (server-side apply creates what it patches), and must not come back to life that way.
  @io.fabric8.generator.annotation.Required
  @JsonPropertyDescription(
      "Cross-account trust: one remote account and the role the operator assumes there (Vault's auth/aws/config/sts/<account>).")
  public StsRoleBindingSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription(
      "Observed by the operator. Conditions: TrustReady (AssumeRole into the account succeeded and landed in accountId), Ready. When trust is missing, requiredTrustPolicy and requiredCallerPolicy hold the documents to apply.")
  public StsRoleBindingStatus getStatus() {
    return super.getStatus();
  }
}
