package io.awsauth.operator.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.ConfigMapListBuilder;
import io.fabric8.kubernetes.api.model.ListOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PagesTest {

  private static ConfigMapList page(String next, String... names) {
    List<ConfigMap> items = new ArrayList<>();
    for (String n : names) {
      items.add(new ConfigMapBuilder().withNewMetadata().withName(n).endMetadata().build());
    }
    return new ConfigMapListBuilder()
        .withNewMetadata()
        .withContinue(next)
        .endMetadata()
        .withItems(items)
        .build();
  }

  @Test
  void everyPageIsReadWithTheLimitAndTheTokenOfThePreviousOneUntilNoTokenIsLeft() {
    List<ListOptions> asked = new ArrayList<>();
    List<String> seen = new ArrayList<>();

    Pages.forEach(
        options -> {
          asked.add(options);
          return switch (asked.size()) {
            case 1 -> page("t1", "a", "b");
            case 2 -> page("t2", "c");
            case 3 -> page("", "d");
            default -> throw new AssertionError("read past the last page");
          };
        },
        (ConfigMap c) -> seen.add(c.getMetadata().getName()));

    assertThat(seen).containsExactly("a", "b", "c", "d");
    assertThat(asked).extracting(ListOptions::getLimit).containsOnly(Pages.PAGE_SIZE);
    assertThat(asked).extracting(ListOptions::getContinue).containsExactly(null, "t1", "t2");
  }

  @Test
  void aListWithoutMetadataIsOnePage() {
    List<String> seen = new ArrayList<>();
    int[] reads = {0};

    Pages.forEach(
        options -> {
          reads[0]++;
          ConfigMapList list = page(null, "only");
          list.setMetadata(null);
          return list;
        },
        (ConfigMap c) -> seen.add(c.getMetadata().getName()));

    assertThat(reads[0]).isEqualTo(1);
    assertThat(seen).containsExactly("only");
  }
}
