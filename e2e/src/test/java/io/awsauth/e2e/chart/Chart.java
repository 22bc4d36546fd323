package io.awsauth.e2e.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.awsauth.operator.testenv.TestEnvironment;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Helm chart under test, driven by helm-java (Helm's Go code embedded as a native library, from
 * Maven Central: no helm binary to install).
 */
public final class Chart {
  public static final Path DIR = TestEnvironment.repoRoot().resolve("helm/aws-auth-operator");

  /**
   * The Kubernetes version {@code helm template} renders for: the local environment's (Helm would
   * otherwise assume v1.20).
   */
  static final String KUBE_VERSION = "v1.34.4";

  private Chart() {}

  static Helm helm() {
    return new Helm(DIR);
  }

  /** {@code helm template <release> -n <namespace> --set k=v...}, parsed into objects. */
  static Rendered template(String release, String namespace, Map<String, Object> values) {
    TemplateCommand template =
        helm().template().withName(release).withNamespace(namespace).withKubeVersion(KUBE_VERSION);
    values.forEach(template::set);
    return new Rendered(parse(template.call()));
  }

  static Rendered template(String release, String namespace, Path valuesFile) {
    return new Rendered(
        parse(
            helm()
                .template()
                .withName(release)
                .withNamespace(namespace)
                .withKubeVersion(KUBE_VERSION)
                .withValuesFile(valuesFile)
                .call()));
  }

  /** Splits a multi-document YAML stream and reads each document as its typed fabric8 model. */
  static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      boolean empty =
          doc.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#"));
      if (!empty) {
        objects.add(Serialization.unmarshal(doc));
      }
    }
    return objects;
  }

  /** The objects one {@code helm template} rendered. */
  record Rendered(List<HasMetadata> objects) {
    <T extends HasMetadata> List<T> all(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<HasMetadata> ofKind(String kind) {
      return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
      return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
      return find(type, name)
          .orElseThrow(
              () ->
                  new AssertionError(
                      "no "
                          + type.getSimpleName()
                          + " "
                          + name
                          + " among "
                          + objects.stream()
                              .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                              .toList()));
    }

    <T extends HasMetadata> T only(Class<T> type) {
      List<T> found = all(type);
      if (found.size() != 1) {
        throw new AssertionError("expected one " + type.getSimpleName() + ", got " + found.size());
      }
      return found.get(0);
    }
  }
}
