package io.awsauth.operator.aws;

import java.time.Instant;

/** Temporary credentials. {@link #toString()} never shows the secret parts. */
public record SessionCredentials(
    String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {
  @Override
  public String toString() {
    return "SessionCredentials[accessKeyId=" + accessKeyId + ", expiration=" + expiration + "]";
  }
}
