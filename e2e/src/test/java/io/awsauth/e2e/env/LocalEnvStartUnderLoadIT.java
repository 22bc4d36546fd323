package io.awsauth.e2e.env;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.testenv.TestEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, bug 4: {@code e2e/local-env up} must not declare a component dead while it is still
 * starting. A component's process is a copy of the script between the fork and the exec of its
 * command, without the environment marker the script recognizes its processes by; {@code up} used
 * to read that as "exited during startup". Here the window is held open for every component ({@code
 * AAO_LOCAL_ENV_TEST_EXEC_DELAY}) on a CPU-loaded machine, and an environment of its own (its own
 * state dir and ports, the shared binary cache) goes up and down twice: every {@code up} succeeds,
 * and every {@code down} leaves no process and no state behind.
 */
class LocalEnvStartUnderLoadIT {
  private static final Path SCRIPT = TestEnvironment.repoRoot().resolve("e2e/local-env");
  private final Path stateDir =
      TestEnvironment.repoRoot().resolve("e2e/target/local-env-start-under-load");
  private final List<Process> load = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    load.forEach(Process::destroyForcibly);
    run(120, "down");
  }

  @Test
  void upNeverCallsAStartingComponentDead() throws Exception {
    run(120, "down");
    int cpus = Runtime.getRuntime().availableProcessors();
    for (int i = 0; i < cpus; i++) {
      load.add(
          new ProcessBuilder("nice", "-n", "5", "sh", "-c", "while :; do :; done")
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start());
    }
    for (int cycle = 1; cycle <= 2; cycle++) {
      Result up = run(600, "up", "--no-node");
      assertThat(up.exit()).as("cycle %d: up (log below)%n%s", cycle, up.log()).isZero();
      assertThat(up.log()).doesNotContain("exited during startup");
      assertThat(run(60, "status").exit()).as("cycle %d: status after up", cycle).isZero();

      Result down = run(120, "down");
      assertThat(down.exit()).as("cycle %d: down%n%s", cycle, down.log()).isZero();
      assertThat(stateDir).as("cycle %d: state dir removed", cycle).doesNotExist();
      assertThat(marked()).as("cycle %d: processes left by down", cycle).isEmpty();
    }
  }

  /** Processes carrying this environment's marker (AAO_LOCAL_ENV_OWNER=state dir). */
  private List<String> marked() throws IOException {
    byte[] marker = ("AAO_LOCAL_ENV_OWNER=" + stateDir).getBytes(StandardCharsets.UTF_8);
    List<String> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          byte[] environ = Files.readAllBytes(p.resolve("environ"));
          if (contains(environ, marker)) {
            found.add(p.getFileName() + " " + Files.readString(p.resolve("comm")).strip());
          }
        } catch (IOException gone) {
          // exited meanwhile, or not ours to read
        }
      }
    }
    return found;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (i > 0 && haystack[i - 1] != 0) {
        continue;
      }
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      int end = i + needle.length;
      if (end == haystack.length || haystack[end] == 0) {
        return true;
      }
    }
    return false;
  }

  private Result run(int timeoutSeconds, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
    command.addAll(List.of(args));
    Path log = Files.createTempFile("local-env-", ".log");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              // stdout: the exports, with the emulator's admin keys; the log is stderr
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.to(log.toFile()));
      builder.environment().put("AAO_LOCAL_ENV_DIR", stateDir.toString());
      // The fork-to-exec window of every component, held open (e2e/local-env start_component).
      builder.environment().put("AAO_LOCAL_ENV_TEST_EXEC_DELAY", "0.5");
      Process p = builder.start();
      p.getOutputStream().close();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "e2e/local-env " + String.join(" ", args) + " timed out:\n" + Files.readString(log));
      }
      return new Result(p.exitValue(), Files.readString(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private record Result(int exit, String log) {}
}
