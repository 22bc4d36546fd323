package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UsernameTemplateTest {
  private static final String UID = "0d7c7c43-6a4c-4c4b-9d0f-3f2b5b1e2a11";

  @Test
  void defaultTemplateKeepsTheWholeUid() {
    assertThat(UsernameTemplate.render("aao-{{role}}-{{uid}}", UID, "team-a", "app", "my-role"))
        .isEqualTo("aao-my-role-" + UID);
  }

  @Test
  void longPartsAreShortenedToFitSixtyFourCharacters() {
    String name =
        UsernameTemplate.render(
            "{{namespace}}-{{name}}-{{role}}-{{uid}}",
            UID,
            "a-very-long-namespace-name-for-a-team",
            "an-equally-long-request-name",
            "and-a-long-role-name");
    assertThat(name).hasSizeLessThanOrEqualTo(64).endsWith(UID).startsWith("a-very");
  }

  /**
   * A cut never leaves a separator dangling: the part loses what the cut left at its end, and a
   * part cut to nothing takes one of its dashes with it. {@code <uid>} stands for the 36-character
   * UID; every name is at most IAM's 64 characters.
   */
  @ParameterizedTest(name = "{0} with {1}/{2}/{3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # template                                               | namespace    | name              | role             | user name
          # the issue's case: was acc-finance-tea-pay-ledger--<uid>
          acc-{{namespace}}-{{name}}-{{uid}}                        | finance-team | pay-ledger-writer | r                | acc-finance-tea-pay-ledger-<uid>
          # a cut on a double dash: was aao-pay---abcdefghijklmnopq-<uid>
          aao-{{name}}-abcdefghijklmnopq-{{uid}}                    | ns           | pay--ledger       | r                | aao-pay-abcdefghijklmnopq-<uid>
          # a cut on a dot: was ops.accounts.pay.-<uid>
          {{namespace}}.{{role}}-{{uid}}                            | ops          | n                 | accounts.pay.v2  | ops.accounts.pay-<uid>
          # no room left for the parts: was acc---abcdefghijklmnopqrstu-<uid>
          acc-{{namespace}}-{{name}}-abcdefghijklmnopqrstu-{{uid}}  | finance      | pay               | r                | acc-abcdefghijklmnopqrstu-<uid>
          # no room for a leading part: was -abcdefghijklmnopqrstuvwxyz-<uid>
          {{namespace}}-abcdefghijklmnopqrstuvwxyz-{{uid}}          | finance      | n                 | r                | abcdefghijklmnopqrstuvwxyz-<uid>
          # cuts that end on a letter stay as they are
          {{namespace}}-{{name}}-{{role}}-{{uid}}                   | a-very-long-namespace-name-for-a-team | an-equally-long-request-name | and-a-long-role-name | a-very-l-an-equal-and-a-lo-<uid>
          # nothing to cut
          aao-{{role}}-{{uid}}                                      | team-a       | app               | my-role          | aao-my-role-<uid>
          """)
  void aCutPartIsTrimmedCleanly(
      String template, String namespace, String name, String role, String expected) {
    String rendered = UsernameTemplate.render(template, UID, namespace, name, role);
    assertThat(rendered)
        .isEqualTo(expected.replace("<uid>", UID))
        .hasSizeLessThanOrEqualTo(64)
        .doesNotContain("--")
        .doesNotContain("-.")
        .doesNotContain(".-")
        .matches("[A-Za-z0-9+=,.@_-]+");
  }

  @Test
  void charactersIamRejectsAreReplaced() {
    assertThat(UsernameTemplate.render("x{{name}}{{uid}}", UID, "ns", "a/b:c", "r"))
        .isEqualTo("xa-b-c" + UID)
        .matches("[A-Za-z0-9+=,.@_-]+");
  }

  @Test
  void differentRequestsNeverShareAName() {
    String a = UsernameTemplate.render("aao-{{uid}}", UID, "ns", "n", "r");
    String b = UsernameTemplate.render("aao-{{uid}}", UID.replace('0', '1'), "ns", "n", "r");
    assertThat(a).isNotEqualTo(b);
  }
}
