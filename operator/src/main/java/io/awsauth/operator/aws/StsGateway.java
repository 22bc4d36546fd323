package io.awsauth.operator.aws;

/** The STS calls the operator makes. Implementations throw {@link AwsFailure}. */
public interface StsGateway {
  CallerIdentity getCallerIdentity();
}
