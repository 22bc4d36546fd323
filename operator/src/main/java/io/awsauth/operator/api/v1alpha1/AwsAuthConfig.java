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
 * The operator's own AWS identity, region and endpoints: Vault's {@code aws/config/root} and {@code
 * auth/aws/config/client}. Cluster-scoped; roles and bindings name it with {@code authConfigRef}
 * (default {@code default}).
 */
@Group(Groups.GROUP)
@Version(Groups.VERSION)
@Kind("AwsAuthConfig")
@Plural("awsauthconfigs")
@Singular("awsauthconfig")
@ShortNames("aac")
@AdditionalPrinterColumn(
    name = "Region",
    jsonPath = ".spec.region",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Account",
    jsonPath = ".status.accountId",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Caller",
    jsonPath = ".status.callerArn",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
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
public class AwsAuthConfig extends CustomResource<AwsAuthConfigSpec, AwsAuthConfigStatus> {
  @Override
  // Required: an object without spec can only come from a status write racing its deletion
  // (server-side apply creates what it patches), and must not come back to life that way.
  @io.fabric8.generator.annotation.Required
  @JsonPropertyDescription(
      "The operator's own AWS identity, region and endpoints (Vault's aws/config/root and auth/aws/config/client).")
  public AwsAuthConfigSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription(
      "Observed by the operator. Conditions: Ready (sts:GetCallerIdentity succeeded).")
  public AwsAuthConfigStatus getStatus() {
    return super.getStatus();
  }
}
