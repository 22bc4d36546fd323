package io.awsauth.operator.identity.iam;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.identity.SafeText;
import io.awsauth.operator.status.UserError;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A signed sts:GetCallerIdentity request as {@code vault login -method=aws} produces it (Vault's
 * {@code iam} login): the method, and base64 of the URL, of the body and of the headers.
 *
 * <p>{@link #validate} checks it strictly before anything is sent, because the operator forwards it
 * with the workload's signature and believes STS's answer: the request must be a POST of exactly
 * {@code Action=GetCallerIdentity&Version=2011-06-15} signed for an STS host the AwsAuthConfig
 * accepts ({@link StsHosts}: the configured endpoint, or an AWS STS host such as {@code
 * sts.amazonaws.com} that is then sent to the configured endpoint with its signed Host kept), with
 * no query, signed with SigV4 for {@code sts}, its Host signed and naming the URL's host, and, when
 * the AwsAuthConfig sets {@code iamServerIdHeaderValue}, carrying that value in a signed {@code
 * X-Vault-AWS-IAM-Server-ID} header. Anything else is refused with a {@link UserError} whose reason
 * names the problem; its message never repeats the Authorization header, the signature or the
 * session token. These are the checks Vault added after CVE-2020-16250, where a proof re-aimed at
 * another AWS action made STS reflect a forged GetCallerIdentity answer; the operator also drops
 * every header that is not signed (an unsigned {@code Accept} could change the answer's format)
 * except {@code Content-Type} and {@code X-Amz-Security-Token}.
 */
public record IamProof(String method, String url, String body, String headers) {
  public static final String METHOD_FIELD = "iam_http_request_method";
  public static final String URL_FIELD = "iam_request_url";
  public static final String BODY_FIELD = "iam_request_body";
  public static final String HEADERS_FIELD = "iam_request_headers";

  public static final String SERVER_ID_HEADER = "X-Vault-AWS-IAM-Server-ID";
  static final String FORM = "application/x-www-form-urlencoded";

  static final int MAX_URL_FIELD_CHARS = 4096;
  static final int MAX_BODY_FIELD_CHARS = 1024;

  /** Headers about the connection, not the request: none may be forwarded. */
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authorization",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "expect");

  /** The X-Amz-* headers of SigV4 itself, which a proof may always carry (Vault's default list). */
  private static final Set<String> SIGV4_HEADERS =
      Set.of(
          "x-amz-algorithm",
          "x-amz-content-sha256",
          "x-amz-credential",
          "x-amz-date",
          "x-amz-security-token",
          "x-amz-signature",
          "x-amz-signedheaders");

  /** Forwarded even when unsigned: STS needs them and they cannot change whose identity is told. */
  private static final Set<String> UNSIGNED_FORWARDED =
      Set.of("authorization", "content-type", "x-amz-security-token");

  private static final Pattern PRINTABLE = Pattern.compile("^[\\x21-\\x7E]*$");
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT);

  /** The proof from the four Vault field names; a missing field reads as empty. */
  public static IamProof fromFields(Map<String, String> fields) {
    return new IamProof(
        fields.get(METHOD_FIELD),
        fields.get(URL_FIELD),
        fields.get(BODY_FIELD),
        fields.get(HEADERS_FIELD));
  }

  /**
   * The request to send (to the destination {@code hosts} gives, never to the proof's own URL), or
   * a {@link UserError} saying why the proof is refused.
   *
   * @param serverId the AwsAuthConfig's {@code iamServerIdHeaderValue}; null or empty when unset
   */
  public StsProofRequest validate(StsHosts hosts, String serverId) {
    return validate(hosts, serverId, Set.of());
  }

  /**
   * The same, with {@code allowedHeaders} (the AwsAuthConfig's {@code allowedStsHeaders}, Vault's
   * allowed_sts_header_values): X-Amz-* headers the proof may carry besides those SigV4 itself
   * uses.
   */
  public StsProofRequest validate(StsHosts hosts, String serverId, Set<String> allowedHeaders) {
    checkMethod();
    URI signedFor = parseUrl();
    StsHosts.Accepted accepted = hosts.accept(signedFor);
    checkQueryAndPath(signedFor, accepted.path());
    String form = checkBody();
    ProofHeaders given = ProofHeaders.parse(headers);

    String authorization =
        given
            .single("Authorization")
            .orElseThrow(
                () ->
                    new UserError(
                        AwsCredentialRequestReason.ProofUnsigned,
                        "the proof has no Authorization header: it is unsigned"));
    SigV4Authorization sig = SigV4Authorization.parse(authorization);
    if (accepted.signingRegion() != null && !accepted.signingRegion().equals(sig.region())) {
      throw new UserError(
          AwsCredentialRequestReason.ProofWrongEndpoint,
          "the proof is signed for the region "
              + sig.region()
              + " but addressed to the STS host of "
              + accepted.signingRegion()
              + " (useStsRegionFromClient accepts only the host of the region signed for)");
    }

    String host = checkHost(given, signedFor);
    checkSigned(given, sig);
    checkAmzHeaders(given, allowedHeaders);
    Instant signedAt = checkDate(given, sig);
    checkServerId(given, sig, serverId);
    checkContent(given, form);

    Map<String, List<String>> forwarded = new LinkedHashMap<>();
    if (!given.has("Host")) {
      forwarded.put("Host", List.of(host));
    }
    for (ProofHeaders.Header header : given.all()) {
      String lower = header.name().toLowerCase(Locale.ROOT);
      if (sig.signs(lower) || UNSIGNED_FORWARDED.contains(lower)) {
        forwarded.put(header.name(), header.values());
      }
    }
    if (!given.has("Content-Type")) {
      forwarded.put("Content-Type", List.of(FORM + "; charset=utf-8"));
    }
    return new StsProofRequest(
        "POST", accepted.destination().uri(), forwarded, form, sig.region(), signedAt);
  }

  private void checkMethod() {
    if (method == null || method.isEmpty()) {
      throw new UserError(
          AwsCredentialRequestReason.ProofIncomplete, "the proof has no " + METHOD_FIELD);
    }
    // Vault, too, takes only POST: a GET would carry the action in its query.
    if (!method.equals("POST")) {
      throw new UserError(
          AwsCredentialRequestReason.ProofNotPost,
          METHOD_FIELD + " is " + SafeText.of(method) + "; only POST is accepted");
    }
  }

  private URI parseUrl() {
    String text = decodeField(URL_FIELD, url, MAX_URL_FIELD_CHARS);
    if (!PRINTABLE.matcher(text).matches()) {
      throw new UserError(
          AwsCredentialRequestReason.ProofMalformed,
          URL_FIELD + " holds spaces, line breaks or non-ASCII characters");
    }
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw new UserError(AwsCredentialRequestReason.ProofMalformed, URL_FIELD + " is not a URL");
    }
  }

  private static void checkQueryAndPath(URI uri, String expectedPath) {
    if (uri.getRawQuery() != null) {
      throw new UserError(
          AwsCredentialRequestReason.ProofHasQuery,
          "the proof's URL has a query; GetCallerIdentity must be in the body, not the URL");
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (!path.equals(expectedPath)) {
      throw new UserError(
          AwsCredentialRequestReason.ProofWrongPath,
          "the proof's URL path is " + SafeText.of(path) + ", not " + expectedPath);
    }
  }

  /**
   * Exactly the two parameters, each once, spelled as every SDK spells them: no percent-encoding,
   * no empty pairs, nothing else.
   */
  private String checkBody() {
    String form = decodeField(BODY_FIELD, body, MAX_BODY_FIELD_CHARS);
    String[] pairs = form.split("&", -1);
    boolean action = false;
    boolean version = false;
    for (String pair : pairs) {
      if (pair.startsWith("Action=")) {
        if (action || !pair.equals("Action=GetCallerIdentity")) {
          throw new UserError(
              AwsCredentialRequestReason.ProofWrongAction,
              "the proof's body must hold Action=GetCallerIdentity once and no other action");
        }
        action = true;
      } else if (pair.startsWith("Version=")) {
        if (version || !pair.equals("Version=2011-06-15")) {
          throw new UserError(
              AwsCredentialRequestReason.ProofWrongVersion,
              "the proof's body must hold Version=2011-06-15 once");
        }
        version = true;
      } else {
        throw new UserError(
            AwsCredentialRequestReason.ProofExtraParameter,
            "the proof's body may hold only Action=GetCallerIdentity and Version=2011-06-15");
      }
    }
    if (!action) {
      throw new UserError(
          AwsCredentialRequestReason.ProofWrongAction,
          "the proof's body has no Action=GetCallerIdentity");
    }
    if (!version) {
      throw new UserError(
          AwsCredentialRequestReason.ProofWrongVersion,
          "the proof's body has no Version=2011-06-15");
    }
    return form;
  }

  /**
   * The Host the request is signed for, which is kept when it is sent. SDKs often leave it out of
   * the headers they expose (the HTTP library adds it), so, as in Vault, a missing Host is taken
   * from the URL; a Host given must name the URL's host and port.
   */
  private static String checkHost(ProofHeaders given, URI signedFor) {
    Optional<String> host = given.single("Host");
    if (host.isPresent()
        && !StsEndpoint.of(signedFor.getScheme() + "://" + signedFor.getRawAuthority())
            .isHost(host.get())) {
      throw new UserError(
          AwsCredentialRequestReason.ProofWrongHost,
          "the proof's Host header "
              + SafeText.of(host.get())
              + " is not the host of its URL "
              + SafeText.of(signedFor.getRawAuthority()));
    }
    return host.orElse(signedFor.getRawAuthority());
  }

  private static void checkSigned(ProofHeaders given, SigV4Authorization sig) {
    if (!sig.signs("host")) {
      throw new UserError(
          AwsCredentialRequestReason.ProofHeaderUnsigned, "the proof's Host header is not signed");
    }
    for (String name : sig.signed()) {
      if (!name.equals("host") && !given.has(name)) {
        throw new UserError(
            AwsCredentialRequestReason.ProofSignedHeaderMissing,
            "the proof signs a " + name + " header it does not carry");
      }
    }
    for (ProofHeaders.Header header : given.all()) {
      if (HOP_BY_HOP.contains(header.name().toLowerCase(Locale.ROOT))) {
        throw new UserError(
            AwsCredentialRequestReason.ProofForbiddenHeader,
            "the proof carries a " + header.name() + " header, which cannot be forwarded");
      }
    }
  }

  /**
   * As Vault: an X-Amz-* header is refused unless SigV4 uses it or the config allows it. Such
   * headers are AWS's own request parameters (X-Amz-Target picks another API's action), so a proof
   * carries only those its signature needs.
   */
  private static void checkAmzHeaders(ProofHeaders given, Set<String> allowed) {
    for (ProofHeaders.Header header : given.all()) {
      String lower = header.name().toLowerCase(Locale.ROOT);
      if (lower.startsWith("x-amz-")
          && !SIGV4_HEADERS.contains(lower)
          && allowed.stream().noneMatch(a -> a.equalsIgnoreCase(lower))) {
        throw new UserError(
            AwsCredentialRequestReason.ProofForbiddenHeader,
            "the proof carries a "
                + header.name()
                + " header, which the AwsAuthConfig's allowedStsHeaders does not list");
      }
    }
  }

  /** X-Amz-Date, signed, on the day of the credential scope; STS itself refuses stale ones. */
  private static Instant checkDate(ProofHeaders given, SigV4Authorization sig) {
    String date =
        given
            .single("X-Amz-Date")
            .orElseThrow(
                () ->
                    new UserError(
                        AwsCredentialRequestReason.ProofUndated,
                        "the proof has no X-Amz-Date header"));
    if (!sig.signs("x-amz-date")) {
      throw new UserError(
          AwsCredentialRequestReason.ProofHeaderUnsigned,
          "the proof's X-Amz-Date header is not signed");
    }
    Instant at;
    try {
      at = LocalDateTime.parse(date, AMZ_DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new UserError(
          AwsCredentialRequestReason.ProofUndated,
          "the proof's X-Amz-Date is not yyyyMMddTHHmmssZ");
    }
    if (!date.startsWith(sig.scopeDate())) {
      throw new UserError(
          AwsCredentialRequestReason.ProofUndated,
          "the proof's X-Amz-Date is not the day of its credential scope");
    }
    return at;
  }

  /** As Vault: the value must be given, equal (several values are joined with a comma), signed. */
  private static void checkServerId(ProofHeaders given, SigV4Authorization sig, String serverId) {
    if (serverId == null || serverId.isEmpty()) {
      return;
    }
    Optional<ProofHeaders.Header> header = given.get(SERVER_ID_HEADER);
    if (header.isEmpty()) {
      throw new UserError(
          AwsCredentialRequestReason.ProofServerIdMissing,
          "the proof has no "
              + SERVER_ID_HEADER
              + " header; the AwsAuthConfig requires one (iamServerIdHeaderValue)");
    }
    // Not a secret: a plain comparison is fine. The value is not echoed: it may be long.
    if (!String.join(",", header.get().values()).equals(serverId)) {
      throw new UserError(
          AwsCredentialRequestReason.ProofServerIdMismatch,
          "the proof's "
              + SERVER_ID_HEADER
              + " header is not the AwsAuthConfig's iamServerIdHeaderValue");
    }
    if (!sig.signs(SERVER_ID_HEADER)) {
      throw new UserError(
          AwsCredentialRequestReason.ProofServerIdUnsigned,
          "the proof's " + SERVER_ID_HEADER + " header is not among its signed headers");
    }
  }

  private static void checkContent(ProofHeaders given, String form) {
    Optional<String> type = given.single("Content-Type");
    if (type.isPresent()) {
      String normalized = type.get().toLowerCase(Locale.ROOT).replace(" ", "");
      if (!normalized.equals(FORM) && !normalized.equals(FORM + ";charset=utf-8")) {
        throw new UserError(
            AwsCredentialRequestReason.ProofWrongContentType,
            "the proof's Content-Type is not " + FORM + " (it is " + SafeText.of(type.get()) + ")");
      }
    }
    Optional<String> length = given.single("Content-Length");
    if (length.isPresent()
        && !length.get().equals(String.valueOf(form.getBytes(StandardCharsets.UTF_8).length))) {
      throw new UserError(
          AwsCredentialRequestReason.ProofInvalidHeader,
          "the proof's Content-Length is not the length of its body");
    }
  }

  private static String decodeField(String name, String value, int maxChars) {
    if (value == null || value.isBlank()) {
      throw new UserError(AwsCredentialRequestReason.ProofIncomplete, "the proof has no " + name);
    }
    if (value.length() > maxChars) {
      throw new UserError(
          AwsCredentialRequestReason.ProofTooLarge,
          name + " is longer than " + maxChars + " characters");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(value.strip());
    } catch (IllegalArgumentException e) {
      throw new UserError(AwsCredentialRequestReason.ProofMalformed, name + " is not valid base64");
    }
    String text = new String(bytes, StandardCharsets.US_ASCII);
    for (byte b : bytes) {
      if (b < 0x20 || b == 0x7F) {
        throw new UserError(
            AwsCredentialRequestReason.ProofMalformed,
            name + " holds control characters or non-ASCII bytes");
      }
    }
    return text;
  }
}
