package io.awsauth.operator.identity.iam;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.ProxySettings;
import io.awsauth.operator.aws.sdk.ProxyRoutePlanner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;

/**
 * Sends a validated proof to the endpoint {@link StsHosts} chose and reads the answer, through the
 * proxy of {@link ProxySettings} (HTTPS_PROXY, NO_PROXY) as every AWS call: no redirect is
 * followed, no retry or cookie is kept, the connection, every read and the whole exchange have
 * timeouts, and at most {@link StsAnswers#MAX_CHARS} bytes of the answer are read. The proof's
 * headers (its signature and session token among them) are sent as they are, its signed {@code
 * Host} included even when it is not the endpoint's host (a proof signed for {@code
 * sts.amazonaws.com} sent to a VPC endpoint), and never logged.
 *
 * <p>Apache HttpClient (the AWS SDK's own HTTP client library) sends a {@code Host} header it is
 * given; the JDK's HTTP client would refuse to unless the JVM starts with {@code
 * jdk.httpclient.allowRestrictedHeaders=host}, which no deployment could be relied on to set.
 */
public final class StsProofSender {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  /** Set by the HTTP client itself from the body; it refuses a request that already has them. */
  private static final Set<String> SET_BY_CLIENT = Set.of("content-length", "transfer-encoding");

  /** Error codes of STS saying it could not answer now, not that the proof is wrong. */
  private static final Set<String> UNAVAILABLE =
      Set.of(
          "Throttling",
          "ThrottlingException",
          "RequestLimitExceeded",
          "ServiceUnavailable",
          "InternalFailure",
          "InternalError");

  private final CloseableHttpClient http;

  public StsProofSender() {
    this(ProxySettings.fromEnvironment());
  }

  /** A sender whose connections go through {@code proxies} (HTTPS_PROXY, NO_PROXY, ...). */
  public StsProofSender(ProxySettings proxies) {
    this.http =
        HttpClients.custom()
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .disableAuthCaching()
            .disableContentCompression()
            .setUserAgent("aws-auth-operator")
            .setRoutePlanner(new ProxyRoutePlanner(proxies))
            .setMaxConnPerRoute(8)
            .setMaxConnTotal(32)
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setConnectTimeout((int) CONNECT_TIMEOUT.toMillis())
                    .setConnectionRequestTimeout((int) CONNECT_TIMEOUT.toMillis())
                    .setSocketTimeout((int) TIMEOUT.toMillis())
                    .setRedirectsEnabled(false)
                    .build())
            .build();
  }

  /**
   * STS's answer. A failure to reach STS, a 5xx answer, or STS saying it is throttled or
   * unavailable is a transient {@link AwsFailure} (retried, never a denial); an answer that is not
   * STS XML, or a redirect, is an {@link IllegalArgumentException}.
   */
  public StsAnswer send(StsProofRequest request) {
    HttpPost post = new HttpPost(request.uri());
    post.setEntity(new ByteArrayEntity(request.body().getBytes(StandardCharsets.UTF_8)));
    for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
      if (SET_BY_CLIENT.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        continue;
      }
      for (String value : header.getValue()) {
        post.addHeader(header.getKey(), value);
      }
    }
    // The whole exchange, not only each read, is bounded: a slow answer is cut off.
    CompletableFuture<Void> deadline =
        CompletableFuture.runAsync(
            post::abort,
            CompletableFuture.delayedExecutor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    int status;
    String body;
    HttpClientContext context = HttpClientContext.create();
    try (CloseableHttpResponse response = http.execute(post, context)) {
      status = response.getStatusLine().getStatusCode();
      if (context.getRequest() != null
          && "CONNECT".equals(context.getRequest().getRequestLine().getMethod())) {
        // The answer is the proxy's, refusing the tunnel: STS was not reached.
        throw unreachable(request, "the proxy refused the tunnel: HTTP " + status);
      }
      byte[] bytes;
      if (response.getEntity() == null) {
        bytes = new byte[0];
      } else {
        try (InputStream in = response.getEntity().getContent()) {
          bytes = in.readNBytes(StsAnswers.MAX_CHARS + 1);
        }
      }
      if (bytes.length > StsAnswers.MAX_CHARS) {
        throw new IllegalArgumentException("STS answer is missing or too large");
      }
      body = new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw unreachable(request, post.isAborted() ? "timed out" : e.getClass().getSimpleName());
    } finally {
      deadline.cancel(false);
    }
    if (status >= 300 && status < 400) {
      throw new IllegalArgumentException(
          "STS answered with a redirect (HTTP " + status + "), which is not followed");
    }
    StsAnswer answer;
    try {
      answer = StsAnswers.parse(body);
    } catch (IllegalArgumentException e) {
      if (status >= 500) {
        throw new AwsFailure(
            AwsFailure.Kind.TRANSIENT,
            "HTTP" + status,
            AwsCredentialRequestReason.StsUnavailable,
            "STS at " + request.uri() + " answered HTTP " + status,
            null);
      }
      throw e;
    }
    // STS being busy or failing says nothing of the proof: retried, never a denial.
    if (answer instanceof StsAnswer.Refused refused
        && (status >= 500 || UNAVAILABLE.contains(refused.code()))) {
      throw new AwsFailure(
          AwsFailure.Kind.TRANSIENT,
          refused.code(),
          AwsCredentialRequestReason.StsUnavailable,
          "STS at "
              + request.uri()
              + " could not answer (HTTP "
              + status
              + ", "
              + refused.code()
              + ")",
          null);
    }
    return answer;
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
