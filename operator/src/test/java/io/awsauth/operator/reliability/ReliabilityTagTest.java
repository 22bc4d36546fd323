package io.awsauth.operator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The tag, not the name, decides which run a class belongs to: the name must still say it. Every
 * {@code *Suite} is a reliability suite ({@link Reliability}, excluded from the default build) and
 * no {@code *IT} or {@code *E2E} is one (it would silently leave {@code mvn verify}).
 */
class ReliabilityTagTest {
  @Test
  void everySuiteAndOnlySuitesCarryTheReliabilityTag() throws Exception {
    List<Class<?>> classes = testClasses();
    List<Class<?>> suites =
        classes.stream().filter(c -> c.getSimpleName().endsWith("Suite")).toList();
    assertThat(suites).as("the *Suite classes found").hasSizeGreaterThanOrEqualTo(5);
    assertThat(suites)
        .as("*Suite classes without @Reliability")
        .allMatch(c -> c.isAnnotationPresent(Reliability.class));
    assertThat(classes)
        .as("*IT and *E2E classes with @Reliability")
        .filteredOn(c -> c.getSimpleName().endsWith("IT") || c.getSimpleName().endsWith("E2E"))
        .isNotEmpty()
        .noneMatch(c -> c.isAnnotationPresent(Reliability.class));
  }

  /** The top-level classes of the operator module's test classes directory. */
  private static List<Class<?>> testClasses() throws IOException, URISyntaxException {
    Path root =
        Path.of(
            ReliabilityTagTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .map(p -> root.relativize(p).toString())
          .filter(name -> name.endsWith(".class") && !name.contains("$"))
          .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
          .filter(name -> name.endsWith("Suite") || name.endsWith("IT") || name.endsWith("E2E"))
          .<Class<?>>map(ReliabilityTagTest::load)
          .toList();
    }
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, ReliabilityTagTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
