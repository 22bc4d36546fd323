package io.awsauth.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.ApiPatterns;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The schema's region pattern admits the regions of every partition and no pseudo-region. */
class RegionPatternTest {
  private static final Pattern REGION = Pattern.compile(ApiPatterns.REGION);

  @Test
  void regionsOfEveryPartitionAreAdmitted() {
    for (String region :
        new String[] {
          "us-east-1", "eu-central-2", "ap-southeast-5", "cn-north-1", "cn-northwest-1",
          "us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "eusc-de-east-1"
        }) {
      assertThat(REGION.matcher(region).matches()).as(region).isTrue();
    }
  }

  @Test
  void pseudoRegionsWhoseStsEndpointIsGlobalAreNot() {
    for (String region :
        new String[] {"aws-global", "aws-cn-global", "aws-us-gov-global", "us-east", "US-EAST-1"}) {
      assertThat(REGION.matcher(region).matches()).as(region).isFalse();
    }
  }
}
