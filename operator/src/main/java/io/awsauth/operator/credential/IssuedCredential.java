package io.awsauth.operator.credential;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A credential just issued. {@link #toString()} never shows the secret parts: only the access key
 * ID, which AWS treats as an identifier.
 */
public record IssuedCredential(
    String accessKeyId,
    String secretAccessKey,
    Optional<String> sessionToken,
    Instant issuedAt,
    Instant expiresAt,
    String principalArn,
    Optional<Duration> usableAfter) {
  @Override
  public String toString() {
    return "IssuedCredential[accessKeyId="
        + accessKeyId
        + ", principalArn="
        + principalArn
        + ", expiresAt="
        + expiresAt
        + "]";
  }
}
