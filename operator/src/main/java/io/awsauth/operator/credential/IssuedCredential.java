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
    Optional<Duration> usableAfter,
    Optional<String> sourceIdentity,
    Optional<String> note) {
  /** A credential with no session identity and nothing to say about its issuance. */
  public IssuedCredential(
      String accessKeyId,
      String secretAccessKey,
      Optional<String> sessionToken,
      Instant issuedAt,
      Instant expiresAt,
      String principalArn,
      Optional<Duration> usableAfter) {
    this(
        accessKeyId,
        secretAccessKey,
        sessionToken,
        issuedAt,
        expiresAt,
        principalArn,
        usableAfter,
        Optional.empty(),
        Optional.empty());
  }

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
