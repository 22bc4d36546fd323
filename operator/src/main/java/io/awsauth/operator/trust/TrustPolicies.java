package io.awsauth.operator.trust;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Pure functions on IAM policy documents: the statement that lets the operator assume a role, and
 * merging it into (or removing it from) a role's existing trust policy without touching anyone
 * else's statements. Statements are recognized by their Sid.
 */
public final class TrustPolicies {
  static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
  public static final String VERSION = "2012-10-17";

  private TrustPolicies() {}

  /** The Sid of this binding's statements: "AwsAuthOperator" + the binding's UID, alphanumeric. */
  public static String sid(String bindingUid) {
    String compact = bindingUid.replaceAll("[^A-Za-z0-9]", "");
    return "AwsAuthOperator" + compact.substring(0, Math.min(12, compact.length()));
  }

  /**
   * Trust statement admitting {@code principalArn} to sts:AssumeRole, with the external ID, and to
   * say who holds its sessions (sts:SetSourceIdentity, sts:TagSession: the session identity every
   * assumed_role credential carries).
   */
  public static ObjectNode trustStatement(
      String sid, String principalArn, Optional<String> externalId) {
    ObjectNode s = JSON.createObjectNode();
    s.put("Sid", sid);
    s.put("Effect", "Allow");
    s.putObject("Principal").put("AWS", principalArn);
    s.putArray("Action").add("sts:AssumeRole").add("sts:SetSourceIdentity").add("sts:TagSession");
    externalId.ifPresent(
        id -> s.putObject("Condition").putObject("StringEquals").put("sts:ExternalId", id));
    return s;
  }

  /**
   * Trust statement letting {@code principalArn} say who holds the sessions it opens of a role
   * (sts:SetSourceIdentity, sts:TagSession), for a role whose trust admits it to sts:AssumeRole
   * already: what a request's status asks to add when the operator could not name the holder.
   */
  public static String sessionIdentityStatement(String principalArn) {
    ObjectNode s = JSON.createObjectNode();
    s.put("Effect", "Allow");
    s.putObject("Principal").put("AWS", principalArn);
    s.putArray("Action").add("sts:SetSourceIdentity").add("sts:TagSession");
    return s.toString();
  }

  /** Identity statement allowing the operator's principal to assume {@code roleArn}. */
  public static ObjectNode assumeRoleStatement(String sid, String roleArn) {
    ObjectNode s = JSON.createObjectNode();
    s.put("Sid", sid);
    s.put("Effect", "Allow");
    s.put("Action", "sts:AssumeRole");
    s.put("Resource", roleArn);
    return s;
  }

  /** A policy document holding just these statements. */
  public static String document(ObjectNode... statements) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("Version", VERSION);
    ArrayNode list = doc.putArray("Statement");
    for (ObjectNode s : statements) {
      list.add(s);
    }
    return write(doc);
  }

  /**
   * Merges {@code statement} into {@code existing} (a policy document, or empty for none): a
   * statement with the same Sid is replaced, every other statement is kept as it was. Applying the
   * result again changes nothing.
   */
  public static String merge(Optional<String> existing, ObjectNode statement) {
    ObjectNode doc = parse(existing);
    ArrayNode statements = statementsOf(doc);
    String sid = statement.path("Sid").asText();
    ArrayNode merged = JSON.createArrayNode();
    boolean replaced = false;
    for (JsonNode s : statements) {
      if (sid.equals(s.path("Sid").asText())) {
        if (!replaced) {
          merged.add(statement);
          replaced = true;
        }
      } else {
        merged.add(s);
      }
    }
    if (!replaced) {
      merged.add(statement);
    }
    doc.set("Statement", merged);
    return write(doc);
  }

  /** Removes the statement with {@code sid}; every other statement is kept. */
  public static String remove(String existing, String sid) {
    ObjectNode doc = parse(Optional.of(existing));
    ArrayNode kept = JSON.createArrayNode();
    for (JsonNode s : statementsOf(doc)) {
      if (!sid.equals(s.path("Sid").asText())) {
        kept.add(s);
      }
    }
    doc.set("Statement", kept);
    return write(doc);
  }

  /** Whether {@code document} holds a statement equal to {@code statement}. */
  public static boolean contains(String document, ObjectNode statement) {
    for (JsonNode s : statementsOf(parse(Optional.of(document)))) {
      if (s.equals(statement)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the document has no statement left. */
  public static boolean isEmpty(String document) {
    return statementsOf(parse(Optional.of(document))).isEmpty();
  }

  private static ObjectNode parse(Optional<String> document) {
    if (document.isEmpty() || document.get().isBlank()) {
      ObjectNode doc = JSON.createObjectNode();
      doc.put("Version", VERSION);
      doc.putArray("Statement");
      return doc;
    }
    try {
      JsonNode node = JSON.readTree(document.get());
      if (!(node instanceof ObjectNode doc)) {
        throw new IllegalArgumentException("a policy document must be a JSON object");
      }
      return doc;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the policy document is not valid JSON", e);
    }
  }

  /** IAM allows a single statement object instead of a list; normalize to a list. */
  private static ArrayNode statementsOf(ObjectNode doc) {
    JsonNode s = doc.get("Statement");
    if (s instanceof ArrayNode list) {
      return list;
    }
    ArrayNode list = JSON.createArrayNode();
    if (s != null && !s.isNull()) {
      list.add(s);
    }
    return list;
  }

  static String write(JsonNode doc) {
    try {
      return JSON.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
