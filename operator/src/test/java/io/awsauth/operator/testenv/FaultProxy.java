package io.awsauth.operator.testenv;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP proxy between the operator and the AWS emulator that injects AWS's failure modes at
 * configured rates: throttling (HTTP 400 {@code Throttling}), server errors (500/503), added
 * latency, and dropped connections, both before the call reaches AWS and after AWS executed it (the
 * answer is lost: the caller cannot know it happened). Counts every call by action and what was
 * done to it.
 */
public final class FaultProxy implements AutoCloseable {
  /** What the proxy does to calls, as fractions of all calls. */
  public record Faults(
      double throttle, double serverError, double dropBefore, double dropAfter, Duration latency) {
    public static final Faults NONE = new Faults(0, 0, 0, 0, Duration.ZERO);
  }

  static {
    // The caller signed the Host header (SigV4): it must reach the emulator unchanged. The JDK's
    // client reads this property once, at its first use in the JVM (the build sets it at start,
    // see the failsafe configuration); a proxy that cannot forward Host says so at once.
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    try {
      HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header("Host", "127.0.0.1");
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "FaultProxy cannot forward the signed Host header: start the JVM with"
              + " -Djdk.httpclient.allowRestrictedHeaders=host",
          e);
    }
  }

  private static final Pattern ACTION = Pattern.compile("(?:^|&)Action=([A-Za-z]+)");
  private static final Pattern CREDENTIAL = Pattern.compile("Credential=([A-Za-z0-9]+)/");

  /** The region of a SigV4 credential scope: Credential=KEY/DATE/REGION/SERVICE/aws4_request. */
  private static final Pattern SCOPE_REGION =
      Pattern.compile("Credential=[A-Za-z0-9]+/[0-9]{8}/([a-z0-9-]+)/[a-z0-9]+/aws4_request");

  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "content-length", "transfer-encoding", "expect", "keep-alive");

  private final HttpServer server;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI target;
  private final Random random = new Random(42);
  private volatile Faults faults = Faults.NONE;
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> bySigner = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> byRegion = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> succeeded = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> hostsBySigner = new ConcurrentHashMap<>();

  private FaultProxy(URI target) throws IOException {
    this.target = target;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
    server.setExecutor(Executors.newFixedThreadPool(32));
    server.createContext("/", this::handle);
    server.start();
  }

  public static FaultProxy start(String targetUrl) {
    try {
      return new FaultProxy(URI.create(targetUrl));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public void faults(Faults faults) {
    this.faults = faults;
  }

  /** Calls seen, by {@code <outcome>:<Action>} (outcome: forwarded, throttled, ...). */
  public Map<String, Long> counts() {
    Map<String, Long> copy = new java.util.TreeMap<>();
    counts.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }

  public long count(String outcome) {
    return counts.entrySet().stream()
        .filter(e -> e.getKey().startsWith(outcome + ":"))
        .mapToLong(e -> e.getValue().get())
        .sum();
  }

  /**
   * Calls with outcome {@code outcome} (e.g. forwarded) of {@code action} (null: any) signed with
   * the access key {@code accessKeyId}, so that a test can tell whose calls reached AWS. The key ID
   * is only compared, never printed.
   */
  public long countSignedBy(String outcome, String action, String accessKeyId) {
    return bySigner.entrySet().stream()
        .filter(e -> e.getKey().startsWith(outcome + ":" + (action == null ? "" : action + ":")))
        .filter(e -> e.getKey().endsWith(":" + accessKeyId))
        .mapToLong(e -> e.getValue().get())
        .sum();
  }

  /**
   * Calls with outcome {@code outcome} (only forwarded is counted) of {@code action} signed for
   * {@code region}.
   */
  public long countSignedFor(String outcome, String action, String region) {
    AtomicLong n = byRegion.get(outcome + ":" + action + ":" + region);
    return n == null ? 0 : n.get();
  }

  /**
   * Forwarded calls of {@code action} that AWS answered with success (2xx): for example the
   * CreateUser calls that created a user, not those answered EntityAlreadyExists.
   */
  public long succeeded(String action) {
    AtomicLong n = succeeded.get(action);
    return n == null ? 0 : n.get();
  }

  /**
   * The Host headers of the calls signed with {@code accessKeyId} that reached the proxy, e.g. the
   * signed Host a forwarded proof kept. The key ID is only compared, never printed.
   */
  public Set<String> hostsSignedBy(String accessKeyId) {
    return Set.copyOf(hostsBySigner.getOrDefault(accessKeyId, Set.of()));
  }

  public void reset() {
    hostsBySigner.clear();
    counts.clear();
    bySigner.clear();
    byRegion.clear();
    succeeded.clear();
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    Matcher m = ACTION.matcher(new String(body, StandardCharsets.UTF_8));
    String action = m.find() ? m.group(1) : "Unknown";
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    Matcher credential = CREDENTIAL.matcher(authorization == null ? "" : authorization);
    String signer = credential.find() ? credential.group(1) : "unsigned";
    String host = exchange.getRequestHeaders().getFirst("Host");
    hostsBySigner
        .computeIfAbsent(signer, k -> ConcurrentHashMap.newKeySet())
        .add(host == null ? "" : host);
    Matcher scope = SCOPE_REGION.matcher(authorization == null ? "" : authorization);
    String region = scope.find() ? scope.group(1) : "none";
    Faults f = faults;
    double roll;
    synchronized (random) {
      roll = random.nextDouble();
    }
    try {
      if (!f.latency().isZero()) {
        Thread.sleep(f.latency().toMillis());
      }
      if (roll < f.throttle()) {
        count("throttled", action, signer);
        error(exchange, 400, "Throttling", "Rate exceeded");
        return;
      }
      roll -= f.throttle();
      if (roll < f.serverError()) {
        count("server-error", action, signer);
        error(
            exchange,
            roll < f.serverError() / 2 ? 500 : 503,
            "ServiceUnavailable",
            "Service unavailable");
        return;
      }
      roll -= f.serverError();
      if (roll < f.dropBefore()) {
        count("dropped-before", action, signer);
        exchange.close();
        return;
      }
      roll -= f.dropBefore();
      HttpResponse<byte[]> answer = forward(exchange, body);
      if (roll < f.dropAfter()) {
        count("dropped-after", action, signer);
        exchange.close();
        return;
      }
      count("forwarded", action, signer);
      byRegion
          .computeIfAbsent("forwarded:" + action + ":" + region, k -> new AtomicLong())
          .incrementAndGet();
      if (answer.statusCode() / 100 == 2) {
        succeeded.computeIfAbsent(action, k -> new AtomicLong()).incrementAndGet();
      }
      answer
          .headers()
          .map()
          .forEach(
              (k, v) -> {
                if (!HOP_BY_HOP.contains(k.toLowerCase(java.util.Locale.ROOT))
                    && !k.startsWith(":")) {
                  exchange.getResponseHeaders().put(k, v);
                }
              });
      exchange.sendResponseHeaders(
          answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer.body());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.close();
    } catch (IOException e) {
      count("proxy-error", action, signer);
      exchange.close();
    }
  }

  private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
            .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body))
            .timeout(Duration.ofSeconds(60));
    exchange
        .getRequestHeaders()
        .forEach(
            (k, v) -> {
              if (!HOP_BY_HOP.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                v.forEach(value -> request.header(k, value));
              }
            });
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void error(HttpExchange exchange, int status, String code, String message)
      throws IOException {
    byte[] xml =
        ("<ErrorResponse><Error><Type>"
                + (status >= 500 ? "Receiver" : "Sender")
                + "</Type><Code>"
                + code
                + "</Code><Message>"
                + message
                + "</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/xml");
    exchange.sendResponseHeaders(status, xml.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(xml);
    }
  }

  private void count(String outcome, String action, String signer) {
    counts.computeIfAbsent(outcome + ":" + action, k -> new AtomicLong()).incrementAndGet();
    bySigner
        .computeIfAbsent(outcome + ":" + action + ":" + signer, k -> new AtomicLong())
        .incrementAndGet();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
