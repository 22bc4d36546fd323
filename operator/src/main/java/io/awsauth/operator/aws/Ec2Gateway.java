package io.awsauth.operator.aws;

import java.util.Optional;

/**
 * The EC2 calls the operator makes, in one account and region. Implementations throw {@link
 * AwsFailure}.
 */
public interface Ec2Gateway {
  /**
   * ec2:DescribeInstances of one instance, or empty when the account has no such instance there.
   */
  Optional<Instance> describeInstance(String instanceId);

  /**
   * What the EC2 bindings compare: {@code ownerId} is the reservation's account; the profile's ARN
   * and ID are null when the instance has none.
   */
  record Instance(
      String ownerId,
      String instanceId,
      String state,
      String vpcId,
      String subnetId,
      String imageId,
      String iamInstanceProfileArn,
      String iamInstanceProfileId) {}
}
