package io.awsauth.operator.aws.sdk;

import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.aws.StsGateway;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

final class SdkStsGateway implements StsGateway {
  private final StsClient sts;

  SdkStsGateway(StsClient sts) {
    this.sts = sts;
  }

  @Override
  public CallerIdentity getCallerIdentity() {
    try {
      GetCallerIdentityResponse r = sts.getCallerIdentity();
      return new CallerIdentity(r.account(), r.arn(), r.userId());
    } catch (SdkException e) {
      throw AwsErrors.classify("sts:GetCallerIdentity", e);
    }
  }
}
