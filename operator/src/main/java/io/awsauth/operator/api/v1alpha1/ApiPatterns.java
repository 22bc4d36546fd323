package io.awsauth.operator.api.v1alpha1;

/**
 * Regular expressions (RE2 and Java compatible) used in the CRD schemas, so that what can be
 * checked before any AWS call is rejected at admission.
 */
public final class ApiPatterns {
  private ApiPatterns() {}

  /** AWS partitions: aws, aws-cn, aws-us-gov, and the isolated ones. */
  public static final String PARTITION = "aws(-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f|-eusc)?";

  public static final String ACCOUNT_ID = "^[0-9]{12}$";

  /**
   * A region of any partition (us-east-1, cn-north-1, us-gov-west-1, eusc-de-east-1); never a
   * pseudo-region such as aws-global, whose STS endpoint is the global one.
   */
  public static final String REGION = "^[a-z]{2,4}(-[a-z]+)+-[0-9]+$";

  /**
   * A Go-style duration made of hours, minutes and seconds: {@code 15m}, {@code 1h30m}. At most six
   * digits a part (under 120 years in all), so that every duration parses and fits CEL's durations.
   */
  public static final String DURATION =
      "^([0-9]{1,6}h([0-9]{1,6}m)?([0-9]{1,6}s)?|[0-9]{1,6}m([0-9]{1,6}s)?|[0-9]{1,6}s)$";

  /** What AWS accepts in IAM and STS tag keys and values (letters, digits, spaces, _.:/=+-@). */
  public static final String TAG_TEXT = "^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$";

  /** An HTTP header name (a token), at most 128 characters. */
  public static final String HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$";

  /** Printable ASCII: what an HTTP header value can carry and a signature can cover. */
  public static final String HEADER_VALUE = "^[ -~]*$";

  /** One or more PEM certificates, base64 between BEGIN and END lines. */
  public static final String PEM_CERTIFICATES =
      "^(\\s*-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s]+-----END CERTIFICATE-----)+\\s*$";

  public static final String ROLE_ARN =
      "^arn:" + PARTITION + ":iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$";
  public static final String POLICY_ARN =
      "^arn:" + PARTITION + ":iam::([0-9]{12}|aws):policy/[A-Za-z0-9+=,.@_/-]{1,512}$";

  /** An IAM user or role ARN to bind; a {@code *} is allowed only as the last character. */
  public static final String BOUND_PRINCIPAL_ARN =
      "^arn:" + PARTITION + ":iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]*\\*?$";

  public static final String BOUND_ROLE_ARN =
      "^arn:" + PARTITION + ":iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]*\\*?$";
  public static final String BOUND_INSTANCE_PROFILE_ARN =
      "^arn:" + PARTITION + ":iam::[0-9]{12}:instance-profile/[A-Za-z0-9+=,.@_/-]*\\*?$";

  /** Characters of an external ID; its length (2 to 1224) is a separate maxLength/minLength. */
  public static final String EXTERNAL_ID = "^[A-Za-z0-9+=,.@:/_-]+$";

  public static final String ROLE_SESSION_NAME = "^[A-Za-z0-9+=,.@_-]{2,64}$";
  public static final String IAM_GROUP_NAME = "^[A-Za-z0-9+=,.@_-]{1,128}$";
  public static final String IAM_PATH = "^/([A-Za-z0-9+=,.@_-]+/)*$";

  public static final String VPC_ID = "^vpc-[0-9a-f]{8,17}$";
  public static final String SUBNET_ID = "^subnet-[0-9a-f]{8,17}$";
  public static final String AMI_ID = "^ami-[0-9a-f]{8,17}$";
  public static final String INSTANCE_ID = "^i-[0-9a-f]{8,17}$";

  /**
   * An absolute directory of letters, digits and {@code ._-} (a credential_process command names a
   * file in it, and must mean the same split by shlex as run by {@code sh -c}: nothing to quote).
   */
  public static final String MOUNT_PATH = "^(/[A-Za-z0-9._-]+)+/?$";

  /** A Kubernetes object name (DNS subdomain). */
  public static final String K8S_NAME = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";

  /**
   * A label value: empty, or up to 63 letters, digits and {@code -_.} starting and ending alnum.
   */
  public static final String LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

  /** A label key: an optional DNS-subdomain prefix and {@code /}, then a name of up to 63. */
  public static final String LABEL_KEY =
      "^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";

  /** A namespace name, or a prefix ending in {@code *}, or {@code *}. */
  public static final String NAMESPACE_BINDING = "^([a-z0-9][-a-z0-9]{0,62}\\*?|\\*)$";

  /** {@code namespace/name}; either part may end in {@code *}. */
  public static final String SERVICE_ACCOUNT_BINDING =
      "^([a-z0-9][-a-z0-9]{0,62}\\*?|\\*)/([a-z0-9][-a-z0-9.]{0,252}\\*?|\\*)$";

  /**
   * A DNS host name with an optional port, as a Host header names an STS endpoint: {@code
   * sts.amazonaws.com}, {@code vpce-1.sts.us-east-1.vpce.amazonaws.com}, {@code 127.0.0.1:5000}.
   */
  public static final String HOST_AND_PORT =
      "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
          + "(:[0-9]{1,5})?$";

  public static final String URL = "^https?://[^\\s/?#]+(/[^\\s?#]*)?$";
}
