package io.awsauth.operator.identity.iam;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.status.UserError;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of an AWS Signature Version 4 {@code Authorization} header that are checked before a
 * proof is sent: {@code AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request,
 * SignedHeaders=<a;b;c>, Signature=<64 hex>}. The access key ID and the signature are checked for
 * shape and then dropped: they are never kept, logged or put in a message.
 */
record SigV4Authorization(String scopeDate, String region, String service, List<String> signed) {
  private static final String ALGORITHM = "AWS4-HMAC-SHA256";

  private static final Pattern CREDENTIAL =
      Pattern.compile(
          "^[A-Za-z0-9]{1,128}/(?<date>[0-9]{8})/(?<region>[a-z0-9-]{1,32})/(?<service>[a-z0-9-]{1,32})"
              + "/aws4_request$");
  private static final Pattern SIGNED_HEADERS =
      Pattern.compile("^[!#$%&'*+.^_`|~0-9a-z-]+(;[!#$%&'*+.^_`|~0-9a-z-]+)*$");
  private static final Pattern SIGNATURE = Pattern.compile("^[0-9a-f]{64}$");

  static SigV4Authorization parse(String header) {
    if (!header.startsWith(ALGORITHM + " ")) {
      throw notSigV4("its Authorization header is not AWS4-HMAC-SHA256");
    }
    Map<String, String> parts = new HashMap<>();
    for (String part : header.substring(ALGORITHM.length()).split(",", -1)) {
      String trimmed = part.strip();
      int eq = trimmed.indexOf('=');
      if (eq <= 0) {
        throw notSigV4("its Authorization header is not Credential=, SignedHeaders=, Signature=");
      }
      String key = trimmed.substring(0, eq);
      if (!List.of("Credential", "SignedHeaders", "Signature").contains(key)
          || parts.put(key, trimmed.substring(eq + 1)) != null) {
        throw notSigV4("its Authorization header is not Credential=, SignedHeaders=, Signature=");
      }
    }
    if (parts.size() != 3) {
      throw notSigV4("its Authorization header lacks Credential, SignedHeaders or Signature");
    }
    Matcher credential = CREDENTIAL.matcher(parts.get("Credential"));
    if (!credential.matches()) {
      throw notSigV4("its credential scope is not <key>/<date>/<region>/<service>/aws4_request");
    }
    if (!SIGNED_HEADERS.matcher(parts.get("SignedHeaders")).matches()) {
      throw notSigV4("its SignedHeaders is not a list of lower-case header names");
    }
    if (!SIGNATURE.matcher(parts.get("Signature")).matches()) {
      throw notSigV4("its Signature is not 64 hexadecimal digits");
    }
    if (!credential.group("service").equals("sts")) {
      throw new UserError(
          AwsCredentialRequestReason.ProofWrongService,
          "the proof is signed for the service "
              + credential.group("service")
              + ", not sts: it is not a GetCallerIdentity request");
    }
    return new SigV4Authorization(
        credential.group("date"),
        credential.group("region"),
        credential.group("service"),
        List.of(parts.get("SignedHeaders").split(";")));
  }

  boolean signs(String headerName) {
    return signed.contains(headerName.toLowerCase(java.util.Locale.ROOT));
  }

  private static UserError notSigV4(String why) {
    return new UserError(
        AwsCredentialRequestReason.ProofNotSigV4,
        "the proof is not an AWS Signature Version 4: " + why);
  }
}
