package io.awsauth.operator.aws;

import java.time.Instant;

/** An IAM access key; {@code secretAccessKey} is only present right after CreateAccessKey. */
public record AccessKey(
    String userName, String accessKeyId, String secretAccessKey, String status, Instant created) {
  @Override
  public String toString() {
    return "AccessKey[" + userName + ", " + accessKeyId + ", " + status + ", " + created + "]";
  }
}
