package io.awsauth.operator.authconfig;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigStatus.InProgress;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigStatus.RootRotationStatus;
import io.awsauth.operator.api.v1alpha1.Durations;
import io.awsauth.operator.api.v1alpha1.EventReason;
import io.awsauth.operator.api.v1alpha1.SecretReference;
import io.awsauth.operator.aws.AccessKey;
import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.AwsClients;
import io.awsauth.operator.aws.AwsCredentials;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.aws.IamGateway;
import io.awsauth.operator.aws.StsGateway;
import io.awsauth.operator.status.EventRecorder;
import io.awsauth.operator.status.StatusUpdates;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Rotates the operator's own access key (Vault's config/rotate-root): create a new key, store it in
 * the Secret, verify it, then delete the old one. The intent is written to status before the new
 * key is created, so a rotation interrupted at any step is finished or undone by the next
 * reconcile; at every moment the Secret holds a working key, and the user never holds more than
 * IAM's two keys.
 */
@ApplicationScoped
public class RootKeyRotation {
  public static final String REQUEST_ANNOTATION = "awsauth.io/rotate-root-key";
  private static final Logger LOG = Logger.getLogger(RootKeyRotation.class);

  private final KubernetesClient client;
  private final AuthConfigSettings settings;
  private final AwsClients clients;
  private final EventRecorder events;
  private final Clock clock;
  private final Duration verifyTimeout;

  public RootKeyRotation(
      KubernetesClient client,
      AuthConfigSettings settings,
      AwsClients clients,
      EventRecorder events,
      Clock clock) {
    this.client = client;
    this.settings = settings;
    this.clients = clients;
    this.events = events;
    this.clock = clock;
    this.verifyTimeout = Duration.ofSeconds(30);
  }

  /** Whether rotation applies to this config at all: Secret-sourced keys of an IAM user. */
  static boolean applies(AwsAuthConfig config, CallerIdentity caller) {
    return config.getSpec().credentials.source == AwsAuthConfigSpec.Credentials.Source.SECRET
        && caller.arn().contains(":user/");
  }

  /**
   * Finishes an interrupted rotation, or rotates when requested or due. {@code current} are the
   * settings just built from the config's Secret.
   */
  void reconcile(AwsAuthConfig config, CallerIdentity caller, AwsClientSettings current) {
    RootRotationStatus status = rotationStatus(config);
    String user = caller.arn().substring(caller.arn().lastIndexOf('/') + 1);
    // The settings were just built from the Secret: its credentials are the ones in the Secret.
    AwsCredentials.Static inSecret = (AwsCredentials.Static) current.credentials();
    IamGateway iam = clients.iam(current);
    if (status.inProgress != null) {
      recover(config, status, user, inSecret, iam);
    }
    status.accessKeyId = inSecret.accessKeyId();
    String requested = annotation(config);
    boolean onRequest = requested != null && !requested.equals(status.lastRequest);
    if (status.inProgress == null
        && (onRequest || periodElapsed(config, status, iam, user))
        && !olderThanTheServers(config, status)) {
      rotate(config, status, user, inSecret, iam);
      status.lastRequest = requested;
    }
  }

  private void rotate(
      AwsAuthConfig config,
      RootRotationStatus status,
      String user,
      AwsCredentials.Static old,
      IamGateway iam) {
    List<AccessKey> keys = iam.listAccessKeys(user);
    if (keys.size() >= 2) {
      fail(
          config,
          status,
          "IAM user "
              + user
              + " already has two access keys; delete the one not in the Secret to allow rotation");
      return;
    }
    status.inProgress = new InProgress();
    status.inProgress.startedAt = now().toString();
    status.inProgress.previousAccessKeyId = old.accessKeyId();
    writeAhead(config);

    AccessKey created = iam.createAccessKey(user);
    try {
      writeSecret(config, created.accessKeyId(), created.secretAccessKey());
    } catch (KubernetesClientException e) {
      iam.deleteAccessKey(user, created.accessKeyId());
      status.inProgress = null;
      fail(
          config,
          status,
          "could not store the new key in Secret "
              + secretRef(config)
              + " (HTTP "
              + e.getCode()
              + "); the new key was deleted and the old one is still in use");
      return;
    }
    if (!works(config, AwsCredentials.of(created.accessKeyId(), created.secretAccessKey()))) {
      writeSecret(config, old.accessKeyId(), old.secretAccessKey());
      iam.deleteAccessKey(user, created.accessKeyId());
      status.inProgress = null;
      fail(
          config,
          status,
          "the new key did not work within " + verifyTimeout + "; kept the old one");
      return;
    }
    iam.deleteAccessKey(user, old.accessKeyId());
    finish(config, status, created.accessKeyId());
  }

  /** The previous attempt stopped somewhere between write-ahead and deleting the old key. */
  private void recover(
      AwsAuthConfig config,
      RootRotationStatus status,
      String user,
      AwsCredentials.Static inSecret,
      IamGateway iam) {
    String previous = status.inProgress.previousAccessKeyId;
    if (Objects.equals(inSecret.accessKeyId(), previous)) {
      // The Secret was never switched: any other key is the lost one of the attempt.
      for (AccessKey k : iam.listAccessKeys(user)) {
        if (!k.accessKeyId().equals(previous)) {
          iam.deleteAccessKey(user, k.accessKeyId());
        }
      }
      status.inProgress = null;
      LOG.infof("AwsAuthConfig %s: undid an interrupted key rotation", name(config));
    } else if (works(config, inSecret)) {
      iam.deleteAccessKey(user, previous);
      finish(config, status, inSecret.accessKeyId());
      LOG.infof("AwsAuthConfig %s: finished an interrupted key rotation", name(config));
    }
  }

  /**
   * Whether the cached config predates the last rotation the API server has recorded (the reconcile
   * that the rotation's own Secret write triggers can run on it): rotating on it would rotate a
   * second time for the same request. The next reconcile sees the recorded outcome.
   */
  private boolean olderThanTheServers(AwsAuthConfig config, RootRotationStatus cached) {
    AwsAuthConfig fresh =
        client.resources(AwsAuthConfig.class).withName(config.getMetadata().getName()).get();
    RootRotationStatus recorded =
        fresh == null || fresh.getStatus() == null ? null : fresh.getStatus().rootRotation;
    if (recorded == null) {
      return false;
    }
    boolean older =
        recorded.inProgress != null
            || !Objects.equals(recorded.lastRequest, cached.lastRequest)
            || !Objects.equals(recorded.lastRotatedAt, cached.lastRotatedAt);
    if (older) {
      LOG.debugf(
          "AwsAuthConfig %s: cached status predates the last rotation; not rotating again",
          name(config));
    }
    return older;
  }

  private void finish(AwsAuthConfig config, RootRotationStatus status, String newKeyId) {
    status.inProgress = null;
    status.lastError = null;
    status.accessKeyId = newKeyId;
    status.lastRotatedAt = now().toString();
    events.record(
        config,
        EventReason.RootKeyRotated,
        "the access key was rotated; status.rootRotation.accessKeyId names the new one");
  }

  private void fail(AwsAuthConfig config, RootRotationStatus status, String why) {
    status.lastError = why;
    events.record(config, EventReason.RootKeyRotationFailed, why);
  }

  /** IAM keys are eventually consistent: retry GetCallerIdentity for a bounded time. */
  private boolean works(AwsAuthConfig config, AwsCredentials credentials) {
    AwsClientSettings base = settings.settings(config);
    AwsClientSettings with =
        AuthConfigSettings.withCredentials(base, credentials, "rotation-check");
    Instant deadline = now().plus(verifyTimeout);
    while (true) {
      try {
        clients.withSts(with, StsGateway::getCallerIdentity);
        return true;
      } catch (AwsFailure e) {
        if (now().isAfter(deadline)) {
          return false;
        }
        sleep(Duration.ofMillis(500));
      }
    }
  }

  private boolean periodElapsed(
      AwsAuthConfig config, RootRotationStatus status, IamGateway iam, String user) {
    var rotation = config.getSpec().rootRotation;
    if (rotation == null || rotation.period == null) {
      return false;
    }
    Duration period = Durations.parse(rotation.period);
    Instant since =
        status.lastRotatedAt != null
            ? Instant.parse(status.lastRotatedAt)
            : iam.listAccessKeys(user).stream()
                .filter(k -> k.accessKeyId().equals(status.accessKeyId))
                .map(AccessKey::created)
                .findFirst()
                .orElse(now());
    return !now().isBefore(since.plus(period));
  }

  /** Records the intent before the AWS call that creates the key. */
  private void writeAhead(AwsAuthConfig config) {
    AwsAuthConfig written = applyStatus(client, config);
    config.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
  }

  static AwsAuthConfig applyStatus(KubernetesClient client, AwsAuthConfig config) {
    return StatusUpdates.applyStatus(client, config, AwsAuthConfigReconciler.NAME);
  }

  private void writeSecret(AwsAuthConfig config, String keyId, String secretKey) {
    SecretReference ref = config.getSpec().credentials.secretRef;
    client
        .secrets()
        .inNamespace(ref.namespace)
        .withName(ref.name)
        .edit(
            s -> {
              s.getData().put(AuthConfigSettings.ACCESS_KEY, b64(keyId));
              s.getData().put(AuthConfigSettings.SECRET_KEY, b64(secretKey));
              s.getData().remove(AuthConfigSettings.SESSION_TOKEN);
              return s;
            });
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static RootRotationStatus rotationStatus(AwsAuthConfig config) {
    if (config.getStatus().rootRotation == null) {
      config.getStatus().rootRotation = new RootRotationStatus();
    }
    return config.getStatus().rootRotation;
  }

  private static String annotation(AwsAuthConfig config) {
    return Optional.ofNullable(config.getMetadata().getAnnotations())
        .map(a -> a.get(REQUEST_ANNOTATION))
        .orElse(null);
  }

  private static String secretRef(AwsAuthConfig config) {
    return config.getSpec().credentials.secretRef.toString();
  }

  private static String name(AwsAuthConfig config) {
    return config.getMetadata().getName();
  }

  private Instant now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
