package io.awsauth.operator.identity.iam;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.status.UserError;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code iam_request_headers} field of a proof, in the forms Vault accepts: base64 of a JSON
 * object (what {@code vault login -method=aws} sends), the JSON object itself, a JSON list of
 * {@code "Name:value"} strings, or {@code Name: value} lines (the CLI's older {@code key:value}
 * pairs, one a line). A JSON value is a string or a list of strings (numbers are taken as their
 * text, as in Vault).
 *
 * <p>Names are kept case-insensitively, values in order. Names must be HTTP tokens and values
 * printable ASCII (tab allowed): no CR, LF or NUL can reach the request that is forwarded.
 */
final class ProofHeaders {
  static final int MAX_FIELD_CHARS = 32 * 1024;
  static final int MAX_VALUES = 64;
  static final int MAX_NAME_CHARS = 128;
  static final int MAX_VALUE_CHARS = 8 * 1024;

  private static final Pattern TOKEN = Pattern.compile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$");
  private static final Pattern VALUE = Pattern.compile("^[\\t\\x20-\\x7E]*$");
  private static final Pattern BASE64 = Pattern.compile("^[A-Za-z0-9+/]+={0,2}$");

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** A header as first spelled, with every value given under any spelling of its name. */
  record Header(String name, List<String> values) {}

  private final Map<String, Header> byLowerName = new LinkedHashMap<>();
  private int valueCount;

  private ProofHeaders() {}

  static ProofHeaders parse(String field) {
    if (field == null || field.isBlank()) {
      throw new UserError(
          AwsCredentialRequestReason.ProofIncomplete, "the proof has no iam_request_headers");
    }
    if (field.length() > MAX_FIELD_CHARS) {
      throw new UserError(
          AwsCredentialRequestReason.ProofTooLarge,
          "iam_request_headers is longer than " + MAX_FIELD_CHARS + " characters");
    }
    String text = field.strip();
    ProofHeaders headers = new ProofHeaders();
    if (BASE64.matcher(text).matches()) {
      headers.addJson(utf8(decodeBase64(text)));
    } else if (text.startsWith("{") || text.startsWith("[")) {
      headers.addJson(text);
    } else {
      headers.addLines(text);
    }
    return headers;
  }

  Collection<Header> all() {
    return byLowerName.values();
  }

  Optional<Header> get(String name) {
    return Optional.ofNullable(byLowerName.get(name.toLowerCase(Locale.ROOT)));
  }

  boolean has(String name) {
    return byLowerName.containsKey(name.toLowerCase(Locale.ROOT));
  }

  /**
   * The header's one value; the same value repeated counts as one, different values are refused
   * because which of them AWS and the forwarding client would use is not certain.
   */
  Optional<String> single(String name) {
    Optional<Header> header = get(name);
    if (header.isEmpty()) {
      return Optional.empty();
    }
    List<String> distinct = header.get().values().stream().distinct().toList();
    if (distinct.size() != 1) {
      throw new UserError(
          AwsCredentialRequestReason.ProofAmbiguousHeader,
          "the proof gives the " + header.get().name() + " header several different values");
    }
    return Optional.of(distinct.get(0));
  }

  private void addJson(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw malformed("is not a JSON object of header names to values");
    }
    if (root != null && root.isArray()) {
      // Vault's API also takes a list of "Name:value" strings.
      for (JsonNode pair : root) {
        if (!pair.isTextual()) {
          throw malformed("is a list whose items are not \"Name: value\" strings");
        }
        addLine(pair.textValue());
      }
      return;
    }
    if (root == null || !root.isObject()) {
      throw malformed("is not a JSON object of header names to values");
    }
    Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode value = field.getValue();
      if (value.isArray()) {
        for (JsonNode element : value) {
          add(field.getKey(), scalar(element));
        }
      } else {
        add(field.getKey(), scalar(value));
      }
    }
  }

  private static String scalar(JsonNode node) {
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isNumber()) {
      return node.asText();
    }
    throw malformed("has a header value that is neither a string nor a list of strings");
  }

  private void addLines(String text) {
    for (String line : text.split("\r?\n", -1)) {
      if (!line.isBlank()) {
        addLine(line);
      }
    }
  }

  private void addLine(String line) {
    int colon = line.indexOf(':');
    if (colon <= 0) {
      throw malformed("has a line that is not Name: value");
    }
    add(line.substring(0, colon), line.substring(colon + 1).strip());
  }

  private void add(String name, String value) {
    if (name.length() > MAX_NAME_CHARS || !TOKEN.matcher(name).matches()) {
      // The name itself is not repeated: it may hold the very characters refused.
      throw new UserError(
          AwsCredentialRequestReason.ProofInvalidHeader,
          "a header name in the proof is not a valid HTTP header name");
    }
    if (value.length() > MAX_VALUE_CHARS || !VALUE.matcher(value).matches()) {
      throw new UserError(
          AwsCredentialRequestReason.ProofInvalidHeader,
          "the "
              + name
              + " header of the proof holds a line break, a control character, non-ASCII text, or"
              + " more than "
              + MAX_VALUE_CHARS
              + " characters");
    }
    if (++valueCount > MAX_VALUES) {
      throw new UserError(
          AwsCredentialRequestReason.ProofTooLarge,
          "the proof has more than " + MAX_VALUES + " headers");
    }
    byLowerName
        .computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new Header(name, new ArrayList<>()))
        .values()
        .add(value);
  }

  private static byte[] decodeBase64(String text) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw malformed("is not valid base64");
    }
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw malformed("is not UTF-8 text");
    }
  }

  private static UserError malformed(String what) {
    return new UserError(AwsCredentialRequestReason.ProofMalformed, "iam_request_headers " + what);
  }
}
