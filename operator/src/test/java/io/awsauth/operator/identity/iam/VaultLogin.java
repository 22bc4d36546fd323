package io.awsauth.operator.identity.iam;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.TestEnvironment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The login data of {@code vault login -method=aws} made by Vault's own client library
 * (go-secure-stdlib/awsutil {@code GenerateLoginData}, src/test/go/vaultlogin), not by this
 * project's signing: what a Vault user's proof really looks like. The helper is built with the Go
 * toolchain from the Go module proxy once, and cached outside the repository as e2e/local-env
 * caches its binaries ({@code $AAO_CACHE_DIR}, default {@code ~/.cache/aws-auth-operator}), keyed
 * by the hash of its sources (go.mod pins awsutil v0.3.0).
 */
final class VaultLogin {
  private static final Path SOURCES =
      TestEnvironment.repoRoot().resolve("operator/src/test/go/vaultlogin");
  private static Path binary;

  private VaultLogin() {}

  /**
   * The four fields for {@code workload}'s credentials, with the CLI's {@code region} (and, with
   * {@code regionalSts}, AWS_STS_REGIONAL_ENDPOINTS=regional: a regional host is signed for).
   */
  static Map<String, String> loginData(
      Workload workload, String region, boolean regionalSts, String serverId) {
    ProcessBuilder run =
        new ProcessBuilder(
            binary().toString(), "-region", region, "-server-id", serverId == null ? "" : serverId);
    Map<String, String> env = run.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_"));
    env.put("AWS_ACCESS_KEY_ID", workload.keyId());
    env.put("AWS_SECRET_ACCESS_KEY", workload.secret());
    if (workload.token() != null) {
      env.put("AWS_SESSION_TOKEN", workload.token());
    }
    if (regionalSts) {
      env.put("AWS_STS_REGIONAL_ENDPOINTS", "regional");
    }
    try {
      Process p = run.redirectError(ProcessBuilder.Redirect.INHERIT).start();
      byte[] out = p.getInputStream().readAllBytes();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("vaultlogin finished").isTrue();
      assertThat(p.exitValue()).as("vaultlogin exit code").isZero();
      return new ObjectMapper().readValue(out, new TypeReference<Map<String, String>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A proof Secret holding {@code fields} as the CLI sends them; returns its name. */
  static String secret(KubernetesClient client, String namespace, Map<String, String> fields) {
    String name = Aws.unique("vault-proof");
    Fixtures.secret(client, namespace, name, fields);
    return name;
  }

  /** The URL the login data is signed for (decoded). */
  static String url(Map<String, String> fields) {
    return new String(
        java.util.Base64.getDecoder().decode(fields.get(IamProof.URL_FIELD)),
        StandardCharsets.UTF_8);
  }

  static synchronized Path binary() {
    if (binary != null) {
      return binary;
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String file : List.of("go.mod", "go.sum", "main.go")) {
        sha.update(Files.readAllBytes(SOURCES.resolve(file)));
      }
      String key = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
      String cacheDir = System.getenv("AAO_CACHE_DIR");
      Path dir =
          (cacheDir == null || cacheDir.isBlank()
                  ? Path.of(System.getProperty("user.home"), ".cache", "aws-auth-operator")
                  : Path.of(cacheDir))
              .resolve("vaultlogin-awsutil-v0.3.0-" + key);
      Path target = dir.resolve("vaultlogin");
      if (!Files.isExecutable(target)) {
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, "vaultlogin", ".partial");
        ProcessBuilder build =
            new ProcessBuilder("go", "build", "-o", partial.toString(), ".")
                .directory(SOURCES.toFile())
                .redirectErrorStream(true);
        build.environment().put("GOFLAGS", "-mod=mod -buildvcs=false");
        Process p = build.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("go build of src/test/go/vaultlogin: %s", log).isZero();
        Files.move(
            partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      binary = target;
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
