package io.awsauth.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironmentExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRD schemas and CEL rules on the real API server: every sample is accepted; every invalid
 * manifest is rejected at admission with a message naming the field. Server-side dry run, so
 * nothing is stored and no operator is involved.
 */
@ExtendWith(TestEnvironmentExtension.class)
class AdmissionIT {
  private static final Pattern EXPECT = Pattern.compile("(?m)^# expect: (.+)$");

  static Stream<Path> samples() throws IOException {
    return yamlFiles(TestEnvironment.repoRoot().resolve("config/samples"));
  }

  static Stream<Path> invalidManifests() throws IOException {
    return yamlFiles(
        TestEnvironment.repoRoot().resolve("operator/src/test/resources/admission/invalid"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void sampleIsAccepted(Path sample, KubernetesClient client) throws IOException {
    List<GenericKubernetesResource> docs = load(sample);
    assertThat(docs).isNotEmpty();
    for (GenericKubernetesResource doc : docs) {
      // A name of its own: the samples may already exist on this cluster (e2e/run-local).
      doc.getMetadata()
          .setName(
              doc.getMetadata().getName()
                  + "-"
                  + java.util.UUID.randomUUID().toString().substring(0, 5));
      GenericKubernetesResource accepted = client.resource(doc).dryRun().create();
      assertThat(accepted.getMetadata().getName()).isEqualTo(doc.getMetadata().getName());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidManifests")
  void invalidManifestIsRejectedNamingTheField(Path manifest, KubernetesClient client)
      throws IOException {
    String text = Files.readString(manifest);
    Matcher m = EXPECT.matcher(text);
    assertThat(m.find()).as("%s has an '# expect: ...' line", manifest).isTrue();
    String expected = m.group(1).trim();
    GenericKubernetesResource doc = load(manifest).get(0);

    assertThatThrownBy(() -> client.resource(doc).dryRun().create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage()).contains(expected);
            });
  }

  /**
   * Issue 21, bug 2: a rule on the field alone is evaluated only when both the old and the new
   * object have it, so the transition rule sits on the spec: secretName is fixed at creation,
   * whether it was set or defaulted to the request's name. Server-side dry-run patches, as {@code
   * kubectl patch} sends them.
   */
  @Test
  void secretNameCannotBeAddedChangedOrRemovedAfterCreation(KubernetesClient client) {
    String ns = "aao-admission-it";
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .serverSideApply();
    String suffix = java.util.UUID.randomUUID().toString().substring(0, 5);
    AwsCredentialRequest unnamed = client.resource(request(ns, "unnamed-" + suffix, null)).create();
    AwsCredentialRequest named =
        client.resource(request(ns, "named-" + suffix, "fixed-" + suffix)).create();
    try {
      String message = "secretName cannot be added, changed or removed after creation";
      assertRefused(client, unnamed, "{\"spec\":{\"secretName\":\"moved\"}}", message);
      assertRefused(client, named, "{\"spec\":{\"secretName\":\"moved\"}}", message);
      assertRefused(client, named, "{\"spec\":{\"secretName\":null}}", message);
      // Keeping it (and changing anything else) is allowed.
      assertThat(
              patch(client, named, "{\"spec\":{\"secretName\":\"fixed-" + suffix + "\"}}")
                  .getSpec()
                  .secretName)
          .isEqualTo("fixed-" + suffix);
      assertThat(patch(client, unnamed, "{\"spec\":{\"ttl\":\"30m\"}}").getSpec().ttl)
          .isEqualTo("30m");
    } finally {
      client.resource(unnamed).delete();
      client.resource(named).delete();
    }
  }

  private static AwsCredentialRequest request(String ns, String name, String secretName) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.getMetadata().setNamespace(ns);
    r.getMetadata().setName(name);
    AwsCredentialRequestSpec spec = new AwsCredentialRequestSpec();
    spec.roleRef = "no-such-role";
    spec.secretName = secretName;
    r.setSpec(spec);
    return r;
  }

  private static AwsCredentialRequest patch(
      KubernetesClient client, AwsCredentialRequest request, String mergePatch) {
    return client
        .resources(AwsCredentialRequest.class)
        .inNamespace(request.getMetadata().getNamespace())
        .withName(request.getMetadata().getName())
        .dryRun()
        .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
  }

  private static void assertRefused(
      KubernetesClient client, AwsCredentialRequest request, String mergePatch, String message) {
    assertThatThrownBy(() -> patch(client, request, mergePatch))
        .as("%s on %s", mergePatch, request.getMetadata().getName())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage()).contains("spec.secretName").contains(message);
            });
  }

  private static List<GenericKubernetesResource> load(Path file) throws IOException {
    String text = Files.readString(file);
    return Stream.of(text.split("(?m)^---\\s*$"))
        .filter(d -> d.lines().anyMatch(l -> l.startsWith("kind:")))
        .map(d -> Serialization.unmarshal(d, GenericKubernetesResource.class))
        .toList();
  }

  private static Stream<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }
}
