package io.awsauth.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package under io.awsauth.operator depends, through the imports of the production sources, on a
 * package that depends back on it: each concern can be read, and changed, above the ones it uses.
 */
class PackageCycleTest {
  private static final Path SOURCES = Path.of("src/main/java");
  private static final String ROOT = "io.awsauth.operator";
  private static final Pattern PACKAGE =
      Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
  private static final Pattern IMPORT =
      Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)(?:\\.\\*)?;", Pattern.MULTILINE);

  @Test
  void noCycleBetweenPackages() {
    Map<String, Set<String>> graph = dependencies(SOURCES);
    assertThat(graph)
        .containsKeys(
            ROOT + ".authconfig", ROOT + ".identity", ROOT + ".credential", ROOT + ".runtime")
        .as("classes in the root package, outside any concern")
        .doesNotContainKey(ROOT);
    assertThat(cycle(graph)).as("a cycle between packages").isEmpty();
  }

  /**
   * The production jar holds the operator only: build steps (such as {@code
   * api.crd.PrinterColumnOrder}, run by the pom after the CRD generator) live in the test sources.
   */
  @Test
  void noBuildToolInTheProductionSources() throws IOException {
    Pattern main = Pattern.compile("static\\s+void\\s+main\\s*\\(");
    try (Stream<Path> files = Files.walk(SOURCES)) {
      List<Path> tools =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> main.matcher(read(f)).find())
              .toList();
      assertThat(tools).as("production classes with a main method").isEmpty();
    }
    assertThat(main.matcher("  public static void main(String[] args) {").find()).isTrue();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void findsACycle() {
    Map<String, Set<String>> graph = new TreeMap<>();
    graph.put("a", Set.of("b"));
    graph.put("b", Set.of("c"));
    graph.put("c", Set.of("a"));
    graph.put("d", Set.of("a"));
    assertThat(cycle(graph)).contains(List.of("a", "b", "c", "a"));
    graph.put("c", Set.of());
    assertThat(cycle(graph)).isEmpty();
  }

  /** Package to the packages under ROOT whose classes it imports (other than itself). */
  static Map<String, Set<String>> dependencies(Path sources) {
    Map<String, Set<String>> graph = new TreeMap<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String text = Files.readString(file);
        Matcher p = PACKAGE.matcher(text);
        if (!p.find()) {
          continue;
        }
        String from = p.group(1);
        Set<String> to = graph.computeIfAbsent(from, k -> new TreeSet<>());
        Matcher i = IMPORT.matcher(text);
        while (i.find()) {
          packageOf(i.group(1)).filter(pkg -> !pkg.equals(from)).ifPresent(to::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return graph;
  }

  /** The package of an imported name under ROOT: the segments before the first capitalised one. */
  private static Optional<String> packageOf(String imported) {
    if (!imported.startsWith(ROOT + ".")) {
      return Optional.empty();
    }
    List<String> segments = new ArrayList<>();
    for (String segment : imported.split("\\.")) {
      if (Character.isUpperCase(segment.charAt(0))) {
        break;
      }
      segments.add(segment);
    }
    return Optional.of(String.join(".", segments));
  }

  /** One cycle (first package repeated at the end), or empty. */
  static Optional<List<String>> cycle(Map<String, Set<String>> graph) {
    Set<String> done = new HashSet<>();
    for (String start : graph.keySet()) {
      Optional<List<String>> found = visit(graph, start, new ArrayList<>(), done);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private static Optional<List<String>> visit(
      Map<String, Set<String>> graph, String node, List<String> path, Set<String> done) {
    int seen = path.indexOf(node);
    if (seen >= 0) {
      List<String> cycle = new ArrayList<>(path.subList(seen, path.size()));
      cycle.add(node);
      return Optional.of(cycle);
    }
    if (done.contains(node)) {
      return Optional.empty();
    }
    path.add(node);
    for (String next : graph.getOrDefault(node, Set.of())) {
      Optional<List<String>> found = visit(graph, next, path, done);
      if (found.isPresent()) {
        return found;
      }
    }
    path.remove(path.size() - 1);
    done.add(node);
    return Optional.empty();
  }
}
