package io.awsauth.operator.identity.ec2;

/**
 * The fields of an EC2 instance identity document that the operator reads, once its signature is
 * verified. {@code accountId}, {@code region} and {@code instanceId} are always present and
 * well-formed; the others are null when the document leaves them out.
 */
public record InstanceIdentityDocument(
    String accountId,
    String region,
    String availabilityZone,
    String instanceId,
    String imageId,
    String instanceType,
    String architecture,
    String pendingTime,
    String privateIp) {}
