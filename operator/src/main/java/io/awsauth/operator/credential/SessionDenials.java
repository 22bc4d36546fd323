package io.awsauth.operator.credential;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The operator's deny policy, as a pure function of what it holds, the clock and AWS's size limit:
 * the inline policy {@value #POLICY_NAME} on a role (assumed_role sessions) or on the operator's
 * own IAM user (federation_token sessions), holding one Deny statement per revoked credential.
 *
 * <p>A statement matches one session: {@code aws:userid} (role ID + ":" + session name, or account
 * + ":" + federated-user name) and {@code aws:TokenIssueTime} at or before the second the session
 * was issued (rounded up), so a later session of the same name is not affected. Its Sid carries the
 * credential's expiry, so any writer can drop the statements whose credential has expired anyway
 * ({@link #prune}). When the document would exceed AWS's limit, every statement is replaced by one
 * cutoff that denies every session in scope issued before now ({@link #cutoff}); the caller
 * re-issues the other live leases of that role.
 */
final class SessionDenials {
  /** The one policy name the operator writes on a role or on its own user. */
  static final String POLICY_NAME = "aws-auth-operator-revocations";

  /**
   * AWS IAM quotas ("IAM and AWS STS quotas"): the inline policies of a role may hold 10,240
   * characters together, those of a user 2,048; whitespace is not counted.
   */
  static final int ROLE_INLINE_LIMIT = 10_240;

  static final int USER_INLINE_LIMIT = 2_048;

  /** The longest a session can live: a role session 12 h, a federation token 36 h. */
  static final Duration LONGEST_ROLE_SESSION = Duration.ofHours(12);

  static final Duration LONGEST_FEDERATION_TOKEN = Duration.ofHours(36);

  /**
   * How long a statement outlives its credential's expiry: the operator's clock may be ahead of
   * AWS's, which decides when the credential stops working.
   */
  static final Duration EXPIRY_MARGIN = Duration.ofSeconds(30);

  private static final String SESSION_SID = "AaoRevoked";
  private static final String CUTOFF_SID = "AaoCutoff";
  // AaoRevoked<expiry epoch s>L<lease id, hex>  /  AaoCutoff<until epoch s>A<cutoff epoch s>
  private static final Pattern SID =
      Pattern.compile("(" + SESSION_SID + "|" + CUTOFF_SID + ")(\\d+)(?:[LA]([0-9A-Za-z]*))?");
  private static final ObjectMapper JSON = new ObjectMapper();

  private SessionDenials() {}

  /**
   * One credential to deny. {@code userId} is its {@code aws:userid}; {@code issuedBy} is the
   * latest its {@code aws:TokenIssueTime} can be (whole seconds); it would expire at {@code
   * expiresAt} anyway.
   */
  record Denial(String leaseId, String userId, Instant issuedBy, Instant expiresAt) {}

  /**
   * Whom a cutoff covers besides the policy's holder: a role's cutoff covers every session of the
   * role ({@code userIdPattern} empty); on the operator's user it covers its federated users only
   * ({@code <account>:*}), not its own long-term key nor its session tokens.
   */
  record Scope(int limit, Duration longestSession, Optional<String> userIdPattern) {
    static Scope role() {
      return new Scope(ROLE_INLINE_LIMIT, LONGEST_ROLE_SESSION, Optional.empty());
    }

    static Scope federatedUsersOf(String account) {
      return new Scope(USER_INLINE_LIMIT, LONGEST_FEDERATION_TOKEN, Optional.of(account + ":*"));
    }
  }

  /**
   * The policy after a step: {@code document} empty means delete the policy (nothing left to deny);
   * {@code cutoffAt}: the cutoff this step wrote, when it fell back to one; {@code size}: the
   * characters the document counts against AWS's limit.
   */
  record Result(
      Optional<String> document,
      boolean changed,
      Optional<Instant> cutoffAt,
      int size,
      int statements) {}

  /** The latest issue time of a session, in whole seconds, from both clocks that saw it. */
  static Instant issuedBy(Instant issuedAtOperator, Instant expiresAt, Duration ttl) {
    // STS's own issue time is Expiration - DurationSeconds; the operator's clock, read just before
    // the call, may be ahead of it. The later of the two, rounded up, is never before the real one.
    Instant sts = expiresAt.minus(ttl);
    return ceil(sts.isAfter(issuedAtOperator) ? sts : issuedAtOperator);
  }

  /** The instant rounded up to a whole second (aws:TokenIssueTime has whole seconds). */
  static Instant ceil(Instant t) {
    Instant whole = t.truncatedTo(ChronoUnit.SECONDS);
    return whole.equals(t) ? whole : whole.plusSeconds(1);
  }

  /**
   * Adds the statement denying {@code d} (replacing one for the same lease), after dropping the
   * statements whose credential has expired; a session the policy's cutoff already denies needs
   * none. Falls back to {@link #cutoff} when the document would exceed {@code scope.limit() -
   * others} (others: the characters of the holder's other inline policies).
   */
  static Result add(Optional<String> current, Denial d, Instant now, Scope scope, int others) {
    List<JsonNode> kept = live(current, now);
    String sid = sessionSid(d);
    for (JsonNode st : kept) {
      Matcher m = SID.matcher(st.path("Sid").asText());
      if (m.matches() && m.group(1).equals(CUTOFF_SID) && !d.issuedBy().isAfter(cutoffAt(m))) {
        // (the cutoff's time goes with it: a crash may have come before the other leases it
        // covers were marked for re-issue)
        return result(current, kept, Optional.of(cutoffAt(m)));
      }
    }
    kept.removeIf(st -> st.path("Sid").asText().equals(sid));
    kept.add(sessionStatement(sid, d));
    Result r = result(current, kept, Optional.empty());
    if (r.size() > scope.limit() - others) {
      return cutoff(current, now, scope);
    }
    return r;
  }

  /**
   * Replaces every statement with one that denies every session in scope issued before {@code now}
   * rounded up to the second (a session issued in that second is denied too: a lease re-issued
   * because of the cutoff must be issued after it), kept as long as such a session can live.
   */
  static Result cutoff(Optional<String> current, Instant now, Scope scope) {
    Instant at = ceil(now);
    Instant until = at.plus(scope.longestSession());
    ObjectNode st = JSON.createObjectNode();
    st.put("Sid", CUTOFF_SID + until.getEpochSecond() + "A" + at.getEpochSecond());
    st.put("Effect", "Deny");
    st.put("Action", "*");
    st.put("Resource", "*");
    ObjectNode condition = st.putObject("Condition");
    scope.userIdPattern().ifPresent(p -> condition.putObject("StringLike").put("aws:userid", p));
    condition.putObject("DateLessThan").put("aws:TokenIssueTime", at.toString());
    List<JsonNode> kept = new ArrayList<>();
    kept.add(st);
    return result(current, kept, Optional.of(at));
  }

  /**
   * Drops the statements whose credential expired at least {@link #EXPIRY_MARGIN} ago; the policy
   * goes when none is left.
   */
  static Result prune(Optional<String> current, Instant now) {
    return result(current, live(current, now), Optional.empty());
  }

  /** When the last credential the policy denies expires (null: it denies none). */
  static Instant lastExpiry(Optional<String> current) {
    return expiries(current).max(Instant::compareTo).orElse(null);
  }

  /**
   * When {@link #prune} next has a statement to drop: the first expiry the policy holds plus {@link
   * #EXPIRY_MARGIN} (empty: it denies none).
   */
  static Optional<Instant> nextPrune(Optional<String> current) {
    return expiries(current).min(Instant::compareTo).map(e -> e.plus(EXPIRY_MARGIN));
  }

  private static Stream<Instant> expiries(Optional<String> current) {
    return statements(current).stream()
        .map(st -> SID.matcher(st.path("Sid").asText()))
        .filter(Matcher::matches)
        .map(m -> Instant.ofEpochSecond(Long.parseLong(m.group(2))));
  }

  /** The characters AWS counts: all but whitespace outside strings (IAM ignores it). */
  static int size(String document) {
    int n = 0;
    boolean inString = false;
    for (int i = 0; i < document.length(); i++) {
      char c = document.charAt(i);
      if (c == '"' && (i == 0 || document.charAt(i - 1) != '\\')) {
        inString = !inString;
      }
      if (inString || !Character.isWhitespace(c)) {
        n++;
      }
    }
    return n;
  }

  private static String sessionSid(Denial d) {
    return SESSION_SID
        + d.expiresAt().getEpochSecond()
        + "L"
        + d.leaseId().replaceAll("[^0-9A-Za-z]", "");
  }

  private static ObjectNode sessionStatement(String sid, Denial d) {
    ObjectNode st = JSON.createObjectNode();
    st.put("Sid", sid);
    st.put("Effect", "Deny");
    st.put("Action", "*");
    st.put("Resource", "*");
    ObjectNode condition = st.putObject("Condition");
    condition.putObject("StringEquals").put("aws:userid", d.userId());
    condition.putObject("DateLessThanEquals").put("aws:TokenIssueTime", d.issuedBy().toString());
    return st;
  }

  private static Instant cutoffAt(Matcher m) {
    return m.group(3) == null || m.group(3).isEmpty()
        ? Instant.EPOCH
        : Instant.ofEpochSecond(Long.parseLong(m.group(3)));
  }

  /**
   * The statements that may still deny a live credential (and any the operator did not write): its
   * expiry plus {@link #EXPIRY_MARGIN} is after {@code now}.
   */
  private static List<JsonNode> live(Optional<String> current, Instant now) {
    List<JsonNode> kept = new ArrayList<>();
    Instant expiredBy = now.minus(EXPIRY_MARGIN);
    for (JsonNode st : statements(current)) {
      Matcher m = SID.matcher(st.path("Sid").asText());
      if (m.matches() && !Instant.ofEpochSecond(Long.parseLong(m.group(2))).isAfter(expiredBy)) {
        continue;
      }
      kept.add(st);
    }
    return kept;
  }

  private static List<JsonNode> statements(Optional<String> current) {
    List<JsonNode> out = new ArrayList<>();
    if (current.isEmpty() || current.get().isBlank()) {
      return out;
    }
    try {
      JsonNode doc = JSON.readTree(current.get());
      JsonNode sts = doc.path("Statement");
      if (sts.isArray()) {
        sts.forEach(out::add);
      } else if (sts.isObject()) {
        out.add(sts);
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "the policy " + POLICY_NAME + " is not JSON: " + e.getOriginalMessage(), e);
    }
    return out;
  }

  private static Result result(
      Optional<String> current, List<JsonNode> statements, Optional<Instant> cutoffAt) {
    if (statements.isEmpty()) {
      return new Result(Optional.empty(), current.isPresent(), cutoffAt, 0, 0);
    }
    ObjectNode doc = JSON.createObjectNode();
    doc.put("Version", "2012-10-17");
    ArrayNode array = doc.putArray("Statement");
    statements.forEach(array::add);
    String text;
    try {
      text = JSON.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    boolean changed = current.isEmpty() || !sameDocument(current.get(), text);
    return new Result(Optional.of(text), changed, cutoffAt, size(text), statements.size());
  }

  private static boolean sameDocument(String a, String b) {
    try {
      return JSON.readTree(a).equals(JSON.readTree(b));
    } catch (JsonProcessingException e) {
      return false;
    }
  }
}
