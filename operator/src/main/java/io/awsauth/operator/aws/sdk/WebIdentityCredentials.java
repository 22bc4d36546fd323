package io.awsauth.operator.aws.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigReason;
import io.awsauth.operator.aws.AwsCredentials;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.AwsFailure.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;

/**
 * The operator's own identity by sts:AssumeRoleWithWebIdentity: the SDK's provider, refreshing in
 * the background before expiry, with the token read from its file at every refresh (the kubelet
 * rotates a projected token). A token STS refuses, or one that cannot be read, is an {@link
 * AwsFailure} with a reason of its own. The token never appears in a message.
 */
final class WebIdentityCredentials implements AwsCredentialsProvider, AutoCloseable {
  static final String ACTION = "sts:AssumeRoleWithWebIdentity";

  /** STS's answers that say the token (or the role's trust in it) is refused. */
  static final Set<String> REFUSED =
      Set.of(
          "InvalidIdentityToken",
          "ExpiredTokenException",
          "ExpiredToken",
          "AccessDenied",
          "IDPRejectedClaim");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final AwsCredentials.WebIdentity source;
  private final StsClient sts;
  private volatile StsAssumeRoleWithWebIdentityCredentialsProvider provider;

  /** {@code sts}: an anonymous client (the call is unsigned), closed with this provider. */
  WebIdentityCredentials(AwsCredentials.WebIdentity source, StsClient sts) {
    this.source = source;
    this.sts = sts;
    this.provider = sdkProvider();
  }

  private StsAssumeRoleWithWebIdentityCredentialsProvider sdkProvider() {
    return StsAssumeRoleWithWebIdentityCredentialsProvider.builder()
        .stsClient(sts)
        .refreshRequest(this::request)
        .asyncCredentialUpdateEnabled(true)
        .prefetchTime(Duration.ofMinutes(5))
        .staleTime(Duration.ofMinutes(1))
        .build();
  }

  /**
   * Forgets the session held (AWS refused it before its expiry): the next call exchanges the token
   * in the file again. Calls in flight keep the session they resolved.
   */
  void renew() {
    StsAssumeRoleWithWebIdentityCredentialsProvider old;
    synchronized (this) {
      old = provider;
      provider = sdkProvider();
    }
    old.close();
  }

  private AssumeRoleWithWebIdentityRequest request() {
    return AssumeRoleWithWebIdentityRequest.builder()
        .roleArn(source.roleArn())
        .roleSessionName(source.sessionName())
        .webIdentityToken(token(source))
        .build();
  }

  @Override
  public software.amazon.awssdk.auth.credentials.AwsCredentials resolveCredentials() {
    try {
      return provider.resolveCredentials();
    } catch (RuntimeException e) {
      throw translated(e);
    }
  }

  private RuntimeException translated(RuntimeException thrown) {
    for (Throwable c = thrown; c != null && c.getCause() != c; c = c.getCause()) {
      if (c instanceof AwsFailure f) {
        return f;
      }
      if (c instanceof AwsServiceException e && e.awsErrorDetails() != null) {
        String code = e.awsErrorDetails().errorCode();
        if (code != null && REFUSED.contains(code)) {
          String awsMessage = e.awsErrorDetails().errorMessage();
          return new AwsFailure(
              ACTION,
              Kind.TERMINAL,
              code,
              AwsAuthConfigReason.WebIdentityTokenRefused,
              ACTION
                  + " of "
                  + source.roleArn()
                  + " refused the token in "
                  + source.tokenFile()
                  + ": "
                  + code
                  + (awsMessage == null ? "" : ": " + awsMessage),
              e);
        }
        return AwsErrors.classify(ACTION, e);
      }
    }
    return thrown;
  }

  /**
   * The token in the file, read now. Unreadable, empty or not a JWT: WebIdentityTokenUnreadable
   * (transient: the kubelet may not have written it yet). For another audience than the one
   * configured: WebIdentityTokenRefused, before any call.
   */
  static String token(AwsCredentials.WebIdentity source) {
    String token;
    try {
      token = Files.readString(source.tokenFile(), StandardCharsets.UTF_8).strip();
    } catch (IOException | RuntimeException e) {
      throw unreadable(source, "cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    if (token.isEmpty()) {
      throw unreadable(source, "is empty");
    }
    List<String> audiences = audiences(source, token);
    if (source.audience().isPresent() && !audiences.contains(source.audience().get())) {
      throw new AwsFailure(
          ACTION,
          Kind.TERMINAL,
          "WebIdentityTokenAudience",
          AwsAuthConfigReason.WebIdentityTokenRefused,
          "the token in "
              + source.tokenFile()
              + " is for the audience "
              + audiences
              + ", not credentials.audience "
              + source.audience().get()
              + ": no call made",
          null);
    }
    return token;
  }

  /** The token's aud claim (a string or a list), read without verifying it: STS verifies. */
  private static List<String> audiences(AwsCredentials.WebIdentity source, String token) {
    String[] parts = token.split("\\.", -1);
    JsonNode aud;
    try {
      if (parts.length != 3) {
        throw new IllegalArgumentException("not three parts");
      }
      aud = JSON.readTree(Base64.getUrlDecoder().decode(parts[1])).path("aud");
    } catch (IOException | IllegalArgumentException e) {
      throw unreadable(source, "does not hold a JWT");
    }
    List<String> audiences = new ArrayList<>();
    if (aud.isTextual()) {
      audiences.add(aud.asText());
    } else {
      aud.forEach(a -> audiences.add(a.asText()));
    }
    return audiences;
  }

  private static AwsFailure unreadable(AwsCredentials.WebIdentity source, String why) {
    return new AwsFailure(
        ACTION,
        Kind.TRANSIENT,
        "WebIdentityTokenUnreadable",
        AwsAuthConfigReason.WebIdentityTokenUnreadable,
        "the web identity token file " + source.tokenFile() + " " + why,
        null);
  }

  @Override
  public synchronized void close() {
    provider.close();
    sts.close();
  }
}
