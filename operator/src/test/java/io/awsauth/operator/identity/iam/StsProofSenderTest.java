package io.awsauth.operator.identity.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.ProxySettings;
import io.awsauth.operator.testenv.CountingProxy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sender against a local HTTP server standing in for STS. */
class StsProofSenderTest {
  static final String IDENTIFIED =
      "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
          + "<GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/app</Arn>"
          + "<UserId>AIDAEXAMPLE</UserId><Account>111111111111</Account>"
          + "</GetCallerIdentityResult></GetCallerIdentityResponse>";

  HttpServer server;
  final AtomicReference<Map<String, List<String>>> received = new AtomicReference<>();
  final AtomicReference<String> receivedBody = new AtomicReference<>();
  final AtomicInteger hits = new AtomicInteger();
  final AtomicReference<Answer> answer = new AtomicReference<>();

  record Answer(int status, Map<String, String> headers, String body) {}

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          hits.incrementAndGet();
          received.set(new LinkedHashMap<>(exchange.getRequestHeaders()));
          receivedBody.set(
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          reply(exchange, answer.get());
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void reply(HttpExchange exchange, Answer a) throws IOException {
    a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private StsProofRequest request() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Host", List.of("127.0.0.1:" + server.getAddress().getPort()));
    headers.put("Authorization", List.of("AWS4-HMAC-SHA256 Credential=x, Signature=abc"));
    headers.put("X-Amz-Date", List.of("20260301T123456Z"));
    headers.put("Content-Type", List.of("application/x-www-form-urlencoded; charset=utf-8"));
    return new StsProofRequest(
        "POST",
        URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
        headers,
        "Action=GetCallerIdentity&Version=2011-06-15",
        "us-east-1",
        Instant.parse("2026-03-01T12:34:56Z"));
  }

  @Test
  void sendsTheProofAsItIsAndReadsTheIdentity() {
    answer.set(new Answer(200, Map.of("Content-Type", "text/xml"), IDENTIFIED));
    StsAnswer a = new StsProofSender().send(request());
    assertThat(a).isInstanceOf(StsAnswer.Identified.class);
    assertThat(((StsAnswer.Identified) a).identity().arn())
        .isEqualTo("arn:aws:iam::111111111111:user/app");
    assertThat(receivedBody.get()).isEqualTo("Action=GetCallerIdentity&Version=2011-06-15");
    assertThat(received.get().get("Authorization"))
        .containsExactly("AWS4-HMAC-SHA256 Credential=x, Signature=abc");
    assertThat(received.get().get("X-amz-date")).containsExactly("20260301T123456Z");
    assertThat(received.get().get("Host"))
        .containsExactly("127.0.0.1:" + server.getAddress().getPort());
  }

  @Test
  void readsARefusal() {
    answer.set(
        new Answer(
            403,
            Map.of(),
            "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>nope</Message>"
                + "</Error></ErrorResponse>"));
    assertThat(new StsProofSender().send(request()))
        .isEqualTo(new StsAnswer.Refused("SignatureDoesNotMatch", "nope"));
  }

  @Test
  void neverFollowsARedirect() {
    answer.set(new Answer(307, Map.of("Location", "http://127.0.0.1:1/elsewhere"), ""));
    assertThatThrownBy(() -> new StsProofSender().send(request()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redirect");
    assertThat(hits).hasValue(1);
  }

  @Test
  void refusesAnOversizedAnswerWithoutReadingItAll() {
    answer.set(new Answer(200, Map.of(), "<a>" + "x".repeat(StsAnswers.MAX_CHARS) + "</a>"));
    assertThatThrownBy(() -> new StsProofSender().send(request()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too large");
  }

  @Test
  void aServerErrorThatIsNotAnStsAnswerIsTransient() {
    answer.set(new Answer(503, Map.of(), "<html>busy</html>"));
    assertThatThrownBy(() -> new StsProofSender().send(request()))
        .isInstanceOfSatisfying(AwsFailure.class, e -> assertThat(e.isTerminal()).isFalse())
        .hasMessageNotContaining("Signature");
  }

  @Test
  void throttlingIsTransientNotARefusal() {
    answer.set(
        new Answer(
            400,
            Map.of(),
            "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message>"
                + "</Error></ErrorResponse>"));
    assertThatThrownBy(() -> new StsProofSender().send(request()))
        .isInstanceOfSatisfying(
            AwsFailure.class,
            e -> {
              assertThat(e.isTerminal()).isFalse();
              assertThat(e.reason().name()).isEqualTo("StsUnavailable");
            });
  }

  @Test
  void aServerErrorInStsFormIsTransient() {
    answer.set(
        new Answer(
            500,
            Map.of(),
            "<ErrorResponse><Error><Code>SomethingElse</Code><Message>x</Message></Error>"
                + "</ErrorResponse>"));
    assertThatThrownBy(() -> new StsProofSender().send(request()))
        .isInstanceOfSatisfying(AwsFailure.class, e -> assertThat(e.isTerminal()).isFalse());
  }

  @Test
  void anUnreachableEndpointIsTransientAndQuotesNoHeader() {
    server.stop(0);
    assertThatThrownBy(() -> new StsProofSender().send(request()))
        .isInstanceOfSatisfying(
            AwsFailure.class, e -> assertThat(e.reason().name()).isEqualTo("StsUnreachable"))
        .hasMessageNotContaining("Signature");
  }

  /**
   * A proof signed for sts.amazonaws.com sent to the configured endpoint keeps its signed Host, in
   * a JVM started without jdk.httpclient.allowRestrictedHeaders (surefire sets none).
   */
  @Test
  void theSignedHostIsSentToTheConfiguredEndpoint() {
    assertThat(System.getProperty("jdk.httpclient.allowRestrictedHeaders")).isNull();
    answer.set(new Answer(200, Map.of("Content-Type", "text/xml"), IDENTIFIED));
    Map<String, List<String>> headers = new LinkedHashMap<>(request().headers());
    headers.put("Host", new ArrayList<>(List.of("sts.amazonaws.com")));
    headers.put("Content-Length", List.of("43"));
    StsProofRequest r =
        new StsProofRequest(
            "POST",
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
            headers,
            "Action=GetCallerIdentity&Version=2011-06-15",
            "us-east-1",
            Instant.parse("2026-03-01T12:34:56Z"));
    assertThat(new StsProofSender().send(r)).isInstanceOf(StsAnswer.Identified.class);
    assertThat(hits).hasValue(1);
    assertThat(received.get().get("Host")).containsExactly("sts.amazonaws.com");
    assertThat(received.get().get("Content-length")).containsExactly("43");
    assertThat(receivedBody.get()).isEqualTo("Action=GetCallerIdentity&Version=2011-06-15");
  }

  // --- proxies (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) -------------------------------------------

  private static ProxySettings proxies(String... env) {
    Map<String, String> vars = new LinkedHashMap<>();
    for (int i = 0; i < env.length; i += 2) {
      vars.put(env[i], env[i + 1]);
    }
    return ProxySettings.from(vars, new Properties());
  }

  private StsProofRequest signedForGlobal(String uri) {
    Map<String, List<String>> headers = new LinkedHashMap<>(request().headers());
    headers.put("Host", new ArrayList<>(List.of("sts.amazonaws.com")));
    return new StsProofRequest(
        "POST",
        URI.create(uri),
        headers,
        "Action=GetCallerIdentity&Version=2011-06-15",
        "us-east-1",
        Instant.parse("2026-03-01T12:34:56Z"));
  }

  @Test
  void anHttpEndpointIsReachedThroughHttpProxyWithTheSignedHost() {
    answer.set(new Answer(200, Map.of("Content-Type", "text/xml"), IDENTIFIED));
    String endpoint = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    try (CountingProxy proxy = CountingProxy.start()) {
      // NO_PROXY names something else: loopback is not exempt unless listed.
      StsProofSender sender =
          new StsProofSender(proxies("HTTP_PROXY", proxy.url(), "NO_PROXY", "example.invalid"));
      assertThat(sender.send(signedForGlobal(endpoint))).isInstanceOf(StsAnswer.Identified.class);
      assertThat(proxy.seen())
          .containsExactly(
              new CountingProxy.Seen("POST " + endpoint + " HTTP/1.1", "sts.amazonaws.com"));
      assertThat(hits).hasValue(1);
      assertThat(received.get().get("Host")).containsExactly("sts.amazonaws.com");
    }
  }

  @Test
  void aDestinationInNoProxyIsReachedDirectly() {
    answer.set(new Answer(200, Map.of("Content-Type", "text/xml"), IDENTIFIED));
    try (CountingProxy proxy = CountingProxy.start()) {
      StsProofSender sender =
          new StsProofSender(proxies("HTTP_PROXY", proxy.url(), "NO_PROXY", "x.test,127.0.0.1"));
      sender.send(signedForGlobal("http://127.0.0.1:" + server.getAddress().getPort() + "/"));
      assertThat(proxy.seen()).isEmpty();
      assertThat(hits).hasValue(1);
    }
  }

  /** https goes through a CONNECT tunnel to the endpoint (here refused: nothing leaves). */
  @Test
  void anHttpsEndpointIsReachedThroughAConnectTunnelOfHttpsProxy() {
    try (CountingProxy proxy = CountingProxy.start()) {
      StsProofSender sender = new StsProofSender(proxies("HTTPS_PROXY", proxy.url()));
      assertThatThrownBy(() -> sender.send(signedForGlobal("https://sts.us-east-1.amazonaws.com/")))
          .isInstanceOfSatisfying(
              AwsFailure.class, e -> assertThat(e.reason().name()).isEqualTo("StsUnreachable"));
      assertThat(proxy.seen())
          .extracting(CountingProxy.Seen::requestLine)
          .containsExactly("CONNECT sts.us-east-1.amazonaws.com:443 HTTP/1.1");
    }
  }
}
