package io.awsauth.operator.aws.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.AwsCredentials;
import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.faults.CrashPoints;
import io.awsauth.operator.runtime.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Where the clients built from {@link AwsClientSettings} send their calls, as the SDK resolves the
 * endpoint: the requests go to an HTTP client that records them and answers as STS would, so no
 * call leaves the JVM. The expected hosts are AWS's documented endpoints, written out.
 */
class SdkEndpointsTest {
  private final RecordingHttp http = new RecordingHttp();
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
  void stsIsCalledAtTheRegionsOwnEndpointNeverTheGlobalOne() {
    assertThat(stsRequest(settings("us-west-2")).getUri())
        .isEqualTo(URI.create("https://sts.us-west-2.amazonaws.com"));
    assertThat(stsRequest(settings("us-east-1")).getUri().getHost())
        .as("us-east-1 too: regional, not sts.amazonaws.com")
        .isEqualTo("sts.us-east-1.amazonaws.com");
    assertThat(stsRequest(settings("eu-west-1")).getUri().getHost())
        .isEqualTo("sts.eu-west-1.amazonaws.com");
  }

  @Test
  void stsIsSignedForTheRegionItIsCalledIn() {
    assertThat(stsRequest(settings("us-west-2")).firstMatchingHeader("Authorization").orElseThrow())
        .contains("/us-west-2/sts/aws4_request");
  }

  @Test
  void endpointsStsRegionPicksTheStsRegionAndLeavesIamAndEc2InTheConfigsRegion() {
    AwsClientSettings s = settings("us-east-1", Optional.of("eu-central-1"), false, false);

    SdkHttpRequest sts = stsRequest(s);
    assertThat(sts.getUri().getHost()).isEqualTo("sts.eu-central-1.amazonaws.com");
    assertThat(sts.firstMatchingHeader("Authorization").orElseThrow())
        .contains("/eu-central-1/sts/aws4_request");
    assertThat(iamRequest(s).getUri().getHost()).isEqualTo("iam.amazonaws.com");
    assertThat(ec2Request(s, "us-east-1").getUri().getHost())
        .isEqualTo("ec2.us-east-1.amazonaws.com");
  }

  @Test
  void fipsSelectsTheFipsEndpointsOfEveryClient() {
    AwsClientSettings s = settings("us-west-2", Optional.empty(), true, false);

    assertThat(stsRequest(s).getUri().getHost()).isEqualTo("sts-fips.us-west-2.amazonaws.com");
    assertThat(iamRequest(s).getUri().getHost()).isEqualTo("iam-fips.amazonaws.com");
    assertThat(ec2Request(s, "us-west-2").getUri().getHost())
        .isEqualTo("ec2-fips.us-west-2.amazonaws.com");
  }

  @Test
  void dualstackSelectsTheDualStackEndpointsOfEveryClient() {
    AwsClientSettings s = settings("us-west-2", Optional.empty(), false, true);

    assertThat(stsRequest(s).getUri().getHost()).isEqualTo("sts.us-west-2.api.aws");
    assertThat(iamRequest(s).getUri().getHost()).isEqualTo("iam.global.api.aws");
    assertThat(ec2Request(s, "us-west-2").getUri().getHost()).isEqualTo("ec2.us-west-2.api.aws");
    assertThat(stsRequest(settings("us-west-2", Optional.empty(), true, true)).getUri().getHost())
        .as("both")
        .isEqualTo("sts-fips.us-west-2.api.aws");
  }

  @Test
  void chinaRegionsCallTheAwsCnEndpoints() {
    AwsClientSettings s = settings("cn-north-1");

    assertThat(stsRequest(s).getUri().getHost()).isEqualTo("sts.cn-north-1.amazonaws.com.cn");
    assertThat(iamRequest(s).getUri().getHost()).isEqualTo("iam.cn-north-1.amazonaws.com.cn");
    assertThat(ec2Request(s, "cn-northwest-1").getUri().getHost())
        .isEqualTo("ec2.cn-northwest-1.amazonaws.com.cn");
    assertThat(stsRequest(settings("cn-north-1", Optional.empty(), false, true)).getUri().getHost())
        .isEqualTo("sts.cn-north-1.api.amazonwebservices.com.cn");
  }

  @Test
  void govCloudRegionsCallTheAwsUsGovEndpoints() {
    AwsClientSettings s = settings("us-gov-west-1");

    assertThat(stsRequest(s).getUri().getHost()).isEqualTo("sts.us-gov-west-1.amazonaws.com");
    assertThat(iamRequest(s).getUri().getHost()).isEqualTo("iam.us-gov.amazonaws.com");
  }

  @Test
  void anEndpointUrlIsUsedAsItIsEvenWithFipsOrDualStack() {
    AwsClientSettings s =
        new AwsClientSettings(
            "us-west-2",
            Optional.of(URI.create("https://iam.vpce.example.internal")),
            Optional.of(URI.create("https://sts.vpce.example.internal:8443/")),
            Optional.empty(),
            Optional.empty(),
            true,
            true,
            Optional.of(0),
            AwsCredentials.of("AKIDEXAMPLE", "secret", Optional.empty()),
            "override",
            "111111111111");

    SdkHttpRequest sts = stsRequest(s);
    assertThat(sts.getUri().getHost()).isEqualTo("sts.vpce.example.internal");
    assertThat(sts.getUri().getPort()).isEqualTo(8443);
    assertThat(sts.firstMatchingHeader("Authorization").orElseThrow())
        .contains("/us-west-2/sts/aws4_request");
    assertThat(iamRequest(s).getUri().getHost()).isEqualTo("iam.vpce.example.internal");
    assertThat(ec2Request(s, "us-west-2").getUri().getHost())
        .as("the clients without a URL still get the variants")
        .isEqualTo("ec2-fips.us-west-2.api.aws");
  }

  @Test
  void theAnswerIsReadAsUsual() {
    CallerIdentity caller = clients.withSts(settings("cn-north-1"), s -> s.getCallerIdentity());
    assertThat(caller.arn()).isEqualTo("arn:aws-cn:iam::333333333333:user/aao-admin");
    assertThat(caller.account()).isEqualTo("333333333333");
  }

  private SdkHttpRequest stsRequest(AwsClientSettings s) {
    clients.withSts(s, sts -> sts.getCallerIdentity());
    return http.last();
  }

  private SdkHttpRequest iamRequest(AwsClientSettings s) {
    // the STS answer does not parse as GetUser's: only the request matters here
    catchThrowable(() -> clients.iam(s).getUser("u"));
    return http.last();
  }

  private SdkHttpRequest ec2Request(AwsClientSettings s, String region) {
    catchThrowable(() -> clients.ec2(s, region).describeInstance("i-0123456789abcdef0"));
    return http.last();
  }

  private static AwsClientSettings settings(String region) {
    return settings(region, Optional.empty(), false, false);
  }

  private static AwsClientSettings settings(
      String region, Optional<String> stsRegion, boolean fips, boolean dualstack) {
    return new AwsClientSettings(
        region,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        stsRegion,
        fips,
        dualstack,
        Optional.of(0),
        AwsCredentials.of("AKIDEXAMPLE", "secret", Optional.empty()),
        region + "/" + stsRegion + "/" + fips + "/" + dualstack,
        "111111111111");
  }

  /** Records every request and answers each with a GetCallerIdentity response. */
  static final class RecordingHttp implements SdkHttpClient {
    private final List<SdkHttpRequest> requests = new ArrayList<>();

    synchronized SdkHttpRequest last() {
      assertThat(requests).as("requests the SDK sent").isNotEmpty();
      return requests.get(requests.size() - 1);
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
      synchronized (this) {
        requests.add(request.httpRequest());
      }
      return new ExecutableHttpRequest() {
        @Override
        public HttpExecuteResponse call() throws IOException {
          byte[] body =
              ("<GetCallerIdentityResponse"
                      + " xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                      + "<GetCallerIdentityResult>"
                      + "<Arn>arn:aws-cn:iam::333333333333:user/aao-admin</Arn>"
                      + "<UserId>AIDAEXAMPLE</UserId><Account>333333333333</Account>"
                      + "</GetCallerIdentityResult>"
                      + "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
                      + "</GetCallerIdentityResponse>")
                  .getBytes(StandardCharsets.UTF_8);
          return HttpExecuteResponse.builder()
              .response(
                  SdkHttpResponse.builder()
                      .statusCode(200)
                      .putHeader("Content-Type", "text/xml")
                      .putHeader("Content-Length", String.valueOf(body.length))
                      .build())
              .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body)))
              .build();
        }

        @Override
        public void abort() {}
      };
    }

    @Override
    public void close() {}
  }
}
