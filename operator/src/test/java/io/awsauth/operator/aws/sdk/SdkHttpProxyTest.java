package io.awsauth.operator.aws.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.awsauth.operator.aws.ProxySettings;
import io.awsauth.operator.testenv.CountingProxy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The HTTP client of every SDK client ({@link SdkClients#httpClient}) goes through HTTP_PROXY for
 * http endpoints and a CONNECT tunnel of HTTPS_PROXY for https ones, unless NO_PROXY lists them.
 */
class SdkHttpProxyTest {
  static final String IDENTITY =
      "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
          + "<GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/op</Arn>"
          + "<UserId>AIDAEXAMPLE</UserId><Account>111111111111</Account>"
          + "</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId>"
          + "</ResponseMetadata></GetCallerIdentityResponse>";

  HttpServer sts;
  final AtomicInteger hits = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    sts = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sts.createContext(
        "/",
        exchange -> {
          hits.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          byte[] body = IDENTITY.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/xml");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    sts.start();
  }

  @AfterEach
  void stop() {
    sts.stop(0);
  }

  private static StsClient client(SdkHttpClient http, String endpoint) {
    return StsClient.builder()
        .httpClient(http)
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(endpoint))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")))
        .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)))
        .build();
  }

  private static ProxySettings env(String... pairs) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return ProxySettings.from(env, new Properties());
  }

  @Test
  void anHttpEndpointGoesThroughHttpProxy() {
    String endpoint = "http://127.0.0.1:" + sts.getAddress().getPort();
    try (CountingProxy proxy = CountingProxy.start();
        SdkHttpClient http =
            SdkClients.httpClient(env("HTTP_PROXY", proxy.url(), "NO_PROXY", "example.invalid"));
        StsClient client = client(http, endpoint)) {
      assertThat(client.getCallerIdentity().account()).isEqualTo("111111111111");
      assertThat(proxy.seen())
          .extracting(CountingProxy.Seen::requestLine)
          .containsExactly("POST " + endpoint + "/ HTTP/1.1");
      assertThat(hits).hasValue(1);
    }
  }

  @Test
  void noProxyAndNoVariablesMeanDirect() {
    String endpoint = "http://127.0.0.1:" + sts.getAddress().getPort();
    try (CountingProxy proxy = CountingProxy.start();
        SdkHttpClient listed =
            SdkClients.httpClient(env("HTTP_PROXY", proxy.url(), "NO_PROXY", "127.0.0.1"));
        StsClient viaListed = client(listed, endpoint);
        SdkHttpClient none = SdkClients.httpClient(ProxySettings.NONE);
        StsClient direct = client(none, endpoint)) {
      viaListed.getCallerIdentity();
      direct.getCallerIdentity();
      assertThat(proxy.seen()).isEmpty();
      assertThat(hits).hasValue(2);
    }
  }

  @Test
  void anHttpsEndpointGoesThroughAConnectTunnelOfHttpsProxy() {
    try (CountingProxy proxy = CountingProxy.start();
        SdkHttpClient http = SdkClients.httpClient(env("HTTPS_PROXY", proxy.url()));
        StsClient client = client(http, "https://sts.us-east-1.amazonaws.com")) {
      // The proxy refuses the tunnel (the SDK reports its 403): nothing leaves the machine.
      assertThatThrownBy(client::getCallerIdentity).isInstanceOf(SdkException.class);
      assertThat(proxy.seen())
          .extracting(CountingProxy.Seen::requestLine)
          .containsExactly("CONNECT sts.us-east-1.amazonaws.com:443 HTTP/1.1");
    }
  }
}
