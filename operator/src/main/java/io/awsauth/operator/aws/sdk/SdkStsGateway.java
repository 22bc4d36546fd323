package io.awsauth.operator.aws.sdk;

import static io.awsauth.operator.aws.IamAction.STS_ASSUME_ROLE;
import static io.awsauth.operator.aws.IamAction.STS_GET_CALLER_IDENTITY;
import static io.awsauth.operator.aws.IamAction.STS_GET_FEDERATION_TOKEN;
import static io.awsauth.operator.aws.IamAction.STS_GET_SESSION_TOKEN;

import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.aws.SessionCredentials;
import io.awsauth.operator.aws.StsGateway;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.GetFederationTokenRequest;
import software.amazon.awssdk.services.sts.model.GetFederationTokenResponse;
import software.amazon.awssdk.services.sts.model.PolicyDescriptorType;
import software.amazon.awssdk.services.sts.model.Tag;

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
  public IssuedSession assumeRole(RoleSession session) {
    AssumeRoleRequest.Builder request =
        AssumeRoleRequest.builder()
            .roleArn(session.roleArn())
            .roleSessionName(session.sessionName())
            .durationSeconds(session.durationSeconds());
    session.externalId().ifPresent(request::externalId);
    session.policy().ifPresent(request::policy);
    if (!session.policyArns().isEmpty()) {
      request.policyArns(policyArns(session.policyArns()));
    }
    if (!session.tags().isEmpty()) {
      request.tags(tags(session.tags()));
    }
    session.sourceIdentity().ifPresent(request::sourceIdentity);
    if (!session.transitiveTagKeys().isEmpty()) {
      request.transitiveTagKeys(session.transitiveTagKeys());
    }
    AssumeRoleResponse r = Calls.call(STS_ASSUME_ROLE, () -> sts.assumeRole(request.build()));
    return new IssuedSession(credentials(r.credentials()), r.assumedRoleUser().arn());
  }

  @Override
  public IssuedSession getFederationToken(
      String name,
      Optional<String> policy,
      List<String> policyArns,
      Map<String, String> tags,
      int durationSeconds) {
    GetFederationTokenRequest.Builder request =
        GetFederationTokenRequest.builder().name(name).durationSeconds(durationSeconds);
    policy.ifPresent(request::policy);
    if (!policyArns.isEmpty()) {
      request.policyArns(policyArns(policyArns));
    }
    if (!tags.isEmpty()) {
      request.tags(tags(tags));
    }
    GetFederationTokenResponse r =
        Calls.call(STS_GET_FEDERATION_TOKEN, () -> sts.getFederationToken(request.build()));
    return new IssuedSession(credentials(r.credentials()), r.federatedUser().arn());
  }

  @Override
  public SessionCredentials getSessionToken(int durationSeconds) {
    return credentials(
        Calls.call(
                STS_GET_SESSION_TOKEN,
                () -> sts.getSessionToken(r -> r.durationSeconds(durationSeconds)))
            .credentials());
  }

  private static List<PolicyDescriptorType> policyArns(List<String> arns) {
    return arns.stream().map(a -> PolicyDescriptorType.builder().arn(a).build()).toList();
  }

  private static List<Tag> tags(Map<String, String> tags) {
    return tags.entrySet().stream()
        .map(t -> Tag.builder().key(t.getKey()).value(t.getValue()).build())
        .toList();
  }

  private static SessionCredentials credentials(Credentials c) {
    return new SessionCredentials(
        c.accessKeyId(), c.secretAccessKey(), c.sessionToken(), c.expiration());
  }
}
