package io.awsauth.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfigReason;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.api.v1alpha1.EventReason;
import io.awsauth.operator.api.v1alpha1.Reason;
import io.awsauth.operator.api.v1alpha1.StsRoleBindingReason;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/troubleshooting.md has one table per kind whose first column is the reason in backticks:
 * every reason a kind can show is in its table, and the table names no reason the kind does not
 * have.
 */
class ReasonsDocTest {
  private static final Path DOC = Path.of("../docs/troubleshooting.md");
  private static final Pattern ROW = Pattern.compile("^\\| `([A-Za-z0-9]+)` \\|");

  static Stream<Arguments> kinds() {
    return Stream.of(
        Arguments.of("AwsAuthConfig", AwsAuthConfigReason.all()),
        Arguments.of("StsRoleBinding", StsRoleBindingReason.all()),
        Arguments.of("VaultAwsRole", VaultAwsRoleReason.all()),
        Arguments.of("AwsCredentialRequest", AwsCredentialRequestReason.all()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void theKindsTableListsExactlyItsReasons(String kind, List<Reason> reasons) throws IOException {
    Set<String> documented = table(Files.readAllLines(DOC), kind);
    Set<String> declared =
        reasons.stream().map(Reason::name).collect(Collectors.toCollection(LinkedHashSet::new));

    assertThat(documented).as("reasons in the %s table", kind).isNotEmpty();
    assertThat(declared)
        .as("%s reasons missing from docs/troubleshooting.md", kind)
        .isSubsetOf(documented);
    assertThat(documented)
        .as("reasons in the %s table that the kind does not have", kind)
        .isSubsetOf(declared);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void eachReasonIsOneWordWithADescription(String kind, List<Reason> reasons) {
    assertThat(reasons).extracting(Reason::name).doesNotHaveDuplicates();
    assertThat(reasons)
        .allSatisfy(
            r -> {
              assertThat(r.name()).matches("[A-Z][A-Za-z0-9]*");
              assertThat(r.description()).isNotBlank();
              assertThat(r.recheck()).isNotNull();
            });
  }

  /** The "Events" table: every EventReason, on its kind, with its type; nothing else. */
  @org.junit.jupiter.api.Test
  void theEventsTableListsExactlyTheEventReasons() throws IOException {
    Pattern row =
        Pattern.compile("^\\| `([A-Za-z0-9]+)` \\| `([A-Za-z]+)` \\| (Normal|Warning) \\|");
    Set<String> documented = new LinkedHashSet<>();
    boolean inSection = false;
    for (String line : Files.readAllLines(DOC)) {
      if (line.startsWith("## ")) {
        inSection = line.substring(3).trim().equals("Events");
        continue;
      }
      Matcher m = row.matcher(line);
      if (inSection && m.find()) {
        documented.add(m.group(1) + " " + m.group(2) + " " + m.group(3));
      }
    }
    Set<String> declared =
        Stream.of(EventReason.values())
            .map(r -> r.name() + " " + r.kind() + " " + (r.warning() ? "Warning" : "Normal"))
            .collect(Collectors.toCollection(LinkedHashSet::new));
    assertThat(documented).as("the Events table of docs/troubleshooting.md").isEqualTo(declared);
  }

  @org.junit.jupiter.api.Test
  void readsOnlyTheTableOfTheKind() {
    List<String> doc =
        List.of(
            "## A",
            "",
            "| reason | condition |",
            "|---|---|",
            "| `One` | `Ready=True` |",
            "| `Two` | `Ready=False` |",
            "",
            "## B",
            "| `Three` | x |");

    assertThat(table(doc, "A")).containsExactly("One", "Two");
    assertThat(table(doc, "B")).containsExactly("Three");
    assertThat(table(doc, "C")).isEmpty();
  }

  /** The reasons in the first column of the section {@code ## kind}. */
  static Set<String> table(List<String> lines, String kind) {
    Set<String> reasons = new LinkedHashSet<>();
    boolean inSection = false;
    for (String line : lines) {
      if (line.startsWith("## ")) {
        inSection = line.substring(3).trim().equals(kind);
        continue;
      }
      Matcher row = ROW.matcher(line);
      if (inSection && row.find()) {
        reasons.add(row.group(1));
      }
    }
    return reasons;
  }
}
