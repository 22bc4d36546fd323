package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
