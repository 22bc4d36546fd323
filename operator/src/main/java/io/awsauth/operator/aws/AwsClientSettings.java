package io.awsauth.operator.aws;

import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Everything needed to build AWS clients for one identity: region, endpoint overrides, retries and
 * credentials. {@code fingerprint} identifies the settings without revealing the credentials.
 */
public record AwsClientSettings(
    String region,
    Optional<URI> iamEndpoint,
    Optional<URI> stsEndpoint,
    Optional<URI> ec2Endpoint,
    Optional<Integer> maxRetries,
    AwsCredentialsProvider credentials,
    String fingerprint) {}
