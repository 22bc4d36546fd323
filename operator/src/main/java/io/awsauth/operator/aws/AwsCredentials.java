package io.awsauth.operator.aws;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The credentials AWS calls are made with, as plain values: the SDK adapters ({@code aws.sdk}) turn
 * them into SDK credential providers. {@link #toString()} never shows secret parts.
 */
public sealed interface AwsCredentials {

  /**
   * The environment's default chain (environment variables, profile, container or instance role).
   * With IRSA's variables set, the settings use {@link WebIdentity} instead.
   */
  static AwsCredentials defaultChain() {
    return DefaultChain.INSTANCE;
  }

  /** A key pair, with a session token when it is temporary. */
  static Static of(String accessKeyId, String secretAccessKey, Optional<String> sessionToken) {
    return new Static(accessKeyId, secretAccessKey, sessionToken);
  }

  static Static of(String accessKeyId, String secretAccessKey) {
    return new Static(accessKeyId, secretAccessKey, Optional.empty());
  }

  static Static of(SessionCredentials session) {
    return new Static(
        session.accessKeyId(), session.secretAccessKey(), Optional.of(session.sessionToken()));
  }

  /** See {@link #defaultChain()}. */
  enum DefaultChain implements AwsCredentials {
    INSTANCE
  }

  /** A fixed key pair (an IAM user's key, or temporary credentials with their session token). */
  record Static(String accessKeyId, String secretAccessKey, Optional<String> sessionToken)
      implements AwsCredentials {
    public Static {
      Objects.requireNonNull(accessKeyId, "accessKeyId");
      Objects.requireNonNull(secretAccessKey, "secretAccessKey");
      Objects.requireNonNull(sessionToken, "sessionToken");
    }

    @Override
    public String toString() {
      return "AwsCredentials.Static[temporary=" + sessionToken.isPresent() + "]";
    }
  }

  /**
   * The session of {@code roleArn} assumed with sts:AssumeRoleWithWebIdentity and the token in
   * {@code tokenFile} (a projected ServiceAccount token, which the kubelet rotates: read again at
   * every refresh), refreshed before it expires. {@code audience}: when present, a token for
   * another audience is refused before STS is called. Holds no secret: the token stays in its file.
   */
  record WebIdentity(String roleArn, Path tokenFile, Optional<String> audience, String sessionName)
      implements AwsCredentials {
    public WebIdentity {
      Objects.requireNonNull(roleArn, "roleArn");
      Objects.requireNonNull(tokenFile, "tokenFile");
      Objects.requireNonNull(audience, "audience");
      Objects.requireNonNull(sessionName, "sessionName");
    }
  }

  /** An assumed role's credentials, refreshed before they expire (see {@link AwsClients}). */
  record Refreshing(RoleSession session) implements AwsCredentials {}

  /**
   * A role session that keeps itself fresh; closing it stops the refreshing. Implemented by the SDK
   * adapters and by test fakes.
   */
  interface RoleSession extends AutoCloseable {
    String roleArn();

    @Override
    void close();
  }
}
