package io.awsauth.operator.identity.iam;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Emulator;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.TestEnvironment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
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
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * A workload's AWS identity on the emulator, and the signed sts:GetCallerIdentity proofs it makes
 * (the AWS SDK's own signer, as {@code vault login -method=aws} does), stored in Secrets in the
 * Vault CLI's encoding. {@code token} is null for an IAM user's long-term key.
 */
public record Workload(String name, String arn, String keyId, String secret, String token) {
  public static final String GET_CALLER_IDENTITY = "Action=GetCallerIdentity&Version=2011-06-15";

  /** Signs {@code body} for {@code url} now; the headers as the Vault CLI sends them. */
  public Map<String, List<String>> sign(String url, String body, Map<String, String> extraHeaders) {
    return sign(url, body, extraHeaders, Instant.now());
  }

  /** The same, signed at {@code at} (a proof made earlier and replayed now). */
  public Map<String, List<String>> sign(
      String url, String body, Map<String, String> extraHeaders, Instant at) {
    SdkHttpRequest.Builder unsigned =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(URI.create(url))
            .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    extraHeaders.forEach(unsigned::putHeader);
    AwsCredentialsIdentity identity =
        token == null
            ? AwsCredentialsIdentity.create(keyId, secret)
            : AwsSessionCredentialsIdentity.create(keyId, secret, token);
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(identity)
                        .request(unsigned.build())
                        .payload(ContentStreamProvider.fromUtf8String(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sts")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));
    Map<String, List<String>> headers = new LinkedHashMap<>();
    signed.request().headers().forEach((k, v) -> headers.put(k, new ArrayList<>(v)));
    // Go's http.Header, which the Vault CLI marshals, has no Host: the URL carries it.
    headers.remove("Host");
    return headers;
  }

  /** A new IAM user in account A with an access key. */
  public static Workload user(TestEnvironment env, String name) {
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.createUser(r -> r.userName(name));
      var key = iam.createAccessKey(r -> r.userName(name)).accessKey();
      // As on AWS, a workload signs with its key once the key has propagated.
      Emulator.settle(env);
      return new Workload(
          name,
          "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":user/" + name,
          key.accessKeyId(),
          key.secretAccessKey(),
          null);
    }
  }

  /** A session of the role {@code roleArn}, assumed by {@code assumer}. */
  public static Workload assumedBy(TestEnvironment env, Workload assumer, String roleArn) {
    try (StsClient sts = Aws.sts(env, assumer.keyId, assumer.secret)) {
      Credentials c =
          await()
              .atMost(Duration.ofSeconds(20))
              .ignoreExceptions()
              .until(
                  () ->
                      sts.assumeRole(r -> r.roleArn(roleArn).roleSessionName("pod-1"))
                          .credentials(),
                  x -> x != null);
      return new Workload(null, null, c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
    }
  }

  /** A trust policy admitting {@code principalArn} to sts:AssumeRole. */
  public static String trusting(String principalArn) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        + "\"Principal\":{\"AWS\":\""
        + principalArn
        + "\"},\"Action\":\"sts:AssumeRole\"}]}";
  }

  /**
   * A Secret in {@code namespace} holding the proof in the Vault CLI's encoding (base64 URL and
   * body, base64 JSON of the headers); returns its name.
   */
  public static String proofSecret(
      KubernetesClient client,
      String namespace,
      String url,
      String body,
      Map<String, List<String>> headers) {
    String name = Aws.unique("proof");
    try {
      Fixtures.secret(
          client,
          namespace,
          name,
          Map.of(
              IamProof.METHOD_FIELD, "POST",
              IamProof.URL_FIELD, b64(url),
              IamProof.BODY_FIELD, b64(body),
              IamProof.HEADERS_FIELD, b64(new ObjectMapper().writeValueAsString(headers))));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return name;
  }

  static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
