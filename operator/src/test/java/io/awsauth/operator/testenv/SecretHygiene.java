package io.awsauth.operator.testenv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.StsRoleBinding;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issue 8's secret-hygiene scan: remembers every credential a run issued (read from the Secrets the
 * operator wrote) and looks for each of them in what the run produced: operator logs, Events, the
 * status of the four kinds.
 *
 * <p>Secret access keys and session tokens must appear nowhere. Access key IDs are identifiers
 * rather than secrets, but they too must appear nowhere except in the field the API contract puts
 * them in ({@code status.accessKeyId} of an AwsCredentialRequest or an AwsAuthConfig, and {@code
 * status.retiringKey.accessKeyId}, the previous key of an iam_user rotation until it is deleted),
 * which the scan therefore leaves out.
 */
public final class SecretHygiene {
  /** What an issued credential is made of, and what the scan calls each part. */
  private static final Map<String, String> KEYS =
      Map.of(
          "AWS_ACCESS_KEY_ID", "access key ID",
          "AWS_SECRET_ACCESS_KEY", "secret access key",
          "AWS_SESSION_TOKEN", "session token");

  private final Map<String, String> issued = new ConcurrentHashMap<>();
  private final Set<String> secretsSeen = ConcurrentHashMap.newKeySet();

  /** Remembers the credential in an operator-written Secret (a Secret without one is ignored). */
  public void record(Secret secret) {
    if (secret == null || secret.getData() == null) {
      return;
    }
    KEYS.forEach(
        (key, what) -> {
          String encoded = secret.getData().get(key);
          if (encoded != null && !encoded.isEmpty()) {
            String value = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            issued.putIfAbsent(value, what);
          }
        });
    secretsSeen.add(secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName());
  }

  /** Remembers the credentials of every operator-written Secret in the cluster right now. */
  public void recordAll(KubernetesClient client) {
    client
        .secrets()
        .inAnyNamespace()
        .withLabel("app.kubernetes.io/managed-by", "aws-auth-operator")
        .list()
        .getItems()
        .forEach(this::record);
  }

  /** How many distinct credential parts (key IDs, secret keys, tokens) are remembered. */
  public int recorded() {
    return issued.size();
  }

  /**
   * Scans the logs and, through {@code client}, every Event and the status of every object of the
   * four kinds, for every remembered credential part.
   */
  public Report scan(KubernetesClient client, Collection<Path> logs) {
    Map<String, String> sources = new LinkedHashMap<>();
    for (Path log : logs) {
      try {
        sources.put("log " + log.getFileName(), Files.readString(log, StandardCharsets.ISO_8859_1));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    sources.put("Events", Serialization.asJson(client.v1().events().inAnyNamespace().list()));
    sources.put("Events (events.k8s.io)", eventsV1(client));
    for (Class<? extends HasMetadata> kind :
        List.of(
            AwsAuthConfig.class,
            StsRoleBinding.class,
            VaultAwsRole.class,
            AwsCredentialRequest.class)) {
      StringBuilder statuses = new StringBuilder();
      for (HasMetadata object : client.resources(kind).inAnyNamespace().list().getItems()) {
        JsonNode status = Serialization.jsonMapper().valueToTree(object).path("status");
        if (status instanceof ObjectNode node) {
          node.remove("accessKeyId");
          if (node.get("retiringKey") instanceof ObjectNode retiring) {
            retiring.remove("accessKeyId");
          }
          statuses.append(node).append('\n');
        }
      }
      sources.put("status of " + kind.getSimpleName(), statuses.toString());
    }
    return scan(sources);
  }

  /** Scans the given texts (name → content) for every remembered credential part. */
  public Report scan(Map<String, String> sources) {
    List<String> findings = new ArrayList<>();
    long bytes = 0;
    for (Map.Entry<String, String> source : sources.entrySet()) {
      String text = source.getValue();
      bytes += text.length();
      issued.forEach(
          (value, what) -> {
            if (text.contains(value)) {
              // Name what leaked and where, never the value itself.
              findings.add("an issued " + what + " appears in " + source.getKey());
            }
          });
    }
    return new Report(secretsSeen.size(), issued.size(), sources.size(), bytes, findings);
  }

  private static String eventsV1(KubernetesClient client) {
    try {
      return Serialization.asJson(client.events().v1().events().inAnyNamespace().list());
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** What a scan looked at and what it found. */
  public record Report(
      int secrets, int credentialParts, int sources, long bytesScanned, List<String> findings) {
    public String summary() {
      return String.format(
          "secret hygiene: %d credential parts from %d Secrets looked for in %d sources"
              + " (%,d characters): %d found%s",
          credentialParts,
          secrets,
          sources,
          bytesScanned,
          findings.size(),
          findings.isEmpty() ? "" : " " + findings);
    }

    /** Fails when anything was found, or when nothing was recorded to look for. */
    public void assertClean() {
      if (credentialParts == 0) {
        throw new AssertionError("secret hygiene: no issued credential was recorded to look for");
      }
      if (!findings.isEmpty()) {
        throw new AssertionError(summary());
      }
    }
  }
}
