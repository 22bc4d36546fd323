package io.awsauth.operator.identity.iam;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.aws.AwsFailure;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Sends a validated proof to the configured STS endpoint and reads the answer: no redirect is
 * followed, no proxy is used, the connection and the whole exchange have timeouts, and at most
 * {@link StsAnswers#MAX_CHARS} bytes of the answer are read. The proof's headers (its signature and
 * session token among them) are sent as they are and never logged.
 */
public final class StsProofSender {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  /** Set by the HTTP client itself, from the URL and the body; the JDK refuses to take them. */
  private static final Set<String> SET_BY_CLIENT = Set.of("host", "content-length");

  /** Error codes of STS saying it could not answer now, not that the proof is wrong. */
  private static final Set<String> UNAVAILABLE =
      Set.of(
          "Throttling",
          "ThrottlingException",
          "RequestLimitExceeded",
          "ServiceUnavailable",
          "InternalFailure",
          "InternalError");

  private final HttpClient http;

  public StsProofSender() {
    this(
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(CONNECT_TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1)
            .build());
  }

  StsProofSender(HttpClient http) {
    this.http = http;
  }

  /**
   * STS's answer. A failure to reach STS, a 5xx answer, or STS saying it is throttled or
   * unavailable is a transient {@link AwsFailure} (retried, never a denial); an answer that is not
   * STS XML, or a redirect, is an {@link IllegalArgumentException}.
   */
  public StsAnswer send(StsProofRequest request) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(target(request))
            .timeout(TIMEOUT)
            .method(request.method(), HttpRequest.BodyPublishers.ofString(request.body()));
    for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
      if (SET_BY_CLIENT.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        continue;
      }
      for (String value : header.getValue()) {
        builder.header(header.getKey(), value);
      }
    }
    HttpResponse<InputStream> response;
    String body;
    try {
      response = http.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        byte[] bytes = in.readNBytes(StsAnswers.MAX_CHARS + 1);
        if (bytes.length > StsAnswers.MAX_CHARS) {
          throw new IllegalArgumentException("STS answer is missing or too large");
        }
        body = new String(bytes, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw unreachable(request, e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable(request, "interrupted");
    }
    if (response.statusCode() >= 300 && response.statusCode() < 400) {
      throw new IllegalArgumentException(
          "STS answered with a redirect (HTTP "
              + response.statusCode()
              + "), which is not followed");
    }
    StsAnswer answer;
    try {
      answer = StsAnswers.parse(body);
    } catch (IllegalArgumentException e) {
      if (response.statusCode() >= 500) {
        throw new AwsFailure(
            AwsFailure.Kind.TRANSIENT,
            "HTTP" + response.statusCode(),
            AwsCredentialRequestReason.StsUnavailable,
            "STS at " + request.uri() + " answered HTTP " + response.statusCode(),
            null);
      }
      throw e;
    }
    // STS being busy or failing says nothing of the proof: retried, never a denial.
    if (answer instanceof StsAnswer.Refused refused
        && (response.statusCode() >= 500 || UNAVAILABLE.contains(refused.code()))) {
      throw new AwsFailure(
          AwsFailure.Kind.TRANSIENT,
          refused.code(),
          AwsCredentialRequestReason.StsUnavailable,
          "STS at "
              + request.uri()
              + " could not answer (HTTP "
              + response.statusCode()
              + ", "
              + refused.code()
              + ")",
          null);
    }
    return answer;
  }

  /**
   * The endpoint's URL, with the authority written as the proof's signed Host header writes it
   * (IamProof has checked that it names the same host and port): the JDK derives the Host it sends
   * from the URL, and the signature covers it byte for byte.
   */
  static URI target(StsProofRequest request) {
    URI uri = request.uri();
    for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
      if (header.getKey().equalsIgnoreCase("host") && header.getValue().size() == 1) {
        String host = header.getValue().get(0);
        if (!host.equals(uri.getRawAuthority())) {
          return URI.create(uri.getScheme() + "://" + host + uri.getRawPath());
        }
      }
    }
    return uri;
  }

  private static AwsFailure unreachable(StsProofRequest request, String what) {
    return new AwsFailure(
        AwsFailure.Kind.TRANSIENT,
        "EndpointUnreachable",
        AwsCredentialRequestReason.StsUnreachable,
        "could not send the proof to STS at " + request.uri() + " (" + what + ")",
        null);
  }
}
