package io.awsauth.operator.aws;

import java.net.URI;
import java.util.Optional;

/**
 * Everything needed to build AWS clients for one identity: region, endpoint overrides, the STS
 * region and endpoint variants (FIPS, dual-stack), retries and credentials. {@code fingerprint}
 * identifies the settings without revealing the credentials; {@code account} is the AWS account the
 * calls are made in (or, until it is known, a stand-in unique to the identity): AWS throttles per
 * account, and so does the operator's rate limiter.
 */
public record AwsClientSettings(
    String region,
    Optional<URI> iamEndpoint,
    Optional<URI> stsEndpoint,
    Optional<URI> ec2Endpoint,
    Optional<String> stsRegion,
    boolean fips,
    boolean dualstack,
    Optional<Integer> maxRetries,
    AwsCredentials credentials,
    String fingerprint,
    String account) {

  /**
   * The region of the STS client: {@code endpoints.stsRegion}, else the config's region. STS is
   * always called at this region's endpoint ({@code sts.<region>.<partition's domain>}), never the
   * global {@code sts.amazonaws.com}.
   */
  public String stsClientRegion() {
    return stsRegion.orElse(region);
  }

  /** The partition of the config's region, where every client built from these settings calls. */
  public Partition partition() {
    return Partition.ofRegion(region);
  }

  /** The same settings acting in another account (an assumed role's). */
  public AwsClientSettings inAccount(String accountId) {
    return new AwsClientSettings(
        region,
        iamEndpoint,
        stsEndpoint,
        ec2Endpoint,
        stsRegion,
        fips,
        dualstack,
        maxRetries,
        credentials,
        fingerprint,
        accountId);
  }

  /** The same region, endpoints and retries with other credentials. */
  public AwsClientSettings withCredentials(AwsCredentials other, String otherFingerprint) {
    return new AwsClientSettings(
        region,
        iamEndpoint,
        stsEndpoint,
        ec2Endpoint,
        stsRegion,
        fips,
        dualstack,
        maxRetries,
        other,
        otherFingerprint,
        account);
  }
}
