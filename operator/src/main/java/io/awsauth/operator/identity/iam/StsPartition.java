package io.awsauth.operator.identity.iam;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The AWS partitions whose STS hosts a proof may be signed for: their region names, DNS suffix and
 * global STS host (only {@code aws} has one), as in the AWS SDKs' partition metadata. The
 * operator's partition is the one of its AwsAuthConfig's region.
 */
enum StsPartition {
  AWS("aws", "^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-[0-9]+$", "amazonaws.com", "sts.amazonaws.com"),
  AWS_US_GOV("aws-us-gov", "^us-gov-[a-z]+-[0-9]+$", "amazonaws.com", null),
  AWS_CN("aws-cn", "^cn-[a-z]+-[0-9]+$", "amazonaws.com.cn", null);

  private final String id;
  private final Pattern regions;
  private final String dnsSuffix;
  private final String globalHost;

  StsPartition(String id, String regions, String dnsSuffix, String globalHost) {
    this.id = id;
    this.regions = Pattern.compile(regions);
    this.dnsSuffix = dnsSuffix;
    this.globalHost = globalHost;
  }

  /** The partition of {@code region}; empty for a region of no partition known here. */
  static Optional<StsPartition> of(String region) {
    if (region == null) {
      return Optional.empty();
    }
    for (StsPartition p : values()) {
      if (p.regions.matcher(region).matches()) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  String id() {
    return id;
  }

  boolean hasRegion(String region) {
    return region != null && regions.matcher(region).matches();
  }

  /** {@code sts.<region>.<suffix>}, for a region of this partition. */
  String regionalHost(String region) {
    if (!hasRegion(region)) {
      throw new IllegalArgumentException("region " + region + " is not in partition " + id);
    }
    return "sts." + region + "." + dnsSuffix;
  }

  Optional<String> globalHost() {
    return Optional.ofNullable(globalHost);
  }
}
