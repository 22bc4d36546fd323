package io.awsauth.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The benchmark's options: the peer is opt-in, and --vault-bin only goes with it. */
class BenchmarkOptionsTest {
  private static Benchmark parsed(String... args) {
    Benchmark b = new Benchmark();
    b.parse(args);
    return b;
  }

  @Test
  void withoutPeerThereIsNoVault() {
    Benchmark b = parsed("--n=20", "--skip=scale,memory,rotation");

    assertThat(b.peer).isNull();
    assertThat(b.vaultBin).isNull();
    assertThat(b.latencyN).isEqualTo(20);
    assertThat(b.skip).containsExactlyInAnyOrder("scale", "memory", "rotation");
  }

  @Test
  void peerVaultBuildsItsOwnVaultUnlessGivenOne() {
    assertThat(parsed("--peer=vault").peer).isEqualTo("vault");
    assertThat(parsed("--peer=vault").vaultBin).isNull();

    Benchmark given = parsed("--peer=vault", "--vault-bin=/opt/vault/bin/vault");
    assertThat(given.vaultBin).isEqualTo(Path.of("/opt/vault/bin/vault"));
  }

  @Test
  void anotherPeerOrAVaultWithoutThePeerIsRefused() {
    assertThatThrownBy(() -> parsed("--peer=openbao"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the only peer is vault");
    assertThatThrownBy(() -> parsed("--vault-bin=/opt/vault/bin/vault"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--vault-bin needs --peer=vault");
    assertThatThrownBy(() -> parsed("--vault"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--peer=vault");
  }

  @Test
  void theKeysPhaseTakesAtMostTenIssuancesPerTypeAndSide() {
    assertThat(parsed("--n=50").keysN()).isEqualTo(10);
    assertThat(parsed("--n=4").keysN()).isEqualTo(4);
  }
}
