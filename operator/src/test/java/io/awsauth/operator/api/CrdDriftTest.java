package io.awsauth.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CRDs committed in crds/ and in the chart are exactly what the build generates from the Java
 * model. When this fails, regenerate: {@code mvn -pl operator -Pupdate-crds process-test-classes}.
 */
class CrdDriftTest {
  private static final String FIX =
      "the committed CRDs differ from the Java model; run"
          + " `mvn -pl operator -Pupdate-crds process-test-classes` and commit crds/ and"
          + " helm/aws-auth-operator/crds/";

  private final Path generated = Path.of(System.getProperty("crds.generated", "target/crds"));
  private final Path root = Path.of(System.getProperty("aao.repo.root", ".."));

  @Test
  void committedCrdsMatchTheModel() throws IOException {
    assertSameFiles(generated, root.resolve("crds"));
  }

  @Test
  void chartCrdsMatchTheModel() throws IOException {
    assertSameFiles(generated, root.resolve("helm/aws-auth-operator/crds"));
  }

  @Test
  void oneCrdPerKind() throws IOException {
    assertThat(names(generated))
        .containsExactly(
            "awsauthconfigs.awsauth.io-v1.yml",
            "awscredentialrequests.awsauth.io-v1.yml",
            "stsrolebindings.awsauth.io-v1.yml",
            "vaultawsroles.awsauth.io-v1.yml");
  }

  private static void assertSameFiles(Path expectedDir, Path actualDir) throws IOException {
    assertThat(actualDir).as(FIX).isDirectory();
    assertThat(names(actualDir)).as(FIX).isEqualTo(names(expectedDir));
    for (String name : names(expectedDir)) {
      assertThat(Files.readString(actualDir.resolve(name)))
          .as(actualDir.resolve(name) + ": " + FIX)
          .isEqualTo(Files.readString(expectedDir.resolve(name)));
    }
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yml"))
          .sorted()
          .toList();
    }
  }
}
