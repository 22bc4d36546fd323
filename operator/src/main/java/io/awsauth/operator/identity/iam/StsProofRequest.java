package io.awsauth.operator.identity.iam;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A proof that passed {@link IamProof#validate}: exactly what to send to STS, and nothing else. The
 * sender must send these headers as they are (a {@code Host} header included: it is signed) to
 * {@link #uri()}, follow no redirect, and read the answer with {@link StsAnswers}.
 *
 * <p>The headers hold the workload's signature and possibly its session token: {@link #toString()}
 * shows only their names.
 */
public record StsProofRequest(
    String method,
    URI uri,
    Map<String, List<String>> headers,
    String body,
    String signingRegion,
    Instant signedAt) {

  public StsProofRequest {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
    headers = Collections.unmodifiableMap(copy);
  }

  /** STS refuses a signature made more than this long before (or after) it receives it. */
  public static final Duration SIGNATURE_VALIDITY = Duration.ofMinutes(15);

  /**
   * Whether STS would still accept the signature at {@code now}: a proof signed more than 15
   * minutes away from {@code now} is a replay (or a clock far off), refused before it is sent.
   */
  public boolean fresh(Instant now) {
    return !signedAt.isBefore(now.minus(SIGNATURE_VALIDITY))
        && !signedAt.isAfter(now.plus(SIGNATURE_VALIDITY));
  }

  @Override
  public String toString() {
    return "StsProofRequest["
        + method
        + " "
        + uri
        + ", headers="
        + new ArrayList<>(headers.keySet()).stream().collect(Collectors.joining(",", "[", "]"))
        + ", signingRegion="
        + signingRegion
        + ", signedAt="
        + signedAt
        + "]";
  }
}
