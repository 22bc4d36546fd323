package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.ttl) || !has(self.renewBefore) || duration(self.renewBefore) < duration(self.ttl)",
    message = "renewBefore must be shorter than ttl",
    fieldPath = ".renewBefore")
@ValidationRule(
    value =
        "has(self.secretName) == has(oldSelf.secretName)"
            + " && (!has(self.secretName) || self.secretName == oldSelf.secretName)",
    message = "secretName cannot be added, changed or removed after creation",
    fieldPath = ".secretName")
public class AwsCredentialRequestSpec {
  @Required
  @Size(max = 253)
  @Pattern(ApiPatterns.K8S_NAME)
  @JsonPropertyDescription("Name of the VaultAwsRole to issue from.")
  public String roleRef;

  @Pattern(ApiPatterns.DURATION)
  @JsonPropertyDescription(
      "Lease length, e.g. 60m. Default: the role's defaultTtl; shortened to the role's maxTtl"
          + " (status.ttl shows what was granted).")
  public String ttl;

  @Pattern(ApiPatterns.ROLE_ARN)
  @JsonPropertyDescription(
      "For assumed_role roles with several roleArns: which one to assume. Must be one of the"
          + " role's roleArns.")
  public String roleArn;

  @Pattern(ApiPatterns.ROLE_SESSION_NAME)
  @JsonPropertyDescription(
      "Session name for sts:AssumeRole (2-64 characters of A-Za-z0-9+=,.@_-). Default: derived"
          + " from the request's namespace and name.")
  public String roleSessionName;

  @JsonPropertyDescription("The identity the operator verifies before issuing.")
  public Identity identity;

  @Size(max = 253)
  @Pattern(ApiPatterns.K8S_NAME)
  @JsonPropertyDescription(
      "Name of the Secret the credential is written to, in the request's namespace. Default: the"
          + " request's name. Fixed at creation: it cannot be added, changed or removed later."
          + " The operator never writes into a Secret it does not own.")
  public String secretName;

  @Pattern(ApiPatterns.DURATION)
  @JsonPropertyDescription(
      "How long before expiry a fresh credential is issued. Default: one third of the lease."
          + " Shorter than the kubelet's sync plus the SDKs' refresh window plus a margin"
          + " (17m30s), a workload reading the mounted Secret through credential_process may ask"
          + " for the next credential before it is in its file: condition RotationInTime says so.")
  public String renewBefore;

  @Size(max = 200)
  @Pattern(ApiPatterns.MOUNT_PATH)
  @JsonPropertyDescription(
      "The directory the workload mounts the Secret at (as a volume, never with subPath, which"
          + " the kubelet does not update). The Secret's key config (an AWS shared config file for"
          + " AWS_CONFIG_FILE) runs credential_process = cat <mountPath>/credential-process.json."
          + " An absolute path of A-Za-z0-9._/- characters. Default: /var/run/secrets/awsauth.io.")
  public String mountPath;

  @Size(max = 20)
  @JsonPropertyDescription(
      "Workloads in this namespace restarted (pod template annotation awsauth.io/restartedAt, as"
          + " kubectl rollout restart) once after each rotation, never after the first issuance"
          + " nor when the operator restarts; see restartPolicy. Restarts of one namespace are"
          + " spread out: at most one per aao.rollout-restart.interval (default 10s), the waiting"
          + " one recorded in status.restartPending.")
  public List<RolloutTarget> rolloutRestartTargets;

  @Default("OnRotation")
  @JsonPropertyDescription(
      "OnRotation (default): rolloutRestartTargets are restarted once after each rotation."
          + " Never: nothing is restarted (the targets are kept, no workload is patched), for"
          + " workloads that read the mounted Secret and pick up a new credential by themselves.")
  public RestartPolicy restartPolicy;

  /** Whether a rotation restarts the request's rolloutRestartTargets. */
  public enum RestartPolicy {
    @JsonProperty("OnRotation")
    ON_ROTATION,
    @JsonProperty("Never")
    NEVER
  }

  /** The policy, OnRotation when unset (as the CRD's default). */
  public RestartPolicy restartPolicyOrDefault() {
    return restartPolicy == null ? RestartPolicy.ON_ROTATION : restartPolicy;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Identity {
    @Size(max = 253)
    @Pattern(ApiPatterns.K8S_NAME)
    @JsonPropertyDescription(
        "The service account the workload runs as; it must exist and match the role's bindings."
            + " Default: default.")
    public String serviceAccountName;

    @Size(max = 253)
    @Pattern(ApiPatterns.K8S_NAME)
    @JsonPropertyDescription(
        "Bind the lease to one pod: it must run as serviceAccountName, and the credential is"
            + " revoked when the pod goes away. For authType ec2, the pod's node is verified.")
    public String podName;

    @JsonPropertyDescription(
        "authType iam: a Secret in this namespace holding a signed sts:GetCallerIdentity request"
            + " (iam_http_request_method, iam_request_url, iam_request_body,"
            + " iam_request_headers; what vault login -method=aws sends).")
    public LocalSecretReference iamProofSecretRef;

    @JsonPropertyDescription(
        "authType ec2, instead of podName: a Secret in this namespace whose key pkcs7 holds the"
            + " instance's PKCS#7-signed identity document (instance metadata"
            + " /latest/dynamic/instance-identity/rsa2048; Vault's pkcs7 login). It is verified"
            + " against the AwsAuthConfig's identityDocumentCertificates, and the instance it"
            + " names is described and matched against the role's EC2 bindings.")
    public LocalSecretReference identityDocumentSecretRef;

    public String serviceAccountNameOrDefault() {
      return serviceAccountName == null ? "default" : serviceAccountName;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class LocalSecretReference {
    @Required
    @Pattern(ApiPatterns.K8S_NAME)
    @JsonPropertyDescription("Name of a Secret in the request's namespace.")
    public String name;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "has(self.name) != has(self.matchLabels)",
      message = "a rollout restart target names exactly one of name and matchLabels")
  public static class RolloutTarget {
    static final String LABEL_KEYS = "self.all(k, k.matches('" + ApiPatterns.LABEL_KEY + "'))";

    @Required
    @JsonPropertyDescription("Deployment, StatefulSet or DaemonSet.")
    public Kind kind;

    @Size(max = 253)
    @Pattern(ApiPatterns.K8S_NAME)
    @JsonPropertyDescription(
        "Name of the workload, in the request's namespace. Exactly one of name and matchLabels.")
    public String name;

    @Size(min = 1, max = 10)
    @ValidationRule(
        value = LABEL_KEYS,
        message = "matchLabels keys are label keys: [prefix/]name, the name 1 to 63 characters")
    @JsonPropertyDescription(
        "Instead of name: every workload of this kind in the request's namespace whose labels"
            + " include all of these (as a label selector's matchLabels). Exactly one of name and"
            + " matchLabels.")
    public Map<String, @Size(max = 63) @Pattern(ApiPatterns.LABEL_VALUE) String> matchLabels;

    public enum Kind {
      @JsonProperty("Deployment")
      DEPLOYMENT,
      @JsonProperty("StatefulSet")
      STATEFUL_SET,
      @JsonProperty("DaemonSet")
      DAEMON_SET
    }
  }
}
