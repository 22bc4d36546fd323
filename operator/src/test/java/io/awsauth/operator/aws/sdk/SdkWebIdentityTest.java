package io.awsauth.operator.aws.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfigReason;
import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.AwsCredentials;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.faults.CrashPoints;
import io.awsauth.operator.runtime.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * The operator's own web identity as the SDK clients use it: the requests go to an HTTP client that
 * records them and answers as STS would (no call leaves the JVM). What STS itself checks is proven
 * on the emulator (MotoFidelityIT, authconfig/WebIdentityIT).
 */
class SdkWebIdentityTest {
  private static final String ROLE = "arn:aws:iam::111111111111:role/aws-auth-operator";

  @TempDir Path dir;

  private final FakeSts http = new FakeSts();
  private final SdkClients clients =
      new SdkClients(
          new SimpleMeterRegistry(),
          new CrashPoints(TestConfig.defaults()),
          TestConfig.defaults(),
          http);

  @AfterEach
  void close() {
    clients.close();
  }

  @Test
  void theTokenIsSentUnsignedToTheConfigsStsRegionAndTheSessionSignsTheCalls() throws IOException {
    Path file = token("first", "sts.amazonaws.com");
    AwsClientSettings s = settings(web(file, Optional.empty()), Optional.of("eu-central-1"));

    clients.sts(s).getCallerIdentity();

    assertThat(http.calls).hasSize(2);
    Call assume = http.calls.get(0);
    assertThat(assume.form()).containsEntry("Action", "AssumeRoleWithWebIdentity");
    assertThat(assume.form()).containsEntry("RoleArn", ROLE);
    assertThat(assume.form()).containsEntry("RoleSessionName", "aws-auth-operator-default");
    assertThat(assume.request().getUri().getHost()).isEqualTo("sts.eu-central-1.amazonaws.com");
    assertThat(assume.request().firstMatchingHeader("Authorization")).isEmpty();
    Call caller = http.calls.get(1);
    assertThat(caller.form()).containsEntry("Action", "GetCallerIdentity");
    assertThat(caller.request().firstMatchingHeader("Authorization").orElseThrow())
        .contains("ASIAWEBIDENTITY1")
        .contains("/eu-central-1/sts/aws4_request");
  }

  /**
   * Every exchange reads the file again: the SDK's refresh before expiry and a renewal after AWS
   * refused the session early both call the same request supplier. (The SDK's refresh timing itself
   * is not driven here: it runs on the SDK's own clock.)
   */
  @Test
  void theTokenFileIsReadAgainAtEveryExchange() throws IOException {
    Path file = token("first", "sts.amazonaws.com");
    AwsClientSettings s = settings(web(file, Optional.empty()), Optional.empty());
    clients.sts(s).getCallerIdentity();
    Files.writeString(file, jwt("second", "sts.amazonaws.com"));
    clients.renewCredentials(s);
    clients.sts(s).getCallerIdentity();

    assertThat(http.tokensSent())
        .containsExactly(jwt("first", "sts.amazonaws.com"), jwt("second", "sts.amazonaws.com"));
    assertThat(http.calls)
        .as("one exchange per token, each followed by the call it signed")
        .extracting(c -> c.form().get("Action"))
        .containsExactly(
            "AssumeRoleWithWebIdentity",
            "GetCallerIdentity",
            "AssumeRoleWithWebIdentity",
            "GetCallerIdentity");
  }

  @Test
  void aTokenStsRefusesIsWebIdentityTokenRefusedAndTheMessageHasNoToken() throws IOException {
    Path file = token("refused", "sts.amazonaws.com");
    http.refuseWith = "InvalidIdentityToken";

    Throwable thrown =
        catchThrowable(
            () ->
                clients
                    .sts(settings(web(file, Optional.empty()), Optional.empty()))
                    .getCallerIdentity());

    assertThat(thrown).isInstanceOf(AwsFailure.class);
    AwsFailure failure = (AwsFailure) thrown;
    assertThat(failure.reason()).isEqualTo(AwsAuthConfigReason.WebIdentityTokenRefused);
    assertThat(failure.isTerminal()).isTrue();
    assertThat(failure.code()).isEqualTo("InvalidIdentityToken");
    assertThat(failure.getMessage())
        .contains("sts:AssumeRoleWithWebIdentity of " + ROLE)
        .contains(file.toString())
        .doesNotContain(jwt("refused", "sts.amazonaws.com"))
        .doesNotContain(payload("refused", "sts.amazonaws.com"));
  }

  @Test
  void aMissingOrEmptyFileIsUnreadableAndNothingIsSent() throws IOException {
    Path missing = dir.resolve("missing");
    AwsFailure failure =
        (AwsFailure)
            catchThrowable(
                () ->
                    clients
                        .sts(settings(web(missing, Optional.empty()), Optional.empty()))
                        .getCallerIdentity());
    assertThat(failure.reason()).isEqualTo(AwsAuthConfigReason.WebIdentityTokenUnreadable);
    assertThat(failure.isTerminal()).as("the kubelet may not have written it yet").isFalse();
    assertThat(failure.getMessage()).contains(missing.toString()).contains("cannot be read");

    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThat(catchThrowable(() -> WebIdentityCredentials.token(web(empty, Optional.empty()))))
        .hasMessageContaining("is empty");
    Path notJwt = Files.writeString(dir.resolve("not-jwt"), "opaque-token");
    assertThat(
            catchThrowable(
                () -> WebIdentityCredentials.token(web(notJwt, Optional.of("sts.amazonaws.com")))))
        .hasMessageContaining("does not hold a JWT")
        .hasMessageNotContaining("opaque-token");
    assertThat(http.calls).isEmpty();
  }

  @Test
  void aTokenForAnotherAudienceIsRefusedBeforeStsIsCalled() throws IOException {
    Path file = token("other", "other-audience");
    AwsFailure failure =
        (AwsFailure)
            catchThrowable(
                () ->
                    clients
                        .sts(
                            settings(web(file, Optional.of("sts.amazonaws.com")), Optional.empty()))
                        .getCallerIdentity());

    assertThat(failure.reason()).isEqualTo(AwsAuthConfigReason.WebIdentityTokenRefused);
    assertThat(failure.getMessage())
        .contains("[other-audience]")
        .contains("not credentials.audience sts.amazonaws.com")
        .doesNotContain(jwt("other", "other-audience"));
    assertThat(http.calls).isEmpty();

    Files.writeString(file, jwt("listed", "[\"x\",\"sts.amazonaws.com\"]"));
    assertThat(WebIdentityCredentials.token(web(file, Optional.of("sts.amazonaws.com"))))
        .as("an aud list holding it")
        .isEqualTo(jwt("listed", "[\"x\",\"sts.amazonaws.com\"]"));
  }

  private Path token(String subject, String audience) throws IOException {
    return Files.writeString(dir.resolve("token"), jwt(subject, audience) + "\n");
  }

  private static AwsCredentials.WebIdentity web(Path file, Optional<String> audience) {
    return new AwsCredentials.WebIdentity(ROLE, file, audience, "aws-auth-operator-default");
  }

  /** An unsigned JWT-shaped token: the operator never verifies it, STS does. */
  static String jwt(String subject, String audience) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + payload(subject, audience)
        + ".c2lnbmF0dXJl";
  }

  private static String payload(String subject, String audience) {
    String aud = audience.startsWith("[") ? audience : "\"" + audience + "\"";
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(
            ("{\"sub\":\"" + subject + "\",\"aud\":" + aud + "}").getBytes(StandardCharsets.UTF_8));
  }

  private static AwsClientSettings settings(
      AwsCredentials credentials, Optional<String> stsRegion) {
    return new AwsClientSettings(
        "us-east-1",
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        stsRegion,
        false,
        false,
        Optional.of(0),
        credentials,
        "web-identity-" + stsRegion.orElse(""),
        "111111111111");
  }

  record Call(SdkHttpRequest request, Map<String, String> form) {}

  /** Answers AssumeRoleWithWebIdentity (or refuses it) and GetCallerIdentity, recording both. */
  static final class FakeSts implements SdkHttpClient {
    final List<Call> calls = new ArrayList<>();
    volatile String refuseWith;

    synchronized List<String> tokensSent() {
      return calls.stream()
          .filter(c -> "AssumeRoleWithWebIdentity".equals(c.form().get("Action")))
          .map(c -> c.form().get("WebIdentityToken"))
          .toList();
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
      Map<String, String> form = form(request);
      synchronized (this) {
        calls.add(new Call(request.httpRequest(), form));
      }
      return new ExecutableHttpRequest() {
        @Override
        public HttpExecuteResponse call() {
          if ("AssumeRoleWithWebIdentity".equals(form.get("Action"))) {
            if (refuseWith != null) {
              return answer(
                  400,
                  "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
                      + "<Type>Sender</Type><Code>"
                      + refuseWith
                      + "</Code><Message>The web identity token that was passed could not be"
                      + " validated by AWS.</Message></Error><RequestId>r</RequestId>"
                      + "</ErrorResponse>");
            }
            String expiration =
                Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS).toString();
            return answer(
                200,
                "<AssumeRoleWithWebIdentityResponse"
                    + " xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                    + "<AssumeRoleWithWebIdentityResult><Credentials>"
                    + "<AccessKeyId>ASIAWEBIDENTITY1</AccessKeyId>"
                    + "<SecretAccessKey>secret</SecretAccessKey><SessionToken>session</SessionToken>"
                    + "<Expiration>"
                    + expiration
                    + "</Expiration></Credentials>"
                    + "<AssumedRoleUser><Arn>arn:aws:sts::111111111111:assumed-role/aws-auth-operator/s</Arn>"
                    + "<AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>"
                    + "</AssumeRoleWithWebIdentityResult>"
                    + "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
                    + "</AssumeRoleWithWebIdentityResponse>");
          }
          return answer(
              200,
              "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                  + "<GetCallerIdentityResult>"
                  + "<Arn>arn:aws:sts::111111111111:assumed-role/aws-auth-operator/s</Arn>"
                  + "<UserId>AROAEXAMPLE:s</UserId><Account>111111111111</Account>"
                  + "</GetCallerIdentityResult>"
                  + "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
                  + "</GetCallerIdentityResponse>");
        }

        @Override
        public void abort() {}
      };
    }

    private static Map<String, String> form(HttpExecuteRequest request) {
      Map<String, String> form = new LinkedHashMap<>();
      if (request.contentStreamProvider().isEmpty()) {
        return form;
      }
      try (InputStream in = request.contentStreamProvider().get().newStream()) {
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        for (String pair : body.split("&")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            form.put(
                URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return form;
    }

    private static HttpExecuteResponse answer(int status, String xml) {
      byte[] body = xml.getBytes(StandardCharsets.UTF_8);
      return HttpExecuteResponse.builder()
          .response(
              SdkHttpResponse.builder()
                  .statusCode(status)
                  .putHeader("Content-Type", "text/xml")
                  .putHeader("Content-Length", String.valueOf(body.length))
                  .build())
          .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body)))
          .build();
    }

    @Override
    public void close() {}
  }
}
