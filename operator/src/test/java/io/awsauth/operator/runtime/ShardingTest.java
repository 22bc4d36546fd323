package io.awsauth.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShardingTest {
  static final List<String> SHARDS = List.of("a", "b", "c");

  static Sharding shard(String name) {
    return Sharding.of(Optional.of(name), SHARDS);
  }

  static Map<String, String> labelled(String shard) {
    Map<String, String> labels = new HashMap<>(Map.of("app", "x"));
    if (shard != null) {
      labels.put(Sharding.LABEL, shard);
    }
    return labels;
  }

  @Test
  void everyRequestBelongsToExactlyOneShard() {
    List<Map<String, String>> requests = new ArrayList<>();
    requests.add(null);
    requests.add(Map.of());
    for (String value : new String[] {null, "a", "b", "c", "d", "A", ""}) {
      requests.add(labelled(value));
    }
    for (Map<String, String> labels : requests) {
      List<String> owners =
          SHARDS.stream().filter(s -> shard(s).owns(labels)).map(String::valueOf).toList();
      assertThat(owners).as("the shards owning a request labelled %s", labels).hasSize(1);
    }
    assertThat(shard("b").owns(labelled("b"))).isTrue();
    assertThat(shard("a").owns(labelled("b"))).isFalse();
    assertThat(shard("a").owns(labelled(null))).as("unlabelled: the first shard's").isTrue();
    assertThat(shard("a").owns(labelled("d"))).as("an unknown shard: the first's").isTrue();
    assertThat(shard("c").owns(labelled("d"))).isFalse();
  }

  @Test
  void theSelectorsSelectWhatOwnsSays() {
    // What the API server selects with them: `key=v` only that value; `key notin (v,...)` every
    // object without the key and every other value.
    assertThat(shard("a").requestSelector()).contains("awsauth.io/shard notin (b,c)");
    assertThat(shard("b").requestSelector()).contains("awsauth.io/shard=b");
    assertThat(shard("c").requestSelector()).contains("awsauth.io/shard=c");
    assertThat(Sharding.of(Optional.of("only"), List.of("only")).requestSelector())
        .as("one shard: every request")
        .isEmpty();
    assertThat(Sharding.none().requestSelector()).isEmpty();
  }

  @Test
  void aSelectorConfiguredForTheControllerIsNarrowedNotReplaced() {
    assertThat(shard("b").narrow("awsauth.io/operator-under-test"))
        .contains("awsauth.io/operator-under-test,awsauth.io/shard=b");
    assertThat(shard("b").narrow(null)).contains("awsauth.io/shard=b");
    assertThat(shard("b").narrow(" ")).contains("awsauth.io/shard=b");
    assertThat(Sharding.none().narrow("x=y")).contains("x=y");
    assertThat(Sharding.none().narrow(null)).isEmpty();
  }

  @Test
  void theFirstShardAloneDoesTheClusterWork() {
    assertThat(shard("a").runsClusterWork()).isTrue();
    assertThat(shard("b").runsClusterWork()).isFalse();
    assertThat(shard("c").runsClusterWork()).isFalse();
    assertThat(Sharding.none().runsClusterWork()).isTrue();
    assertThat(Sharding.none().owns(labelled("b"))).isTrue();
  }

  @Test
  void eachShardHasALeaseOfItsOwn() {
    assertThat(shard("a").leaseName("aao-lease")).isEqualTo("aao-lease-a");
    assertThat(shard("b").leaseName("aao-lease")).isEqualTo("aao-lease-b");
    assertThat(Sharding.none().leaseName("aao-lease")).isEqualTo("aao-lease");
  }

  @Test
  void aConfigurationThatDoesNotDescribeOneShardIsRefused() {
    assertThat(Sharding.of(Optional.empty(), List.of())).isEqualTo(Sharding.none());
    assertThat(Sharding.of(Optional.of(" "), List.of(" "))).isEqualTo(Sharding.none());
    assertThat(Sharding.of(Optional.of(" b "), List.of("a", " b")).name()).contains("b");
    assertThatThrownBy(() -> Sharding.of(Optional.empty(), SHARDS))
        .hasMessageContaining("aao.shard.name");
    assertThatThrownBy(() -> Sharding.of(Optional.of("a"), List.of()))
        .hasMessageContaining("aao.shard.names");
    assertThatThrownBy(() -> Sharding.of(Optional.of("d"), SHARDS))
        .hasMessageContaining("not one of");
    assertThatThrownBy(() -> Sharding.of(Optional.of("a"), List.of("a", "b", "a")))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> Sharding.of(Optional.of("a b"), List.of("a b")))
        .hasMessageContaining("not a label value");
    assertThatThrownBy(() -> Sharding.of(Optional.of("a"), List.of("a", "-b")))
        .hasMessageContaining("not a label value");
    assertThatThrownBy(() -> Sharding.of(Optional.of("a"), List.of("a", "b".repeat(64))))
        .hasMessageContaining("not a label value");
  }
}
