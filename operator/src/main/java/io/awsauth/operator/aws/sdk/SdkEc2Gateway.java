package io.awsauth.operator.aws.sdk;

import static io.awsauth.operator.aws.IamAction.EC2_DESCRIBE_INSTANCES;

import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.Ec2Gateway;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;

final class SdkEc2Gateway implements Ec2Gateway {
  private final Ec2Client ec2;

  SdkEc2Gateway(Ec2Client ec2) {
    this.ec2 = ec2;
  }

  @Override
  public Optional<Instance> describeInstance(String instanceId) {
    DescribeInstancesResponse response;
    try {
      response =
          Calls.call(
              EC2_DESCRIBE_INSTANCES, () -> ec2.describeInstances(r -> r.instanceIds(instanceId)));
    } catch (AwsFailure e) {
      // InvalidInstanceID.NotFound (and .Malformed): not an instance of this account and region.
      if (e.code() != null && e.code().startsWith("InvalidInstanceID.")) {
        return Optional.empty();
      }
      throw e;
    }
    return response.reservations().stream()
        .flatMap(
            reservation ->
                reservation.instances().stream()
                    .filter(i -> instanceId.equals(i.instanceId()))
                    .map(
                        i ->
                            new Instance(
                                reservation.ownerId(),
                                i.instanceId(),
                                i.state() == null ? null : i.state().nameAsString(),
                                i.vpcId(),
                                i.subnetId(),
                                i.imageId(),
                                i.iamInstanceProfile() == null
                                    ? null
                                    : i.iamInstanceProfile().arn(),
                                i.iamInstanceProfile() == null
                                    ? null
                                    : i.iamInstanceProfile().id())))
        .findFirst();
  }
}
