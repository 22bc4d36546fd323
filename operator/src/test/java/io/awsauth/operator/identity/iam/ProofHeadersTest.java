package io.awsauth.operator.identity.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.awsauth.operator.status.UserError;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProofHeadersTest {
  private static String reason(String field) {
    return catchThrowableOfType(UserError.class, () -> ProofHeaders.parse(field)).reason().name();
  }

  @Test
  void base64OfJsonWithLists() {
    ProofHeaders headers =
        ProofHeaders.parse(
            SignedProofs.b64("{\"X-Amz-Date\":[\"20260301T123456Z\"],\"A\":[\"1\",\"2\"]}"));
    assertThat(headers.single("x-amz-date")).contains("20260301T123456Z");
    assertThat(headers.get("a").orElseThrow().values()).containsExactly("1", "2");
  }

  @Test
  void plainJsonWithStringsAndNumbers() {
    ProofHeaders headers =
        ProofHeaders.parse("{\"Content-Length\": 43, \"Host\": \"sts.amazonaws.com\"}");
    assertThat(headers.single("Content-Length")).contains("43");
    assertThat(headers.single("HOST")).contains("sts.amazonaws.com");
  }

  @Test
  void nameValueLines() {
    ProofHeaders headers =
        ProofHeaders.parse(
            "Authorization: AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=c\r\n"
                + "X-Amz-Date:20260301T123456Z\n\n"
                + "x-amz-date: 20260301T123456Z\n");
    assertThat(headers.single("Authorization"))
        .contains("AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=c");
    // Two spellings, one value: one header.
    assertThat(headers.single("X-Amz-Date")).contains("20260301T123456Z");
    assertThat(headers.all()).hasSize(2);
  }

  @Test
  void jsonListOfPairsAsVaultsApiTakes() {
    ProofHeaders headers = ProofHeaders.parse("[\"Content-Type:text/plain\", \"A: b:c\"]");
    assertThat(headers.single("content-type")).contains("text/plain");
    assertThat(headers.single("A")).contains("b:c");
  }

  @Test
  void namesAreKeptAsFirstSpelled() {
    ProofHeaders headers = ProofHeaders.parse("{\"x-amz-date\":[\"1\"],\"X-Amz-Date\":[\"1\"]}");
    assertThat(headers.all())
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.name()).isEqualTo("x-amz-date");
              assertThat(h.values()).isEqualTo(List.of("1", "1"));
            });
  }

  @Test
  void differentValuesForOneHeaderAreAmbiguous() {
    ProofHeaders headers = ProofHeaders.parse("{\"Host\":[\"a\"],\"host\":[\"b\"]}");
    assertThat(catchThrowableOfType(UserError.class, () -> headers.single("Host")).reason().name())
        .isEqualTo("ProofAmbiguousHeader");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"A\": {\"nested\": 1}}",
        "{\"A\": [[\"x\"]]}",
        "{\"A\": true}",
        "{\"A\": null}",
        "[1]",
        "[\"no colon\"]",
        "{\"A\": \"b\"} trailing",
        "{\"A\": \"b\", \"A\": \"c\"}",
        "{not json",
        "no colon here",
        ": no name",
      })
  void malformed(String field) {
    assertThat(reason(field)).isEqualTo("ProofMalformed");
  }

  @Test
  void base64ThatIsNotJsonOrNotUtf8() {
    assertThat(reason(SignedProofs.b64("Host: sts.amazonaws.com"))).isEqualTo("ProofMalformed");
    assertThat(
            reason(
                java.util.Base64.getEncoder().encodeToString(new byte[] {'{', (byte) 0xff, '}'})))
        .isEqualTo("ProofMalformed");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"A\\r\\nB\": \"x\"}",
        "{\"A B\": \"x\"}",
        "{\"A:\": \"x\"}",
        "{\"\": \"x\"}",
        "{\"A\": \"x\\r\\nB: y\"}",
        "{\"A\": \"x\\u0000\"}",
        "{\"A\": \"x\\u007f\"}",
        "{\"A\": \"\\u00e9\"}",
        "A B: x",
        "A: x\ry",
      })
  void injection(String field) {
    assertThat(reason(field)).isEqualTo("ProofInvalidHeader");
  }

  @Test
  void tabsAreAllowedInValues() {
    assertThat(ProofHeaders.parse("{\"A\": \"x\\ty\"}").single("A")).contains("x\ty");
  }

  @Test
  void emptyOrOversize() {
    assertThat(reason(null)).isEqualTo("ProofIncomplete");
    assertThat(reason("  ")).isEqualTo("ProofIncomplete");
    assertThat(reason("A: " + "x".repeat(ProofHeaders.MAX_FIELD_CHARS))).isEqualTo("ProofTooLarge");
    assertThat(reason("{\"A\": \"" + "x".repeat(ProofHeaders.MAX_VALUE_CHARS + 1) + "\"}"))
        .isEqualTo("ProofInvalidHeader");
    assertThat(reason("{\"" + "A".repeat(ProofHeaders.MAX_NAME_CHARS + 1) + "\": \"x\"}"))
        .isEqualTo("ProofInvalidHeader");
  }
}
