package io.awsauth.operator.identity.ec2;

import java.util.List;

/**
 * What the EC2 bindings compare, taken from ec2:DescribeInstances (account = the reservation's
 * owner) and, for {@code iamRoleArns}, iam:GetInstanceProfile on the instance's profile. Fields AWS
 * leaves out are null; {@code iamRoleArns} is empty when the instance has no profile.
 */
public record Ec2Instance(
    String accountId,
    String region,
    String instanceId,
    String state,
    String vpcId,
    String subnetId,
    String amiId,
    String iamInstanceProfileArn,
    List<String> iamRoleArns) {

  public static final String RUNNING = "running";

  public Ec2Instance {
    iamRoleArns = iamRoleArns == null ? List.of() : List.copyOf(iamRoleArns);
  }
}
