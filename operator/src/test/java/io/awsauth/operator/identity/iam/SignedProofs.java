package io.awsauth.operator.identity.iam;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Real SigV4-signed GetCallerIdentity requests, made with the AWS SDK's own signer and encoded as
 * {@code vault login -method=aws} encodes them (base64 URL and body, base64 JSON of header name to
 * list of values).
 */
final class SignedProofs {
  static final String ACCESS_KEY_ID = "AKIDEXAMPLETESTKEY01";
  static final String SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";
  static final String BODY = "Action=GetCallerIdentity&Version=2011-06-15";
  static final Instant NOW = Instant.parse("2026-03-01T12:34:56Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private SignedProofs() {}

  /** A signed request, its headers as the signer left them (Host included), editable. */
  static final class Proof {
    String method = "POST";
    String url;
    String body;
    final Map<String, List<String>> headers = new LinkedHashMap<>();
    String signature;

    IamProof encoded() {
      try {
        return new IamProof(method, b64(url), b64(body), b64(JSON.writeValueAsString(headers)));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Go's http.Header, which the Vault CLI marshals, has no Host: the URL carries it. */
    Proof withoutHost() {
      headers.remove("Host");
      return this;
    }

    Proof set(String name, String... values) {
      headers.put(name, new ArrayList<>(List.of(values)));
      return this;
    }

    String authorization() {
      return headers.get("Authorization").get(0);
    }

    /** The signature as signed: it must never appear in a message. */
    String signature() {
      return signature;
    }
  }

  static Proof sign(String url, String region) {
    return sign(url, region, BODY, Map.of());
  }

  static Proof sign(String url, String region, String body, Map<String, String> extraHeaders) {
    SdkHttpRequest.Builder request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(URI.create(url))
            .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    extraHeaders.forEach(request::putHeader);
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(
                            AwsSessionCredentialsIdentity.create(
                                ACCESS_KEY_ID, "secretsecretsecretsecret", SESSION_TOKEN))
                        .request(request.build())
                        .payload(ContentStreamProvider.fromUtf8String(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sts")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(NOW, ZoneOffset.UTC)));
    Proof proof = new Proof();
    proof.url = url;
    proof.body = body;
    signed.request().headers().forEach((k, v) -> proof.headers.put(k, new ArrayList<>(v)));
    String auth = proof.authorization();
    proof.signature = auth.substring(auth.indexOf("Signature=") + "Signature=".length());
    return proof;
  }

  static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
