package io.awsauth.operator.identity.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NodeProviderIdTest {
  @ParameterizedTest
  @CsvSource({
    "aws:///us-east-1a/i-0123456789abcdef0, us-east-1a, us-east-1, i-0123456789abcdef0",
    "aws:///eu-central-1c/i-0abc1234, eu-central-1c, eu-central-1, i-0abc1234",
    "aws:///us-gov-west-1b/i-0123456789abcdef0, us-gov-west-1b, us-gov-west-1, i-0123456789abcdef0",
    "aws:///cn-north-1a/i-0123456789abcdef0, cn-north-1a, cn-north-1, i-0123456789abcdef0",
    "aws:///ap-southeast-2b/i-0123456789abcdef0, ap-southeast-2b, ap-southeast-2, i-0123456789abcdef0",
    // Local Zone and Wavelength Zone names.
    "aws:///us-west-2-lax-1a/i-0123456789abcdef0, us-west-2-lax-1a, us-west-2, i-0123456789abcdef0",
    "aws:///us-east-1-wl1-bos-wlz-1/i-0123456789abcdef0, us-east-1-wl1-bos-wlz-1, us-east-1,"
        + " i-0123456789abcdef0",
  })
  void parsesZoneRegionAndInstance(String providerId, String zone, String region, String id) {
    assertThat(NodeProviderId.parse(providerId)).contains(new NodeProviderId(zone, region, id));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "i-0123456789abcdef0",
        "aws:////i-0123456789abcdef0",
        "aws://us-east-1a/i-0123456789abcdef0",
        "aws:///us-east-1/i-0123456789abcdef0",
        "aws:///us-east-1a/fargate-ip-10-0-0-1.ec2.internal",
        "aws:///us-east-1a/i-0123456789ABCDEF0",
        "aws:///us-east-1a/i-012",
        "aws:///us-east-1a/i-0123456789abcdef0/extra",
        "aws:///us-east-1a/i-0123456789abcdef0\n",
        "gce://project/us-central1-a/node-1",
        "kind://docker/kind/kind-control-plane",
        "AWS:///us-east-1a/i-0123456789abcdef0",
        "aws:///US-EAST-1A/i-0123456789abcdef0",
        "aws:///../i-0123456789abcdef0",
      })
  void rejectsEverythingElse(String providerId) {
    assertThat(NodeProviderId.parse(providerId)).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void rejectsNull() {
    assertThat(NodeProviderId.parse(null)).isEmpty();
  }
}
