package io.awsauth.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/api.md is the API reference of the four kinds: every spec and status field of the committed
 * CRDs (crds/) is named in its kind's section, as {@code `spec.a.b`} ({@code []} for the items of a
 * list: {@code `spec.rolloutRestartTargets[].kind`}), and every field path the section names is a
 * field of that CRD. The items of status.conditions are the standard condition fields, described
 * once under "Conventions", and are not listed per kind.
 */
class ApiDocTest {
  private static final Pattern NAMED_PATH =
      Pattern.compile("`((?:spec|status)(?:\\.[A-Za-z0-9]+(?:\\[\\])?)+)`");

  private final Path root = Path.of(System.getProperty("aao.repo.root", ".."));

  @Test
  void everyFieldOfEveryCrdIsDocumentedInItsKindsSection() throws IOException {
    String doc = Files.readString(root.resolve("docs/api.md"));
    List<CustomResourceDefinition> crds = crds();
    assertThat(crds).as("CRDs in crds/").hasSize(4);
    for (CustomResourceDefinition crd : crds) {
      String kind = crd.getSpec().getNames().getKind();
      String section = section(doc, kind);
      Set<String> missing = new TreeSet<>();
      for (String path : fieldPaths(crd)) {
        if (!section.contains("`" + path + "`")) {
          missing.add(path);
        }
      }
      assertThat(missing)
          .as("fields of %s (crds/) missing from the section '## %s' of docs/api.md", kind, kind)
          .isEmpty();
    }
  }

  @Test
  void everyFieldPathTheDocNamesExistsInItsKindsCrd() throws IOException {
    String doc = Files.readString(root.resolve("docs/api.md"));
    for (CustomResourceDefinition crd : crds()) {
      String kind = crd.getSpec().getNames().getKind();
      Set<String> known = new TreeSet<>(fieldPaths(crd));
      known.add("spec");
      known.add("status");
      Set<String> invented = new TreeSet<>();
      Matcher m = NAMED_PATH.matcher(section(doc, kind));
      while (m.find()) {
        if (!known.contains(m.group(1))) {
          invented.add(m.group(1));
        }
      }
      assertThat(invented)
          .as(
              "field paths in the section '## %s' of docs/api.md that the CRD does not have (a"
                  + " field of another kind is written `OtherKind.spec.x`)",
              kind)
          .isEmpty();
    }
  }

  @Test
  void printerColumnsAndShortNamesAreDocumented() throws IOException {
    String doc = Files.readString(root.resolve("docs/api.md"));
    for (CustomResourceDefinition crd : crds()) {
      String kind = crd.getSpec().getNames().getKind();
      String section = section(doc, kind);
      for (CustomResourceColumnDefinition column : version(crd).getAdditionalPrinterColumns()) {
        assertThat(section)
            .as("printer column %s of %s in docs/api.md", column.getName(), kind)
            .contains("`" + column.getName().toUpperCase(Locale.ROOT) + "`");
      }
      for (String shortName : crd.getSpec().getNames().getShortNames()) {
        assertThat(doc).as("short name of %s in docs/api.md", kind).contains("`" + shortName + "`");
      }
    }
  }

  /** Spec and status field paths of the CRD's served version, depth first. */
  static List<String> fieldPaths(CustomResourceDefinition crd) {
    Map<String, JSONSchemaProps> top =
        version(crd).getSchema().getOpenAPIV3Schema().getProperties();
    List<String> paths = new ArrayList<>();
    for (String part : List.of("spec", "status")) {
      JSONSchemaProps schema = top.get(part);
      assertThat(schema).as("%s of %s", part, crd.getMetadata().getName()).isNotNull();
      collect(part, schema, paths);
    }
    return paths;
  }

  private static void collect(String prefix, JSONSchemaProps schema, List<String> paths) {
    if (prefix.equals("status.conditions")) {
      return; // standard condition items, described once
    }
    if (schema.getProperties() != null) {
      schema
          .getProperties()
          .forEach(
              (name, child) -> {
                String path = prefix + "." + name;
                paths.add(path);
                collect(path, child, paths);
              });
    }
    if (schema.getItems() != null && schema.getItems().getSchema() != null) {
      JSONSchemaProps items = schema.getItems().getSchema();
      if (items.getProperties() != null && !prefix.equals("status.conditions")) {
        items
            .getProperties()
            .forEach(
                (name, child) -> {
                  String path = prefix + "[]." + name;
                  paths.add(path);
                  collect(path, child, paths);
                });
      }
    }
  }

  /** The text from "## kind" to the next second-level heading. */
  private static String section(String doc, String kind) {
    String heading = "\n## " + kind + "\n";
    int start = doc.indexOf(heading);
    assertThat(start).as("a section '## %s' in docs/api.md", kind).isNotNegative();
    int end = doc.indexOf("\n## ", start + heading.length());
    return doc.substring(start, end < 0 ? doc.length() : end);
  }

  private static CustomResourceDefinitionVersion version(CustomResourceDefinition crd) {
    return crd.getSpec().getVersions().stream()
        .filter(CustomResourceDefinitionVersion::getStorage)
        .findFirst()
        .orElseThrow();
  }

  private List<CustomResourceDefinition> crds() throws IOException {
    List<CustomResourceDefinition> crds = new ArrayList<>();
    try (Stream<Path> files = Files.list(root.resolve("crds"))) {
      for (Path file :
          files
              .filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
              .sorted()
              .toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          crds.add(Serialization.unmarshal(in, CustomResourceDefinition.class));
        }
      }
    }
    return crds;
  }
}
