package io.awsauth.operator.aws.sdk;

import static io.awsauth.operator.aws.IamAction.STS_ASSUME_ROLE;
import static io.awsauth.operator.aws.IamAction.STS_GET_CALLER_IDENTITY;

import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.aws.SessionCredentials;
import io.awsauth.operator.aws.StsGateway;
import java.util.Optional;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

final class SdkStsGateway implements StsGateway {
  private final StsClient sts;

  SdkStsGateway(StsClient sts) {
    this.sts = sts;
  }

  @Override
  public CallerIdentity getCallerIdentity() {
    GetCallerIdentityResponse r = Calls.call(STS_GET_CALLER_IDENTITY, sts::getCallerIdentity);
    return new CallerIdentity(r.account(), r.arn(), r.userId());
  }

  @Override
  public SessionCredentials assumeRole(
      String roleArn, String sessionName, Optional<String> externalId, int durationSeconds) {
    AssumeRoleRequest.Builder request =
        AssumeRoleRequest.builder()
            .roleArn(roleArn)
            .roleSessionName(sessionName)
            .durationSeconds(durationSeconds);
    externalId.ifPresent(request::externalId);
    Credentials c =
        Calls.call(STS_ASSUME_ROLE, () -> sts.assumeRole(request.build())).credentials();
    return new SessionCredentials(
        c.accessKeyId(), c.secretAccessKey(), c.sessionToken(), c.expiration());
  }
}
