package io.awsauth.operator.aws;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An AWS partition (aws, aws-cn, aws-us-gov, the isolated ones): the first part of every ARN and
 * the DNS domain of its endpoints. Known from a region (the rule of the AWS SDKs' partition
 * metadata: a region's name says its partition) or from an ARN. What the operator builds (ARNs,
 * policies, STS host names) names the partition of the config's caller, never a literal {@code
 * aws}.
 */
public record Partition(String id, String dnsSuffix) {
  public static final Partition AWS = new Partition("aws", "amazonaws.com");
  public static final Partition AWS_CN = new Partition("aws-cn", "amazonaws.com.cn");
  public static final Partition AWS_US_GOV = new Partition("aws-us-gov", "amazonaws.com");

  /** The partitions by the region names they hold, most specific first, as the SDKs list them. */
  private static final List<Rule> RULES =
      List.of(
          new Rule("^cn-\\w+-\\d+$", AWS_CN),
          new Rule("^us-gov-\\w+-\\d+$", AWS_US_GOV),
          new Rule("^us-iso-\\w+-\\d+$", new Partition("aws-iso", "c2s.ic.gov")),
          new Rule("^us-isob-\\w+-\\d+$", new Partition("aws-iso-b", "sc2s.sgov.gov")),
          new Rule("^eu-isoe-\\w+-\\d+$", new Partition("aws-iso-e", "cloud.adc-e.uk")),
          new Rule("^us-isof-\\w+-\\d+$", new Partition("aws-iso-f", "csp.hci.ic.gov")),
          new Rule("^eusc-(de)-\\w+-\\d+$", new Partition("aws-eusc", "amazonaws.eu")));

  private record Rule(Pattern regions, Partition partition) {
    Rule(String regex, Partition partition) {
      this(Pattern.compile(regex), partition);
    }
  }

  /** The partition of a region; a name no other partition claims is in {@code aws}. */
  public static Partition ofRegion(String region) {
    for (Rule rule : RULES) {
      if (rule.regions().matcher(region).matches()) {
        return rule.partition();
      }
    }
    return AWS;
  }

  /** The partition an ARN names ({@code arn:<partition>:...}), when it is one of AWS's. */
  public static Optional<Partition> ofArn(String arn) {
    if (arn == null) {
      return Optional.empty();
    }
    String[] parts = arn.split(":", 3);
    if (parts.length < 3 || !parts[0].equals("arn")) {
      return Optional.empty();
    }
    if (parts[1].equals(AWS.id())) {
      return Optional.of(AWS);
    }
    return RULES.stream().map(Rule::partition).filter(p -> p.id().equals(parts[1])).findFirst();
  }

  /** The partition id of an ARN, as written ("" when it is not an ARN). */
  public static String idOf(String arn) {
    String[] parts = arn == null ? new String[0] : arn.split(":", 3);
    return parts.length == 3 && parts[0].equals("arn") ? parts[1] : "";
  }

  /**
   * The regional STS host of {@code region}, e.g. {@code sts.cn-north-1.amazonaws.com.cn}: with
   * {@link #globalStsHost()}, the AWS STS hosts of the partition, those a workload's signed proof
   * may name (issue 20, deliverable 1). The operator's own STS clients leave the host to the SDK.
   */
  public String stsHost(String region) {
    return "sts." + region + "." + dnsSuffix;
  }

  /**
   * STS's global host, {@code sts.amazonaws.com}: only partition aws has one (Vault's default
   * {@code sts_endpoint}); the others have regional endpoints only.
   */
  public Optional<String> globalStsHost() {
    return this.equals(AWS) ? Optional.of("sts.amazonaws.com") : Optional.empty();
  }

  @Override
  public String toString() {
    return id;
  }
}
