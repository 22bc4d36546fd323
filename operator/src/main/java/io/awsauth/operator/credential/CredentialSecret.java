package io.awsauth.operator.credential;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Secret a lease is written to (docs/api.md, "The Secret"): env-style keys, a ready {@code
 * ~/.aws/credentials} file, and an AWS shared config file whose {@code credential_process} reads
 * the key {@code credential-process.json} where the Secret is mounted (docs/rotation.md), owned by
 * the request and labelled as the operator's, so that the operator caches only its own Secrets.
 */
public final class CredentialSecret {
  public static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
  public static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
  public static final String SESSION_TOKEN = "AWS_SESSION_TOKEN";
  public static final String EXPIRATION = "AWS_CREDENTIAL_EXPIRATION";
  public static final String CREDENTIALS_FILE = "credentials";
  public static final String CONFIG_FILE = "config";
  public static final String CREDENTIAL_PROCESS_FILE = "credential-process.json";

  /** Where the workload mounts the Secret unless spec.mountPath says otherwise. */
  public static final String DEFAULT_MOUNT_PATH = "/var/run/secrets/awsauth.io";

  private static final ObjectMapper JSON = new ObjectMapper();

  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "aws-auth-operator";
  public static final String REQUEST_UID_LABEL = "awsauth.io/request-uid";
  public static final String LEASE_ANNOTATION = "awsauth.io/lease-id";
  public static final String EXPIRES_ANNOTATION = "awsauth.io/expires-at";
  public static final String ISSUED_ANNOTATION = "awsauth.io/issued-at";
  public static final String PRINCIPAL_ANNOTATION = "awsauth.io/principal-arn";
  public static final String ISSUED_FOR_ANNOTATION = "awsauth.io/issued-for";

  /**
   * Written by the operator on the Secret of a lease that a role-wide cutoff denies (the deny
   * policy was full): a lease issued before this time is re-issued at once.
   */
  public static final String DENIED_BEFORE_ANNOTATION = "awsauth.io/denied-before";

  private CredentialSecret() {}

  /** The Secret holding {@code credential} for {@code request}. */
  public static Secret render(
      AwsCredentialRequest request,
      String secretName,
      String leaseId,
      IssuedCredential credential,
      String region) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(ACCESS_KEY_ID, credential.accessKeyId());
    data.put(SECRET_ACCESS_KEY, credential.secretAccessKey());
    credential.sessionToken().ifPresent(t -> data.put(SESSION_TOKEN, t));
    data.put(EXPIRATION, credential.expiresAt().toString());
    data.put(CREDENTIALS_FILE, credentialsFile(credential));
    data.put(CONFIG_FILE, configFile(mountPath(request), region));
    data.put(CREDENTIAL_PROCESS_FILE, credentialProcessOutput(credential));
    Secret secret =
        base(request, secretName)
            .editMetadata()
            .addToAnnotations(LEASE_ANNOTATION, leaseId)
            .addToAnnotations(EXPIRES_ANNOTATION, credential.expiresAt().toString())
            .addToAnnotations(ISSUED_ANNOTATION, credential.issuedAt().toString())
            .addToAnnotations(PRINCIPAL_ANNOTATION, credential.principalArn())
            .endMetadata()
            .withData(encode(data))
            .build();
    if (request.getSpec() != null) {
      secret
          .getMetadata()
          .getAnnotations()
          .put(ISSUED_FOR_ANNOTATION, LeaseTerms.fingerprint(request.getSpec()));
    }
    return secret;
  }

  /** What a Secret says of the lease it holds (its annotations and key ID); no secret material. */
  public record HeldLease(
      String leaseId,
      String accessKeyId,
      String principalArn,
      Instant issuedAt,
      Instant expiresAt,
      String issuedFor) {}

  /** When a role-wide cutoff denies the leases issued before it, if one does. */
  public static Optional<Instant> deniedBefore(Secret secret) {
    Map<String, String> a = secret.getMetadata().getAnnotations();
    try {
      return Optional.ofNullable(a == null ? null : a.get(DENIED_BEFORE_ANNOTATION))
          .map(Instant::parse);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The lease the Secret holds, when it holds one completely described. */
  public static Optional<HeldLease> heldLease(Secret secret) {
    Map<String, String> a = secret.getMetadata().getAnnotations();
    Optional<String> lease = leaseId(secret);
    if (a == null
        || lease.isEmpty()
        || a.get(ISSUED_ANNOTATION) == null
        || a.get(EXPIRES_ANNOTATION) == null
        || a.get(PRINCIPAL_ANNOTATION) == null
        || a.get(ISSUED_FOR_ANNOTATION) == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new HeldLease(
              lease.get(),
              accessKeyId(secret).orElseThrow(),
              a.get(PRINCIPAL_ANNOTATION),
              Instant.parse(a.get(ISSUED_ANNOTATION)),
              Instant.parse(a.get(EXPIRES_ANNOTATION)),
              a.get(ISSUED_FOR_ANNOTATION)));
    } catch (RuntimeException e) {
      return Optional.empty(); // edited by hand: not a lease the operator can vouch for
    }
  }

  /** The Secret after its lease was revoked: no credential, and the time it was revoked. */
  public static Secret revoked(AwsCredentialRequest request, String secretName, Instant at) {
    return base(request, secretName)
        .editMetadata()
        .addToAnnotations("awsauth.io/revoked-at", at.toString())
        .endMetadata()
        .withData(Map.of())
        .build();
  }

  private static SecretBuilder base(AwsCredentialRequest request, String secretName) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(secretName)
        .withNamespace(request.getMetadata().getNamespace())
        .addToLabels(MANAGED_BY_LABEL, MANAGED_BY)
        .addToLabels(REQUEST_UID_LABEL, request.getMetadata().getUid())
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion(request.getApiVersion())
                .withKind(request.getKind())
                .withName(request.getMetadata().getName())
                .withUid(request.getMetadata().getUid())
                .withController(true)
                .build())
        .endMetadata()
        .withType("Opaque");
  }

  /** An AWS shared credentials file with the profile {@code default}. */
  static String credentialsFile(IssuedCredential credential) {
    StringBuilder b =
        new StringBuilder("[default]\n")
            .append("aws_access_key_id = ")
            .append(credential.accessKeyId())
            .append('\n')
            .append("aws_secret_access_key = ")
            .append(credential.secretAccessKey())
            .append('\n');
    credential
        .sessionToken()
        .ifPresent(t -> b.append("aws_session_token = ").append(t).append('\n'));
    return b.toString();
  }

  /** The directory the workload mounts the Secret at (spec.mountPath, without a trailing /). */
  static String mountPath(AwsCredentialRequest request) {
    String path = request.getSpec() == null ? null : request.getSpec().mountPath;
    if (path == null || path.isEmpty()) {
      return DEFAULT_MOUNT_PATH;
    }
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /**
   * An AWS shared config file ({@code AWS_CONFIG_FILE}) with the profile {@code default}: its
   * {@code credential_process} prints the mounted {@code credential-process.json}. The command is
   * {@code cat} and one absolute path of {@code [A-Za-z0-9._/-]} (spec.mountPath's pattern), so it
   * means the same whether the SDK splits it and executes {@code cat} itself (botocore, the AWS
   * CLI) or hands it to {@code sh -c} (the Java and Go SDKs): no quoting, no shell syntax.
   */
  static String configFile(String mountPath, String region) {
    String dir = mountPath.endsWith("/") ? mountPath : mountPath + "/";
    StringBuilder b =
        new StringBuilder("[default]\n")
            .append("credential_process = cat ")
            .append(dir)
            .append(CREDENTIAL_PROCESS_FILE)
            .append('\n');
    if (region != null && !region.isEmpty()) {
      b.append("region = ").append(region).append('\n');
    }
    return b.toString();
  }

  /**
   * What a {@code credential_process} prints (version 1, as every AWS SDK reads it): the keys, the
   * session token for STS types, and the expiry in RFC 3339, truncated to the second. An SDK runs
   * the command again before that time; for iam_user it is the lease's end, until which the key
   * stays valid.
   */
  static String credentialProcessOutput(IssuedCredential credential) {
    ObjectNode out = JSON.createObjectNode();
    out.put("Version", 1);
    out.put("AccessKeyId", credential.accessKeyId());
    out.put("SecretAccessKey", credential.secretAccessKey());
    credential.sessionToken().ifPresent(t -> out.put("SessionToken", t));
    out.put("Expiration", credential.expiresAt().truncatedTo(ChronoUnit.SECONDS).toString());
    try {
      return JSON.writeValueAsString(out) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render credential_process output", e);
    }
  }

  /** Whether {@code secret} belongs to {@code request} (its controller owner reference). */
  public static boolean ownedBy(Secret secret, AwsCredentialRequest request) {
    return secret.getMetadata().getOwnerReferences() != null
        && secret.getMetadata().getOwnerReferences().stream()
            .anyMatch(
                o ->
                    Boolean.TRUE.equals(o.getController())
                        && request.getMetadata().getUid().equals(o.getUid()));
  }

  /** The lease the Secret holds, when it holds a complete credential. */
  public static Optional<String> leaseId(Secret secret) {
    Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
    if (!data.containsKey(ACCESS_KEY_ID)
        || !data.containsKey(SECRET_ACCESS_KEY)
        || !data.containsKey(CREDENTIALS_FILE)) {
      return Optional.empty();
    }
    Map<String, String> annotations = secret.getMetadata().getAnnotations();
    return Optional.ofNullable(annotations == null ? null : annotations.get(LEASE_ANNOTATION));
  }

  /** The access key ID the Secret holds (an identifier, not secret material). */
  public static Optional<String> accessKeyId(Secret secret) {
    return Optional.ofNullable(secret.getData())
        .map(d -> d.get(ACCESS_KEY_ID))
        .map(v -> new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8));
  }

  /** The expiry the Secret claims (its annotation). */
  public static Optional<Instant> expiresAt(Secret secret) {
    Map<String, String> annotations = secret.getMetadata().getAnnotations();
    return Optional.ofNullable(annotations == null ? null : annotations.get(EXPIRES_ANNOTATION))
        .map(Instant::parse);
  }

  private static Map<String, String> encode(Map<String, String> data) {
    Map<String, String> encoded = new LinkedHashMap<>();
    data.forEach(
        (k, v) ->
            encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return encoded;
  }
}
