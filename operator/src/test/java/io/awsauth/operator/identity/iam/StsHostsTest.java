package io.awsauth.operator.identity.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.awsauth.operator.status.UserError;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which hosts a proof may be signed for, and where it goes: a table of configs and URLs. */
class StsHostsTest {
  static final String VPCE = "https://vpce-0abc-xyz.sts.us-east-1.vpce.amazonaws.com";

  @Test
  void theDefaultsArethePartitionsGlobalHostTheRegionsHostAndTheEndpointsOwn() {
    assertThat(StsHosts.of(null, "us-east-1", null, false).allowed())
        .containsExactlyInAnyOrder("sts.amazonaws.com", "sts.us-east-1.amazonaws.com");
    assertThat(StsHosts.of(VPCE, "eu-west-1", null, false).allowed())
        .containsExactlyInAnyOrder(
            "sts.amazonaws.com",
            "sts.eu-west-1.amazonaws.com",
            "vpce-0abc-xyz.sts.us-east-1.vpce.amazonaws.com");
    assertThat(StsHosts.of("http://127.0.0.1:5000", "us-east-1", null, false).allowed())
        .contains("127.0.0.1:5000");
    // Partitions without a global endpoint: the region's own host, and that is where proofs go.
    StsHosts china = StsHosts.of(null, "cn-north-1", null, false);
    assertThat(china.allowed()).containsExactly("sts.cn-north-1.amazonaws.com.cn");
    assertThat(china.endpoint().uri())
        .isEqualTo(URI.create("https://sts.cn-north-1.amazonaws.com.cn/"));
    StsHosts gov = StsHosts.of(null, "us-gov-west-1", null, false);
    assertThat(gov.allowed()).containsExactly("sts.us-gov-west-1.amazonaws.com");
    assertThat(StsHosts.of(null, "us-east-1", null, false).endpoint())
        .isEqualTo(StsEndpoint.GLOBAL);
  }

  @Test
  void anExplicitListReplacesTheDefaults() {
    StsHosts hosts =
        StsHosts.of(VPCE, "us-east-1", List.of("STS.us-east-1.amazonaws.com:443"), false);
    assertThat(hosts.allowed()).containsExactly("sts.us-east-1.amazonaws.com");
    assertThat(refusal(hosts, "https://sts.amazonaws.com/"))
        .contains("sts.us-east-1.amazonaws.com");
    assertThat(refusal(hosts, VPCE + "/")).contains("stsAllowedHosts");
  }

  /** config (endpoint | region | allowed hosts | from client), URL → destination, or refused. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // Vault's CLI signs for the global host; it is sent to the configured endpoint.
        "http://127.0.0.1:5000 | us-east-1 |  | false | https://sts.amazonaws.com/ | http://127.0.0.1:5000/",
        VPCE + " | us-east-1 |  | false | https://sts.us-east-1.amazonaws.com/ | " + VPCE + "/",
        VPCE + " | us-east-1 |  | false | " + VPCE + "/ | " + VPCE + "/",
        " | us-east-1 |  | false | https://sts.us-east-1.amazonaws.com/ | https://sts.amazonaws.com/",
        // Another region's host: only with useStsRegionFromClient.
        VPCE + " | us-east-1 |  | false | https://sts.us-west-2.amazonaws.com/ | refused",
        VPCE + " | us-east-1 |  | true | https://sts.us-west-2.amazonaws.com/ | " + VPCE + "/",
        " | us-east-1 |  | true | https://sts.us-west-2.amazonaws.com/ | https://sts.us-west-2.amazonaws.com/",
        " | us-east-1 | sts.amazonaws.com | true | https://sts.eu-west-1.amazonaws.com/ | https://sts.eu-west-1.amazonaws.com/",
        // ... of the config's partition, with its DNS suffix, on 443 and https.
        " | us-east-1 |  | true | https://sts.cn-north-1.amazonaws.com.cn/ | refused",
        " | us-east-1 |  | true | https://sts.us-west-2.amazonaws.com.cn/ | refused",
        " | us-east-1 |  | true | https://sts.us-west-2.amazonaws.com:8443/ | refused",
        " | us-east-1 |  | true | http://sts.us-west-2.amazonaws.com/ | refused",
        " | us-east-1 |  | true | https://sts.us-west-2.example.com/ | refused",
        " | us-east-1 |  | true | https://xsts.us-west-2.amazonaws.com/ | refused",
        " | us-east-1 |  | true | https://sts.us-west-2.amazonaws.com.evil.com/ | refused",
        " | cn-north-1 |  | true | https://sts.cn-northwest-1.amazonaws.com.cn/ | https://sts.cn-northwest-1.amazonaws.com.cn/",
        " | cn-north-1 |  | true | https://sts.amazonaws.com/ | refused",
        // Hosts of nobody's choosing but the client's are never accepted.
        "http://127.0.0.1:5000 | us-east-1 |  | true | http://127.0.0.1:5001/ | refused",
        "http://127.0.0.1:5000 | us-east-1 |  | true | https://169.254.169.254/ | refused",
        "http://127.0.0.1:5000 | us-east-1 |  | true | https://sts.example.com/ | refused",
        "http://127.0.0.1:5000 | us-east-1 |  | false | http://sts.amazonaws.com/ | refused",
        "http://127.0.0.1:5000 | us-east-1 |  | false | https://sts.amazonaws.com:8443/ | refused",
        "http://127.0.0.1:5000 | us-east-1 |  | false | https://user@sts.amazonaws.com/ | refused",
        "http://127.0.0.1:5000 | us-east-1 |  | false | ftp://sts.amazonaws.com/ | refused",
        // An explicit list: exactly its hosts (an https host:port too).
        "http://127.0.0.1:5000 | us-east-1 | sts.eu-west-1.amazonaws.com | false | https://sts.amazonaws.com/ | refused",
        "http://127.0.0.1:5000 | us-east-1 | sts.eu-west-1.amazonaws.com | false | http://127.0.0.1:5000/ | refused",
        "http://127.0.0.1:5000 | us-east-1 | proxy.internal:8443 | false | https://proxy.internal:8443/ | http://127.0.0.1:5000/",
      })
  void destination(
      String endpoint,
      String region,
      String allowed,
      boolean fromClient,
      String url,
      String expected) {
    StsHosts hosts =
        StsHosts.of(endpoint, region, allowed == null ? null : List.of(allowed), fromClient);
    if (expected.equals("refused")) {
      assertThat(refusal(hosts, url)).contains("it was not sent");
    } else {
      assertThat(hosts.accept(URI.create(url)).destination().uri()).isEqualTo(URI.create(expected));
    }
  }

  @Test
  void aRegionFromTheClientMustBeTheRegionItSignedFor() {
    StsHosts hosts = StsHosts.of(VPCE, "us-east-1", null, true);
    assertThat(hosts.accept(URI.create("https://sts.us-west-2.amazonaws.com/")).signingRegion())
        .isEqualTo("us-west-2");
    // Hosts accepted without it say nothing of the region.
    assertThat(hosts.accept(URI.create("https://sts.amazonaws.com/")).signingRegion()).isNull();
  }

  @Test
  void theEndpointsOwnOriginKeepsItsPathOtherHostsHaveTheRootPath() {
    StsHosts hosts = StsHosts.of("https://proxy.internal/sts/", "us-east-1", null, false);
    assertThat(hosts.accept(URI.create("https://proxy.internal/sts/")).path()).isEqualTo("/sts/");
    assertThat(hosts.accept(URI.create("https://sts.amazonaws.com/")).path()).isEqualTo("/");
  }

  @Test
  void theMessageNamesTheAcceptedHostsAndIsShortWhenTheyAreMany() {
    List<String> many =
        List.of("a.example", "b.example", "c.example", "d.example", "e.example", "f.example");
    String message = refusal(StsHosts.of(null, "us-east-1", many, true), "https://x.example/");
    assertThat(message)
        .contains("a.example, b.example, c.example, d.example, e.example and 1 more")
        .contains("the STS host of the region it is signed for in aws")
        .doesNotContain("f.example");
  }

  private static String refusal(StsHosts hosts, String url) {
    UserError error = catchThrowableOfType(UserError.class, () -> hosts.accept(URI.create(url)));
    assertThat(error).as("%s must be refused", url).isNotNull();
    assertThat(error.reason().name()).isEqualTo("ProofWrongEndpoint");
    return error.getMessage();
  }
}
