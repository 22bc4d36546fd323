package io.awsauth.operator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Partitions by region and by ARN, with AWS's published names and domains written out. */
class PartitionTest {
  @Test
  void aRegionsNameSaysItsPartition() {
    assertThat(Partition.ofRegion("us-east-1").id()).isEqualTo("aws");
    assertThat(Partition.ofRegion("eu-west-1").id()).isEqualTo("aws");
    assertThat(Partition.ofRegion("ap-southeast-5").id()).isEqualTo("aws");
    assertThat(Partition.ofRegion("cn-north-1").id()).isEqualTo("aws-cn");
    assertThat(Partition.ofRegion("cn-northwest-1").id()).isEqualTo("aws-cn");
    assertThat(Partition.ofRegion("us-gov-west-1").id()).isEqualTo("aws-us-gov");
    assertThat(Partition.ofRegion("us-gov-east-1").id()).isEqualTo("aws-us-gov");
    assertThat(Partition.ofRegion("us-iso-east-1").id()).isEqualTo("aws-iso");
    assertThat(Partition.ofRegion("us-isob-east-1").id()).isEqualTo("aws-iso-b");
    assertThat(Partition.ofRegion("eu-isoe-west-1").id()).isEqualTo("aws-iso-e");
    assertThat(Partition.ofRegion("us-isof-south-1").id()).isEqualTo("aws-iso-f");
    assertThat(Partition.ofRegion("eusc-de-east-1").id()).isEqualTo("aws-eusc");
  }

  @Test
  void stsHostsAreInThePartitionsDomainAndOnlyAwsHasAGlobalOne() {
    assertThat(Partition.ofRegion("us-west-2").stsHost("us-west-2"))
        .isEqualTo("sts.us-west-2.amazonaws.com");
    assertThat(Partition.ofRegion("cn-north-1").stsHost("cn-north-1"))
        .isEqualTo("sts.cn-north-1.amazonaws.com.cn");
    assertThat(Partition.ofRegion("us-gov-west-1").stsHost("us-gov-west-1"))
        .isEqualTo("sts.us-gov-west-1.amazonaws.com");
    assertThat(Partition.AWS.globalStsHost()).contains("sts.amazonaws.com");
    assertThat(Partition.AWS_CN.globalStsHost()).isEmpty();
    assertThat(Partition.AWS_US_GOV.globalStsHost()).isEmpty();
  }

  @Test
  void anArnSaysItsPartition() {
    assertThat(Partition.ofArn("arn:aws:iam::111111111111:user/u")).contains(Partition.AWS);
    assertThat(Partition.ofArn("arn:aws-cn:sts::333333333333:assumed-role/r/s"))
        .contains(Partition.AWS_CN);
    assertThat(Partition.ofArn("arn:aws-us-gov:iam::111111111111:role/r"))
        .contains(Partition.AWS_US_GOV);
    assertThat(Partition.ofArn("arn:aws-iso-b:iam::111111111111:role/r").map(Partition::id))
        .contains("aws-iso-b");
    assertThat(Partition.ofArn("arn:other:iam::111111111111:role/r")).isEmpty();
    assertThat(Partition.ofArn("not an arn")).isEmpty();
    assertThat(Partition.ofArn(null)).isEqualTo(Optional.empty());
    assertThat(Partition.idOf("arn:aws-cn:iam::aws:policy/ReadOnlyAccess")).isEqualTo("aws-cn");
    assertThat(Partition.idOf("nope")).isEmpty();
  }
}
