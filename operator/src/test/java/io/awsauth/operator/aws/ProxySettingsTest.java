package io.awsauth.operator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.aws.ProxySettings.Proxy;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProxySettingsTest {
  static final Proxy CORP = new Proxy("http", "proxy.corp", 3128);

  static ProxySettings env(Map<String, String> env) {
    return ProxySettings.from(env, new Properties());
  }

  @Test
  void noVariablesMeansDirect() {
    assertThat(env(Map.of()).proxyFor("https", "sts.amazonaws.com", 443)).isEmpty();
    assertThat(ProxySettings.NONE.proxyFor("http", "127.0.0.1", 5000)).isEmpty();
  }

  @Test
  void eachSchemeHasItsOwnProxyAndNeitherFallsBack() {
    ProxySettings s = env(Map.of("HTTPS_PROXY", "http://proxy.corp:3128"));
    assertThat(s.proxyFor("https", "sts.amazonaws.com", 443)).contains(CORP);
    assertThat(s.proxyFor("http", "127.0.0.1", 5000)).isEmpty();
    ProxySettings plain = env(Map.of("http_proxy", "127.0.0.1:8080"));
    assertThat(plain.proxyFor("http", "127.0.0.1", 5000))
        .contains(new Proxy("http", "127.0.0.1", 8080));
    assertThat(plain.proxyFor("https", "sts.amazonaws.com", 443)).isEmpty();
  }

  @Test
  void upperCaseWinsAndSystemPropertiesWinOverVariables() {
    ProxySettings s =
        env(Map.of("HTTPS_PROXY", "http://proxy.corp:3128", "https_proxy", "http://other:1"));
    assertThat(s.proxyFor("https", "iam.amazonaws.com", 443)).contains(CORP);
    Properties p = new Properties();
    p.setProperty("https.proxyHost", "jvm.proxy");
    p.setProperty("https.proxyPort", "8443");
    p.setProperty("http.nonProxyHosts", "*.internal|localhost");
    ProxySettings jvm = ProxySettings.from(Map.of("HTTPS_PROXY", "http://proxy.corp:3128"), p);
    assertThat(jvm.proxyFor("https", "sts.amazonaws.com", 443))
        .contains(new Proxy("http", "jvm.proxy", 8443));
    assertThat(jvm.proxyFor("https", "vpce.internal", 443)).isEmpty();
    assertThat(jvm.proxyFor("https", "localhost", 443)).isEmpty();
  }

  /** NO_PROXY entry, destination host and port → exempt (direct) or not. */
  @ParameterizedTest
  @CsvSource({
    "*, sts.amazonaws.com, 443, true",
    "amazonaws.com, sts.amazonaws.com, 443, true",
    ".amazonaws.com, sts.amazonaws.com, 443, true",
    "amazonaws.com, amazonaws.com, 443, true",
    "amazonaws.com, notamazonaws.com, 443, false",
    "sts.amazonaws.com, iam.amazonaws.com, 443, false",
    "10.0.0.0/8, 10.1.2.3, 443, true",
    "10.0.0.0/8, 11.1.2.3, 443, false",
    "169.254.169.254, 169.254.169.254, 80, true",
    "example.com:8443, example.com, 8443, true",
    "example.com:8443, example.com, 443, false",
    "SVC.Cluster.Local, kubernetes.default.svc.cluster.local, 443, true",
    // Loopback is proxied unless listed (Go's default would exempt it silently).
    "example.com, 127.0.0.1, 443, false",
    "example.com, localhost, 443, false",
  })
  void noProxy(String entry, String host, int port, boolean exempt) {
    ProxySettings s =
        env(
            Map.of(
                "HTTPS_PROXY", "http://proxy.corp:3128", "NO_PROXY", "unrelated.test, " + entry));
    assertThat(s.proxyFor("https", host, port).isEmpty()).isEqualTo(exempt);
  }

  @Test
  void aProxyThatIsNotAUrlOrNamesAUserIsRefusedWithoutItsValue() {
    assertThatThrownBy(() -> env(Map.of("HTTPS_PROXY", "socks5://proxy:1080")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HTTPS_PROXY");
    assertThatThrownBy(() -> env(Map.of("HTTPS_PROXY", "http://user:s3cret@proxy:3128")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("s3cret");
    Properties p = new Properties();
    p.setProperty("http.proxyHost", "proxy");
    p.setProperty("http.proxyPort", "x");
    assertThatThrownBy(() -> ProxySettings.from(Map.of(), p))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(env(Map.of("HTTPS_PROXY", "https://tls.proxy")).proxyFor("https", "a.b", 443))
        .isEqualTo(Optional.of(new Proxy("https", "tls.proxy", 443)));
  }
}
