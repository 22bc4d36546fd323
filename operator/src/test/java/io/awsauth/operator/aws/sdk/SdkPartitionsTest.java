package io.awsauth.operator.aws.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.aws.Partition;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

/**
 * {@link Partition} (which the code above the SDK adapters uses) agrees with the SDK's own
 * partition metadata for every region the SDK knows: the same partition id and DNS domain.
 */
class SdkPartitionsTest {
  @Test
  void everyRegionOfTheSdkIsInTheSamePartitionWithTheSameDomain() {
    List<Region> regions =
        Region.regions().stream().filter(r -> !r.isGlobalRegion() && r.metadata() != null).toList();
    assertThat(regions).hasSizeGreaterThan(30);
    for (Region region : regions) {
      PartitionMetadata sdk = region.metadata().partition();
      Partition ours = Partition.ofRegion(region.id());
      assertThat(ours.id()).as("partition of %s", region).isEqualTo(sdk.id());
      assertThat(ours.dnsSuffix()).as("domain of %s", region).isEqualTo(sdk.dnsSuffix());
    }
  }

  @Test
  void theSdkKnowsTheRegionsTheOtherPartitionTestsUse() {
    assertThat(Region.of("cn-north-1").metadata().partition().id()).isEqualTo("aws-cn");
    assertThat(Region.of("us-gov-west-1").metadata().partition().id()).isEqualTo("aws-us-gov");
  }
}
