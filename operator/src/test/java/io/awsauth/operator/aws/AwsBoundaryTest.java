package io.awsauth.operator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Only the SDK adapters ({@code io.awsauth.operator.aws.sdk}) may use AWS SDK types: everything
 * above them, the ports in {@code io.awsauth.operator.aws} included, sees interfaces and plain
 * values. Checked on the compiled classes, so an import, a fully qualified name and a type in a
 * signature all count.
 */
class AwsBoundaryTest {
  private static final Path CLASSES = Path.of("target/classes/io/awsauth/operator");
  private static final Path SDK_ADAPTERS = CLASSES.resolve("aws/sdk");
  private static final String SDK = "software/amazon/";

  @Test
  void noProductionClassAboveTheSdkAdaptersReferencesTheSdk() throws IOException {
    List<Path> classes = classes();
    assertThat(classes).as("compiled production classes").hasSizeGreaterThan(100);

    List<String> offenders =
        classes.stream()
            .filter(c -> !c.startsWith(SDK_ADAPTERS))
            .filter(AwsBoundaryTest::referencesSdk)
            .map(c -> CLASSES.relativize(c).toString())
            .toList();

    assertThat(offenders).as("classes outside aws/sdk that use AWS SDK types").isEmpty();
  }

  @Test
  void theCheckSeesSdkReferencesWhereTheyAre() throws IOException {
    // Guards the check itself: it must recognise the adapters' own SDK use.
    assertThat(classes().stream().filter(c -> c.startsWith(SDK_ADAPTERS)))
        .anyMatch(AwsBoundaryTest::referencesSdk);
  }

  private static List<Path> classes() throws IOException {
    try (Stream<Path> files = Files.walk(CLASSES)) {
      return files.filter(f -> f.toString().endsWith(".class")).toList();
    }
  }

  private static boolean referencesSdk(Path classFile) {
    try {
      // Class names in the constant pool are stored as modified UTF-8; ASCII names read as is.
      return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains(SDK);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
