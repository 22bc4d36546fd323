package io.awsauth.operator.aws;

import java.net.URI;
import java.util.Optional;

/**
 * Everything needed to build AWS clients for one identity: region, endpoint overrides, retries and
 * credentials. {@code fingerprint} identifies the settings without revealing the credentials;
 * {@code account} is the AWS account the calls are made in (or, until it is known, a stand-in
 * unique to the identity): AWS throttles per account, and so does the operator's rate limiter.
 */
public record AwsClientSettings(
    String region,
    Optional<URI> iamEndpoint,
    Optional<URI> stsEndpoint,
    Optional<URI> ec2Endpoint,
    Optional<Integer> maxRetries,
    AwsCredentials credentials,
    String fingerprint,
    String account) {

  /** The same settings acting in another account (an assumed role's). */
  public AwsClientSettings inAccount(String accountId) {
    return new AwsClientSettings(
        region,
        iamEndpoint,
        stsEndpoint,
        ec2Endpoint,
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
        maxRetries,
        other,
        otherFingerprint,
        account);
  }
}
