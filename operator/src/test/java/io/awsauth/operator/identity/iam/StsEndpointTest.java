package io.awsauth.operator.identity.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StsEndpointTest {
  @Test
  void theGlobalEndpointIsVaultsDefault() {
    assertThat(StsEndpoint.GLOBAL.uri()).isEqualTo(URI.create("https://sts.amazonaws.com/"));
    assertThat(StsEndpoint.of("https://sts.us-gov-west-1.amazonaws.com").host())
        .isEqualTo("sts.us-gov-west-1.amazonaws.com");
  }

  @Test
  void authorityShowsOnlyANonDefaultPort() {
    assertThat(StsEndpoint.of("https://STS.amazonaws.com:443").authority())
        .isEqualTo("sts.amazonaws.com");
    assertThat(StsEndpoint.of("http://localhost:5000/").authority()).isEqualTo("localhost:5000");
    assertThat(StsEndpoint.of("http://localhost").port()).isEqualTo(80);
  }

  @Test
  void hostHeaders() {
    StsEndpoint local = StsEndpoint.of("http://[::1]:5000");
    assertThat(local.isHost("[::1]:5000")).isTrue();
    assertThat(local.isHost("[::1]")).isFalse();
    assertThat(StsEndpoint.GLOBAL.isHost("sts.amazonaws.com")).isTrue();
    assertThat(StsEndpoint.GLOBAL.isHost("sts.amazonaws.com:443")).isTrue();
    assertThat(StsEndpoint.GLOBAL.isHost("STS.AMAZONAWS.COM")).isTrue();
    assertThat(StsEndpoint.GLOBAL.isHost("sts.amazonaws.com:80")).isFalse();
    assertThat(StsEndpoint.GLOBAL.isHost("sts.amazonaws.com.evil")).isFalse();
    assertThat(StsEndpoint.GLOBAL.isHost("sts.amazonaws.com:")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ftp://sts.amazonaws.com",
        "sts.amazonaws.com",
        "https://user@sts.amazonaws.com",
        "https://sts.amazonaws.com/?x=1",
        "https://sts.amazonaws.com/#f",
        "https://",
        "not a url",
      })
  void refusesWhatIsNotAnEndpoint(String url) {
    assertThatThrownBy(() -> StsEndpoint.of(url)).isInstanceOf(IllegalArgumentException.class);
  }
}
