package io.awsauth.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class AwsAuthConfigSpec {
  @Default("us-east-1")
  @Pattern(ApiPatterns.REGION)
  @JsonPropertyDescription(
      "AWS region of the STS, IAM and EC2 clients built from this config (Vault's region). Its"
          + " partition (aws; aws-cn for cn-*; aws-us-gov for us-gov-*) must be the caller's: the"
          + " ARNs and policies the operator writes name it.")
  public String region = "us-east-1";

  @JsonPropertyDescription(
      "Where the clients built from this config call AWS: endpoint URL overrides (private"
          + " endpoints, a local AWS emulator), the STS region, FIPS and dual-stack endpoints.")
  public Endpoints endpoints;

  @Required
  @JsonPropertyDescription("Where the operator's own AWS credentials come from.")
  public Credentials credentials;

  @Min(0)
  @Max(20)
  @JsonPropertyDescription(
      "How many times the AWS SDK retries a throttled or failed call before the operator sees the"
          + " error. Unset: the SDK's default (3).")
  public Integer maxRetries;

  @Default("aao-{{role}}-{{uid}}")
  @Size(min = 7, max = 64)
  @Pattern("^[A-Za-z0-9+=,.@_{}-]+$")
  @ValidationRule(
      value = "self.contains('{{uid}}')",
      message = "usernameTemplate must contain {{uid}} so that every issued IAM user is unique")
  @ValidationRule(
      value =
          "self.replace('{{uid}}', '').replace('{{namespace}}', '').replace('{{name}}', '')"
              + ".replace('{{role}}', '').size() + 36 <= 64",
      message =
          "usernameTemplate: its fixed text plus the 36-character {{uid}} must fit IAM's 64"
              + " characters")
  @JsonPropertyDescription(
      "Names of the IAM users issued for iam_user roles. Placeholders: {{uid}} (the request's"
          + " UID, required), {{namespace}}, {{name}} (the request's) and {{role}}; they are"
          + " shortened so that the name fits IAM's 64 characters.")
  public String usernameTemplate = "aao-{{role}}-{{uid}}";

  @Size(max = 256)
  @Pattern(ApiPatterns.HEADER_VALUE)
  @JsonPropertyDescription(
      "When set, a signed sts:GetCallerIdentity proof (authType iam) must carry this value in a"
          + " signed X-Vault-AWS-IAM-Server-ID header (Vault's iam_server_id_header_value).")
  public String iamServerIdHeaderValue;

  @Size(min = 1, max = 32)
  @JsonPropertyDescription(
      "authType iam: the hosts a signed sts:GetCallerIdentity proof may be signed for, each"
          + " host or host:port (e.g. sts.amazonaws.com, sts.eu-west-1.amazonaws.com). A proof"
          + " signed for one of them keeps its signed Host and is sent to endpoints.sts (a"
          + " regional or VPC endpoint), as Vault's server does; the operator never sends a"
          + " proof anywhere else. A host other than endpoints.sts' own must be signed for"
          + " https. Unset: the partition's global STS host (sts.amazonaws.com in partition"
          + " aws), the STS host of spec.region, and the host of endpoints.sts. When set, it"
          + " replaces that default.")
  public List<@Pattern(ApiPatterns.HOST_AND_PORT) String> stsAllowedHosts;

  @JsonPropertyDescription(
      "authType iam, Vault's use_sts_region_from_client: a proof signed for the STS host of"
          + " the region in its signature (sts.<region>.amazonaws.com, a region of this"
          + " config's partition) is accepted, and, when endpoints.sts is unset, sent to that"
          + " region's STS endpoint instead of the default one. With endpoints.sts set, proofs"
          + " still go there only. Default false.")
  public Boolean useStsRegionFromClient;

  @Size(max = 32)
  @JsonPropertyDescription(
      "authType iam, Vault's allowed_sts_header_values: X-Amz-* headers a proof may carry"
          + " besides those of SigV4 itself (X-Amz-Date, X-Amz-Security-Token,"
          + " X-Amz-Content-Sha256, ...); a proof with any other X-Amz-* header is refused"
          + " (ProofForbiddenHeader). Unset: none.")
  public List<@Pattern(ApiPatterns.HEADER_NAME) String> allowedStsHeaders;

  @Size(max = 65536)
  @Pattern(ApiPatterns.PEM_CERTIFICATES)
  @JsonPropertyDescription(
      "authType ec2 with an instance identity document: the AWS public certificates (PEM, one or"
          + " more BEGIN CERTIFICATE blocks) whose keys sign PKCS#7 instance identity documents,"
          + " Vault's auth/aws/config/certificate with type pkcs7 (the RSA-2048 certificates of"
          + " the regions to accept). Only these are trusted; when unset, identity documents are"
          + " refused.")
  public String identityDocumentCertificates;

  @JsonPropertyDescription(
      "Rotation of the operator's own access key (credentials.source Secret, an IAM user), Vault's"
          + " config/rotate-root: periodically with rootRotation.period, and on request by setting"
          + " the annotation awsauth.io/rotate-root-key to a new value (e.g. a timestamp). The new"
          + " key is created, written to the Secret and verified before the old one is deleted.")
  public RootRotation rootRotation;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Endpoints {
    @Pattern(ApiPatterns.URL)
    @JsonPropertyDescription(
        "IAM endpoint URL, e.g. https://iam.amazonaws.com (aws-cn:"
            + " https://iam.cn-north-1.amazonaws.com.cn). Unset: the SDK's endpoint for the region.")
    public String iam;

    @Pattern(ApiPatterns.URL)
    @JsonPropertyDescription(
        "STS endpoint URL, e.g. a VPC endpoint or https://sts.us-east-1.amazonaws.com. Unset: the"
            + " regional endpoint of stsRegion (sts.<region>.amazonaws.com,"
            + " sts.<region>.amazonaws.com.cn in aws-cn), never the global sts.amazonaws.com.")
    public String sts;

    @Pattern(ApiPatterns.URL)
    @JsonPropertyDescription(
        "EC2 endpoint URL, e.g. https://ec2.us-east-1.amazonaws.com. Unset: the SDK's endpoint for"
            + " the instance's region.")
    public String ec2;

    @Pattern(ApiPatterns.REGION)
    @JsonPropertyDescription(
        "Region of every STS call the operator makes (its regional endpoint and signing region),"
            + " e.g. us-west-2 for sts.us-west-2.amazonaws.com; Vault's sts_region. Unset:"
            + " spec.region. Must be in spec.region's partition.")
    public String stsRegion;

    @Default("false")
    @JsonPropertyDescription(
        "Use AWS's FIPS endpoints (sts-fips.<region>.amazonaws.com, iam-fips.amazonaws.com,"
            + " ec2-fips.<region>.amazonaws.com) for the clients of this config: the AWS SDK's"
            + " use_fips_endpoint. A client whose endpoint URL is set (iam, sts, ec2) uses that URL"
            + " as it is.")
    public Boolean useFipsEndpoint;

    @Default("false")
    @JsonPropertyDescription(
        "Use AWS's dual-stack (IPv4 and IPv6) endpoints (sts.<region>.api.aws,"
            + " iam.global.api.aws, ec2.<region>.api.aws; api.amazonwebservices.com.cn in aws-cn)"
            + " for the clients of this config: the AWS SDK's use_dualstack_endpoint. A client"
            + " whose endpoint URL is set uses that URL as it is.")
    public Boolean useDualstackEndpoint;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "self.source != 'Secret' || has(self.secretRef)",
      message = "credentials.secretRef is required when credentials.source is Secret")
  @ValidationRule(
      value = "self.source != 'Default' || !has(self.secretRef)",
      message = "credentials.secretRef must not be set when credentials.source is Default")
  @ValidationRule(
      value = "self.source != 'WebIdentity' || has(self.roleArn)",
      message = "credentials.roleArn is required when credentials.source is WebIdentity")
  @ValidationRule(
      value = "self.source != 'WebIdentity' || !has(self.secretRef)",
      message = "credentials.secretRef must not be set when credentials.source is WebIdentity")
  @ValidationRule(
      value =
          "self.source == 'WebIdentity' || (!has(self.roleArn) && !has(self.audience)"
              + " && !has(self.tokenFile))",
      message =
          "credentials.roleArn, audience and tokenFile are only for credentials.source"
              + " WebIdentity")
  public static class Credentials {
    /** Where the chart mounts the projected ServiceAccount token of source WebIdentity. */
    public static final String DEFAULT_TOKEN_FILE =
        "/var/run/secrets/awsauth.io/serviceaccount/token";

    @Required
    @JsonPropertyDescription(
        "Secret: keys from the Secret named by secretRef (access_key, secret_key, optional"
            + " session_token). WebIdentity: sts:AssumeRoleWithWebIdentity of roleArn with the"
            + " ServiceAccount token in tokenFile, re-read at every refresh. Default: the SDK's"
            + " default chain (environment, profile, container or instance role); when"
            + " AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are set (IRSA), that role and token"
            + " as with WebIdentity, never the instance role.")
    public Source source;

    @JsonPropertyDescription(
        "The Secret holding access_key, secret_key and optionally session_token.")
    public SecretReference secretRef;

    @Pattern(ApiPatterns.ROLE_ARN)
    @JsonPropertyDescription(
        "source WebIdentity: the role assumed with the token (its trust policy names the"
            + " cluster's OIDC provider as Principal Federated and allows"
            + " sts:AssumeRoleWithWebIdentity), e.g. arn:aws:iam::111111111111:role/aws-auth-operator.")
    public String roleArn;

    @Size(min = 1, max = 255)
    @JsonPropertyDescription(
        "source WebIdentity: the audience the token must be for (its aud claim; a client ID of"
            + " the OIDC provider in IAM, e.g. sts.amazonaws.com). When set, a token for another"
            + " audience is refused before STS is called (WebIdentityTokenRefused). The chart"
            + " requests its projected token for this audience.")
    public String audience;

    @Size(min = 1, max = 4096)
    @Pattern("^/.*$")
    @JsonPropertyDescription(
        "source WebIdentity: the absolute path of the token file (a projected ServiceAccount"
            + " token, which the kubelet rotates; re-read at every refresh). Unset: "
            + DEFAULT_TOKEN_FILE
            + ", where the chart mounts it.")
    public String tokenFile;

    public enum Source {
      @JsonProperty("Secret")
      SECRET,
      @JsonProperty("Default")
      DEFAULT,
      @JsonProperty("WebIdentity")
      WEB_IDENTITY
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "!has(self.period) || duration(self.period) >= duration('1h')",
      message = "rootRotation.period must be 1h or more",
      fieldPath = ".period")
  public static class RootRotation {
    @Pattern(ApiPatterns.DURATION)
    @JsonPropertyDescription(
        "Rotate the access key this often (e.g. 720h; at least 1h). Unset: only on request.")
    public String period;
  }
}
