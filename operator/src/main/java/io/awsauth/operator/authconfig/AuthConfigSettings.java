package io.awsauth.operator.authconfig;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec.Credentials.Source;
import io.awsauth.operator.api.v1alpha1.DependencyReason;
import io.awsauth.operator.api.v1alpha1.SecretReference;
import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.AwsCredentials;
import io.awsauth.operator.status.UserError;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Turns an AwsAuthConfig (and the Secret it references) into {@link AwsClientSettings}. Problems a
 * user must fix (missing Secret, missing key) are {@link UserError}s naming the Secret and the key,
 * never a value.
 */
@ApplicationScoped
public class AuthConfigSettings {
  public static final String ACCESS_KEY = "access_key";
  public static final String SECRET_KEY = "secret_key";
  public static final String SESSION_TOKEN = "session_token";

  /** Label the operator puts on the credential Secrets that configs reference. */
  public static final String WATCH_LABEL = "awsauth.io/watched";

  private static final Duration MAX_AGE = Duration.ofMinutes(1);

  /** The variables IRSA's webhook sets (and the SDK's web-identity provider reads). */
  public static final String AWS_ROLE_ARN = "AWS_ROLE_ARN";

  public static final String AWS_WEB_IDENTITY_TOKEN_FILE = "AWS_WEB_IDENTITY_TOKEN_FILE";
  public static final String AWS_ROLE_SESSION_NAME = "AWS_ROLE_SESSION_NAME";

  private final KubernetesClient client;
  private final Function<String, String> environment;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  @Inject
  public AuthConfigSettings(KubernetesClient client) {
    this(client, System::getenv);
  }

  /** With another environment than the process's: what IRSA's webhook would have set. */
  AuthConfigSettings(KubernetesClient client, Function<String, String> environment) {
    this.client = client;
    this.environment = environment;
  }

  /**
   * The config's settings, built at most once a minute per config generation: every request
   * reconcile needs them, and each build reads the credentials Secret. The config's own reconcile,
   * which every change of that Secret triggers, rebuilds them at once ({@link #refresh}).
   */
  public AwsClientSettings settings(AwsAuthConfig config) {
    Cached cached = cache.get(config.getMetadata().getUid());
    if (cached != null
        && cached.generation() == config.getMetadata().getGeneration()
        && cached.built().plus(MAX_AGE).isAfter(Instant.now())) {
      return cached.settings();
    }
    return refresh(config);
  }

  /** Builds the config's settings now (reading its Secret) and remembers them. */
  public AwsClientSettings refresh(AwsAuthConfig config) {
    AwsClientSettings built = build(config);
    cache.put(
        config.getMetadata().getUid(),
        new Cached(config.getMetadata().getGeneration(), built, Instant.now()));
    return built;
  }

  private record Cached(long generation, AwsClientSettings settings, Instant built) {}

  private AwsClientSettings build(AwsAuthConfig config) {
    AwsAuthConfigSpec spec = config.getSpec();
    String fingerprint = config.getMetadata().getUid() + "/" + config.getMetadata().getGeneration();
    var credentials = spec.credentials;
    if (credentials != null && credentials.source == Source.WEB_IDENTITY) {
      AwsCredentials.WebIdentity own =
          new AwsCredentials.WebIdentity(
              credentials.roleArn,
              Path.of(
                  credentials.tokenFile == null
                      ? AwsAuthConfigSpec.Credentials.DEFAULT_TOKEN_FILE
                      : credentials.tokenFile),
              Optional.ofNullable(credentials.audience),
              sessionName(config));
      return build(spec, own, fingerprint + "/web-identity", accountOf(config));
    }
    if (credentials == null || credentials.source == Source.DEFAULT) {
      Optional<AwsCredentials.WebIdentity> irsa = irsa(config);
      if (irsa.isPresent()) {
        return build(spec, irsa.get(), fingerprint + "/default-web-identity", accountOf(config));
      }
      return build(
          spec, AwsCredentials.defaultChain(), fingerprint + "/default", accountOf(config));
    }
    SecretReference ref = credentials.secretRef;
    SecretCredentials secret = credentialsFrom(ref, "spec.credentials.secretRef");
    return build(
        spec, secret.credentials(), fingerprint + "/" + secret.version(), accountOf(config));
  }

  /**
   * Source Default with IRSA's variables (AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE, as EKS's
   * webhook sets them): that role and token, through the operator's own web-identity provider with
   * the config's STS endpoint and region, as source WebIdentity. The SDK's chain would otherwise
   * fall through to the instance role when the token cannot be used.
   */
  private Optional<AwsCredentials.WebIdentity> irsa(AwsAuthConfig config) {
    String roleArn = environment.apply(AWS_ROLE_ARN);
    String tokenFile = environment.apply(AWS_WEB_IDENTITY_TOKEN_FILE);
    if (roleArn == null || roleArn.isBlank() || tokenFile == null || tokenFile.isBlank()) {
      return Optional.empty();
    }
    String session = environment.apply(AWS_ROLE_SESSION_NAME);
    return Optional.of(
        new AwsCredentials.WebIdentity(
            roleArn.strip(),
            Path.of(tokenFile.strip()),
            Optional.empty(),
            session == null || session.isBlank() ? sessionName(config) : session.strip()));
  }

  /** The role session name of a config's web identity: aws-auth-operator-NAME, at most 64. */
  static String sessionName(AwsAuthConfig config) {
    String name = "aws-auth-operator-" + config.getMetadata().getName();
    return name.length() <= 64 ? name : name.substring(0, 64);
  }

  /** The config's account once its identity was checked; until then, one of its own. */
  private static String accountOf(AwsAuthConfig config) {
    return config.getStatus() != null && config.getStatus().accountId != null
        ? config.getStatus().accountId
        : "config/" + config.getMetadata().getUid();
  }

  /**
   * The same region and endpoints as {@code config}, with the credentials of another Secret (for
   * example a binding's administrator credentials). {@code field} names the referencing field in
   * messages.
   */
  public AwsClientSettings withSecretCredentials(
      AwsAuthConfig config, SecretReference ref, String field) {
    SecretCredentials secret = credentialsFrom(ref, field);
    return build(
        config.getSpec(),
        secret.credentials(),
        config.getMetadata().getUid() + "/" + secret.version(),
        "secret/" + secret.version());
  }

  /** Replaces the credentials of {@code base}, keeping its region, endpoints and retries. */
  public static AwsClientSettings withCredentials(
      AwsClientSettings base, AwsCredentials credentials, String fingerprint) {
    return base.withCredentials(credentials, fingerprint);
  }

  private record SecretCredentials(AwsCredentials credentials, String version) {}

  private SecretCredentials credentialsFrom(SecretReference ref, String field) {
    Secret secret = client.secrets().inNamespace(ref.namespace).withName(ref.name).get();
    if (secret == null) {
      throw new UserError(
          DependencyReason.SecretNotFound,
          "Secret " + ref + " named by " + field + " does not exist");
    }
    watch(secret);
    Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
    String accessKey = required(data, ref, ACCESS_KEY);
    String secretKey = required(data, ref, SECRET_KEY);
    Optional<String> sessionToken = optional(data, SESSION_TOKEN);
    AwsCredentials awsCredentials = AwsCredentials.of(accessKey, secretKey, sessionToken);
    return new SecretCredentials(
        awsCredentials,
        secret.getMetadata().getUid() + "/" + secret.getMetadata().getResourceVersion());
  }

  /**
   * Labels a referenced Secret so that the operator's label-selected Secret informer sees its
   * changes: the operator never watches all Secrets of the cluster.
   */
  private void watch(Secret secret) {
    Map<String, String> labels = secret.getMetadata().getLabels();
    if (labels == null || !"true".equals(labels.get(WATCH_LABEL))) {
      client
          .secrets()
          .inNamespace(secret.getMetadata().getNamespace())
          .withName(secret.getMetadata().getName())
          .edit(
              s -> {
                s.getMetadata().getLabels().put(WATCH_LABEL, "true");
                return s;
              });
    }
  }

  private static AwsClientSettings build(
      AwsAuthConfigSpec spec, AwsCredentials provider, String fingerprint, String account) {
    var endpoints = spec.endpoints;
    return new AwsClientSettings(
        spec.region == null ? "us-east-1" : spec.region,
        Optional.ofNullable(endpoints).map(e -> e.iam).map(URI::create),
        Optional.ofNullable(endpoints).map(e -> e.sts).map(URI::create),
        Optional.ofNullable(endpoints).map(e -> e.ec2).map(URI::create),
        Optional.ofNullable(endpoints).map(e -> e.stsRegion),
        endpoints != null && Boolean.TRUE.equals(endpoints.useFipsEndpoint),
        endpoints != null && Boolean.TRUE.equals(endpoints.useDualstackEndpoint),
        Optional.ofNullable(spec.maxRetries),
        provider,
        fingerprint,
        account);
  }

  private static String required(Map<String, String> data, SecretReference ref, String key) {
    return optional(data, key)
        .orElseThrow(
            () ->
                new UserError(
                    DependencyReason.SecretKeyMissing,
                    "Secret " + ref + " has no non-empty key '" + key + "'"));
  }

  private static Optional<String> optional(Map<String, String> data, String key) {
    String encoded = data.get(key);
    if (encoded == null || encoded.isBlank()) {
      return Optional.empty();
    }
    String value = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8).trim();
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }
}
