package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A workload's request for one leased AWS credential, written to one Secret in its namespace
 * (Vault's {@code vault read aws/creds/<role>} and {@code vault write aws/sts/<role> ttl=...}).
 */
@Group(Groups.GROUP)
@Version(Groups.VERSION)
@Kind("AwsCredentialRequest")
@Plural("awscredentialrequests")
@Singular("awscredentialrequest")
@ShortNames("acr")
@AdditionalPrinterColumn(
    name = "Role",
    jsonPath = ".spec.roleRef",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Type",
    jsonPath = ".status.credentialType",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Secret",
    jsonPath = ".status.secretName",
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
    name = "Revocation",
    jsonPath = ".status.revocation.state",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Revoked",
    jsonPath = ".status.revocation.revokedAt",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
// A string, not a date: kubectl prints a future date column as "<invalid>".
@AdditionalPrinterColumn(
    name = "Expires",
    jsonPath = ".status.expiresAt",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class AwsCredentialRequest
    extends CustomResource<AwsCredentialRequestSpec, AwsCredentialRequestStatus>
    implements Namespaced {
  @Override
  // Required: an object without spec can only come from a status write racing its deletion
  // (server-side apply creates what it patches), and must not come back to life that way.
  @io.fabric8.generator.annotation.Required
  @JsonPropertyDescription(
      "One leased AWS credential for a workload of this namespace, written to a Secret, rotated before expiry, revoked when the lease ends or the request is deleted.")
  public AwsCredentialRequestSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription(
      "Observed by the operator; never holds secret material. Conditions: IdentityVerified, Issued, Ready.")
  public AwsCredentialRequestStatus getStatus() {
    return super.getStatus();
  }
}
