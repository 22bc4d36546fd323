package io.awsauth.e2e.bench;

import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * The baseline: the AWS calls the operator makes for one issuance, made directly with the AWS SDK
 * v2 as the operator's identity, and the same Secret written with fabric8 (create). No status
 * write, no watch, no queue: what the operator's figures are divided by.
 */
final class Baseline implements AutoCloseable {
  private final KubernetesClient client;
  private final String endpoint;
  private final SdkHttpClient http;
  private final StsClient sts;
  private final IamClient iam;
  private final String policy;
  private final String assumedRoleArn;

  Baseline(
      KubernetesClient client,
      String endpoint,
      String keyId,
      String secret,
      String policy,
      String assumedRoleArn,
      int connections) {
    this.client = client;
    this.endpoint = endpoint;
    this.policy = policy;
    this.assumedRoleArn = assumedRoleArn;
    this.http = ApacheHttpClient.builder().maxConnections(Math.max(connections, 10)).build();
    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret));
    this.sts =
        StsClient.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(URI.create(endpoint))
            .credentialsProvider(credentials)
            .httpClient(http)
            .build();
    this.iam =
        IamClient.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(URI.create(endpoint))
            .credentialsProvider(credentials)
            .httpClient(http)
            .build();
  }

  /** One issuance of {@code type} into Secret {@code namespace/name}; the credential issued. */
  AwsCredentials issue(CredentialType type, String namespace, String name) {
    String keyId;
    String secretKey;
    String token = null;
    Instant expires;
    switch (type) {
      case SESSION_TOKEN -> {
        Credentials c = sts.getSessionToken(r -> r.durationSeconds(3600)).credentials();
        keyId = c.accessKeyId();
        secretKey = c.secretAccessKey();
        token = c.sessionToken();
        expires = c.expiration();
      }
      case FEDERATION_TOKEN -> {
        Credentials c =
            sts.getFederationToken(
                    r ->
                        r.name(name.substring(0, Math.min(32, name.length())))
                            .policy(policy)
                            .durationSeconds(3600))
                .credentials();
        keyId = c.accessKeyId();
        secretKey = c.secretAccessKey();
        token = c.sessionToken();
        expires = c.expiration();
      }
      case ASSUMED_ROLE -> {
        Credentials c =
            sts.assumeRole(
                    r ->
                        r.roleArn(assumedRoleArn)
                            .roleSessionName(name.substring(0, Math.min(64, name.length())))
                            .policy(policy)
                            .durationSeconds(3600))
                .credentials();
        keyId = c.accessKeyId();
        secretKey = c.secretAccessKey();
        token = c.sessionToken();
        expires = c.expiration();
      }
      case IAM_USER -> {
        String user = "base-" + name;
        iam.createUser(
            r ->
                r.userName(user)
                    .path("/")
                    .tags(
                        Tag.builder().key("awsauth.io/cluster").value("baseline").build(),
                        Tag.builder().key("awsauth.io/namespace").value(namespace).build(),
                        Tag.builder().key("awsauth.io/name").value(name).build(),
                        Tag.builder().key("awsauth.io/uid").value(name).build()));
        iam.putUserPolicy(
            r -> r.userName(user).policyName("aws-auth-operator").policyDocument(policy));
        AccessKey key = iam.createAccessKey(r -> r.userName(user)).accessKey();
        proveUsable(AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey()));
        keyId = key.accessKeyId();
        secretKey = key.secretAccessKey();
        expires = Instant.now().plusSeconds(3600);
      }
      default -> throw new IllegalArgumentException(type.toString());
    }
    writeSecret(namespace, name, keyId, secretKey, token, expires);
    return token == null
        ? AwsBasicCredentials.create(keyId, secretKey)
        : AwsSessionCredentials.create(keyId, secretKey, token);
  }

  /** As the operator does for iam_user: GetCallerIdentity with the new key, retried. */
  private void proveUsable(AwsCredentials key) {
    try (StsClient as =
        StsClient.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(URI.create(endpoint))
            .credentialsProvider(StaticCredentialsProvider.create(key))
            .httpClient(http)
            .build()) {
      long backoff = 200;
      for (int attempt = 0; ; attempt++) {
        try {
          as.getCallerIdentity();
          return;
        } catch (StsException e) {
          if (attempt > 20) {
            throw e;
          }
        }
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  }

  private void writeSecret(
      String namespace, String name, String keyId, String secretKey, String token, Instant exp) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("AWS_ACCESS_KEY_ID", keyId);
    data.put("AWS_SECRET_ACCESS_KEY", secretKey);
    if (token != null) {
      data.put("AWS_SESSION_TOKEN", token);
    }
    data.put("AWS_CREDENTIAL_EXPIRATION", exp.toString());
    StringBuilder file =
        new StringBuilder("[default]\naws_access_key_id = ")
            .append(keyId)
            .append("\naws_secret_access_key = ")
            .append(secretKey)
            .append('\n');
    if (token != null) {
      file.append("aws_session_token = ").append(token).append('\n');
    }
    data.put("credentials", file.toString());
    Map<String, String> encoded = new LinkedHashMap<>();
    data.forEach(
        (k, v) ->
            encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    client
        .secrets()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .addToLabels("awsauth.io/benchmark", "baseline")
                .addToAnnotations("awsauth.io/lease-id", name)
                .addToAnnotations("awsauth.io/expires-at", exp.toString())
                .endMetadata()
                .withType("Opaque")
                .withData(encoded)
                .build())
        .create();
  }

  @Override
  public void close() {
    sts.close();
    iam.close();
    http.close();
  }
}
