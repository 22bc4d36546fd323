package io.awsauth.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * The benchmark's peer (issue 19): HashiCorp Vault's AWS secrets engine, in dev mode on a free
 * loopback port, configured with the operator's own root key against the same emulator, with one
 * role per credential type Vault 1.14 has (the same policy document and role ARN as the operator's
 * roles), and issued from over its HTTP API with one keep-alive client. Dev mode keeps everything
 * in memory, which spares Vault a storage write per lease.
 *
 * <p>The dev root token is random and never printed: it reaches Vault through its environment
 * (VAULT_DEV_ROOT_TOKEN_ID, not the command line that {@code ps} shows), and the lines of Vault's
 * output that would hold it or the unseal key are left out of its log. {@link #close()} stops Vault
 * (SIGTERM, SIGKILL after 10 s); a watchdog process kills it too if the benchmark's JVM ends
 * without closing it.
 */
final class VaultPeer implements AutoCloseable {
  /** What Vault 1.14 says to a credential type it does not have. */
  static final String NO_SESSION_TOKEN =
      "no counterpart (Vault 1.14's AWS engine has no session_token type)";

  private final Process process;
  private final Process watchdog;
  private final String address;
  private final String token;
  private final Path home;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<CredentialType, String> roles = new LinkedHashMap<>();
  private String version = "?";

  private VaultPeer(Process process, Process watchdog, String address, String token, Path home) {
    this.process = process;
    this.watchdog = watchdog;
    this.address = address;
    this.token = token;
    this.home = home;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  /** Whether Vault 1.14's AWS engine issues {@code type}. */
  static boolean hasCounterpart(CredentialType type) {
    return type != CredentialType.SESSION_TOKEN;
  }

  /**
   * The request Vault is asked for {@code type}'s credential with, as the report names it: {@code
   * GET /v1/aws/creds/<role>} (iam_user) or {@code POST /v1/aws/sts/<role>} with the ttl.
   */
  static String issuePath(CredentialType type, String role) {
    return type == CredentialType.IAM_USER
        ? "GET /v1/aws/creds/" + role
        : "POST /v1/aws/sts/" + role;
  }

  /**
   * Starts {@code binary} in dev mode on a free port of 127.0.0.1; its output goes to {@code log}.
   */
  static VaultPeer start(Path binary, Path log) throws IOException, InterruptedException {
    if (!Files.isExecutable(binary)) {
      throw new IllegalArgumentException("Vault binary " + binary + " is not executable");
    }
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String token = "aao-bench-" + HexFormat.of().formatHex(random);
    int port = freePortPair();
    String address = "http://127.0.0.1:" + port;
    Path home = Files.createTempDirectory("aao-bench-vault-home");
    ProcessBuilder pb =
        new ProcessBuilder(
                binary.toString(),
                "server",
                "-dev",
                "-dev-listen-address=127.0.0.1:" + port,
                "-dev-no-store-token")
            .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("VAULT_"));
    env.put("VAULT_DEV_ROOT_TOKEN_ID", token);
    env.put("HOME", home.toString());
    Process p = pb.start();
    copyRedacted(p, log, token);
    Process watchdog =
        new ProcessBuilder(
                "bash",
                "-c",
                // $1 the benchmark's JVM, $2 Vault, $3 Vault's HOME: once the JVM is gone
                // without having stopped Vault, SIGTERM, SIGKILL after 10 s, HOME removed.
                "while kill -0 \"$1\" 2>/dev/null; do"
                    + " kill -0 \"$2\" 2>/dev/null || exit 0; sleep 1; done;"
                    + " kill \"$2\" 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do"
                    + " kill -0 \"$2\" 2>/dev/null || break; sleep 1; done;"
                    + " kill -0 \"$2\" 2>/dev/null && kill -9 \"$2\" 2>/dev/null;"
                    + " rm -rf -- \"$3\"",
                "vault-watchdog",
                String.valueOf(ProcessHandle.current().pid()),
                String.valueOf(p.pid()),
                home.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    VaultPeer vault = new VaultPeer(p, watchdog, address, token, home);
    try {
      vault.awaitUnsealed(Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      vault.close();
      throw e;
    }
    return vault;
  }

  /**
   * The AWS engine mounted at aws/, {@code aws/config/root} holding the operator's key with the
   * emulator as IAM and STS endpoint, and the roles: {@code roleName} of each type Vault has, with
   * {@code policy} and, for assumed_role, {@code roleArn}.
   */
  void configure(
      String endpoint,
      String keyId,
      String secretKey,
      String policy,
      String roleArn,
      Map<CredentialType, String> roleNames) {
    write("sys/mounts/aws", Map.of("type", "aws"));
    write(
        "aws/config/root",
        Map.of(
            "access_key",
            keyId,
            "secret_key",
            secretKey,
            "region",
            "us-east-1",
            "iam_endpoint",
            endpoint,
            "sts_endpoint",
            endpoint));
    roleNames.forEach(
        (type, name) -> {
          if (!hasCounterpart(type)) {
            return;
          }
          Map<String, Object> role = new LinkedHashMap<>();
          role.put("credential_type", type.wireName());
          role.put("policy_document", policy);
          if (type == CredentialType.ASSUMED_ROLE) {
            role.put("role_arns", List.of(roleArn));
          }
          write("aws/roles/" + name, role);
          roles.put(type, name);
        });
    JsonNode health = call("GET", "sys/health", null);
    version = health.path("version").asText("?");
  }

  /** Vault's version, as its sys/health said. */
  String version() {
    return version;
  }

  /** One credential of {@code type} (a configured role), with {@code ttl} for the STS types. */
  AwsCredentials issue(CredentialType type, String ttl) {
    String role = roles.get(type);
    if (role == null) {
      throw new IllegalArgumentException("no Vault role for " + type.wireName());
    }
    JsonNode data =
        type == CredentialType.IAM_USER
            ? call("GET", "aws/creds/" + role, null).path("data")
            : call("POST", "aws/sts/" + role, Map.of("ttl", ttl)).path("data");
    String keyId = data.path("access_key").asText();
    String secretKey = data.path("secret_key").asText();
    String sessionToken = data.path("security_token").asText("");
    return sessionToken.isEmpty()
        ? AwsBasicCredentials.create(keyId, secretKey)
        : AwsSessionCredentials.create(keyId, secretKey, sessionToken);
  }

  private void write(String path, Object body) {
    call("POST", path, body);
  }

  private JsonNode call(String method, String path, Object body) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(address + "/v1/" + path))
              .timeout(Duration.ofSeconds(120))
              .header("X-Vault-Token", token);
      b =
          body == null
              ? b.method(method, HttpRequest.BodyPublishers.noBody())
              : b.header("Content-Type", "application/json")
                  .method(
                      method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            "Vault " + method + " /v1/" + path + ": HTTP " + r.statusCode() + " " + errors(r));
      }
      return r.body().isBlank() ? json.createObjectNode() : json.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Vault's "errors" array (never a credential: an error response has none). */
  private String errors(HttpResponse<String> r) {
    try {
      return json.readTree(r.body()).path("errors").toString();
    } catch (IOException e) {
      return "(no JSON body)";
    }
  }

  private void awaitUnsealed(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Vault exited with status " + process.exitValue() + " before it answered");
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(address + "/v1/sys/health"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException("Vault did not answer on " + address + " in " + timeout);
      }
      Thread.sleep(200);
    }
  }

  /** Vault's output into {@code log}, without the lines that hold the root token or unseal key. */
  private static void copyRedacted(Process p, Path log, String token) throws IOException {
    Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
    Thread t =
        new Thread(
            () -> {
              try (w;
                  BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (line.contains(token)
                      || line.contains("Root Token:")
                      || line.contains("Unseal Key:")) {
                    line = "[line left out by the benchmark: it holds a secret]";
                  }
                  w.write(line);
                  w.write('\n');
                  w.flush();
                }
              } catch (IOException e) {
                // Vault ended.
              }
            },
            "vault-log");
    t.setDaemon(true);
    t.start();
  }

  /** A free port of 127.0.0.1 whose successor is free too (dev mode's cluster port). */
  private static int freePortPair() throws IOException {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, loopback)) {
        port = s.getLocalPort();
      }
      if (port >= 65535) {
        continue;
      }
      try (ServerSocket a = new ServerSocket(port, 1, loopback);
          ServerSocket b = new ServerSocket(port + 1, 1, loopback)) {
        return port;
      } catch (IOException e) {
        // taken: try another
      }
    }
    throw new IOException("no free pair of ports on 127.0.0.1");
  }

  /** The process's pid (for the log: never its token). */
  long pid() {
    return process.pid();
  }

  String address() {
    return address;
  }

  /** Stops Vault: SIGTERM, SIGKILL after 10 s; then the watchdog; removes its HOME. Idempotent. */
  @Override
  public synchronized void close() {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      watchdog.destroyForcibly();
      try (var files = Files.walk(home)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // already gone
      }
    }
  }

  boolean alive() {
    return process.isAlive();
  }
}
