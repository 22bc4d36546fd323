package io.awsauth.operator.testenv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The AWS emulator's own endpoints (e2e/env/moto_server.py): its time settings (Patch 11: per
 * account, how long new access keys, users, roles, trust policies and policy changes take to
 * propagate, and token-bucket throttling per API; {@code GET|POST /moto-api/fidelity/time}) and
 * what STS recorded for a session it issued ({@code GET /moto-api/fidelity/session}).
 */
public final class Emulator {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private Emulator() {}

  /** The time settings as JSON. */
  public static String settings(TestEnvironment env) {
    return send(env, HttpRequest.newBuilder(uri(env, "time")).GET());
  }

  /**
   * Per account, per API ({@code iam:CreateAccessKey}), how many calls a token bucket refused since
   * the emulator started, as JSON ({@code GET /moto-api/fidelity/throttled}).
   */
  public static String throttled(TestEnvironment env) {
    return send(env, HttpRequest.newBuilder(uri(env, "throttled")).GET());
  }

  /**
   * What STS recorded for the session of {@code accessKeyId}: arn, kind, sessionPolicies (the
   * parsed documents, null when none was passed), sourceIdentity, tags, issued, expiration.
   */
  public static JsonNode session(TestEnvironment env, String accessKeyId) {
    try {
      return JSON.readTree(
          send(
              env,
              HttpRequest.newBuilder(
                      URI.create(
                          env.awsEndpoint()
                              + "/moto-api/fidelity/session?accessKeyId="
                              + accessKeyId))
                  .GET()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Ends the session of {@code accessKeyId} now, as if its DurationSeconds had passed ({@code POST
   * /moto-api/fidelity/session}): no test can wait the 900 s of the shortest session.
   */
  public static void expireSession(TestEnvironment env, String accessKeyId) {
    send(
        env,
        HttpRequest.newBuilder(
                URI.create(
                    env.awsEndpoint() + "/moto-api/fidelity/session?accessKeyId=" + accessKeyId))
            .POST(HttpRequest.BodyPublishers.noBody()));
  }

  /**
   * Ends now every live session whose ARN is {@code sessionArn} (an assumed-role session ARN such
   * as an AwsAuthConfig's status.callerArn); how many there were.
   */
  public static int expireSessionsOf(TestEnvironment env, String sessionArn) {
    try {
      return JSON.readTree(
              send(
                  env,
                  HttpRequest.newBuilder(
                          URI.create(
                              env.awsEndpoint()
                                  + "/moto-api/fidelity/session?arn="
                                  + java.net.URLEncoder.encode(
                                      sessionArn, java.nio.charset.StandardCharsets.UTF_8)))
                      .POST(HttpRequest.BodyPublishers.noBody())))
          .path("expired")
          .asInt();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Merges {@code json} ({"default": {...}} and/or {"accounts": {"ID": {...}|null}}). */
  public static String configure(TestEnvironment env, String json) {
    return send(
        env,
        HttpRequest.newBuilder(uri(env, "time"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /**
   * Waits out the longest propagation delay set (0 when none): what a test does after creating
   * keys, roles or policies it is about to use, as it would on AWS.
   */
  public static void settle(TestEnvironment env) {
    try {
      JsonNode all = JSON.readTree(settings(env));
      double longest = longest(all.path("default").path("propagation"));
      for (JsonNode account : all.path("accounts")) {
        longest = Math.max(longest, longest(account.path("propagation")));
      }
      if (longest > 0) {
        Thread.sleep((long) (longest * 1000) + 100);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The propagation delay of {@code kind} (accessKey, user, role, trust, policy) in account {@code
   * account}: its own setting, else the default, else zero.
   */
  public static java.time.Duration propagation(TestEnvironment env, String account, String kind) {
    try {
      JsonNode all = JSON.readTree(settings(env));
      JsonNode own = all.path("accounts").path(account).path("propagation").path(kind);
      JsonNode seconds = own.isNumber() ? own : all.path("default").path("propagation").path(kind);
      return java.time.Duration.ofMillis(Math.round(seconds.asDouble(0) * 1000));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double longest(JsonNode propagation) {
    double longest = 0;
    for (JsonNode v : propagation) {
      longest = Math.max(longest, v.asDouble(0));
    }
    return longest;
  }

  private static URI uri(TestEnvironment env, String endpoint) {
    return URI.create(env.awsEndpoint() + "/moto-api/fidelity/" + endpoint);
  }

  private static String send(TestEnvironment env, HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            "emulator endpoint: HTTP " + r.statusCode() + " " + r.body());
      }
      return r.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
