package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigStatus;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.AwsCredentials;
import io.awsauth.operator.aws.fake.FakeAwsClients;
import io.awsauth.operator.runtime.TestConfig;
import io.awsauth.operator.trust.AccountSessions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/** A Ready AwsAuthConfig in the fakes' account, as the credential path's unit tests resolve it. */
final class FakeConfigs {
  private FakeConfigs() {}

  static ResolvedAuthConfig resolved(String name) {
    AwsAuthConfig config = new AwsAuthConfig();
    config.setMetadata(new ObjectMetaBuilder().withName(name).build());
    config.setStatus(new AwsAuthConfigStatus());
    config.getStatus().accountId = FakeAwsClients.ACCOUNT;
    config.getStatus().callerArn = "arn:aws:iam::" + FakeAwsClients.ACCOUNT + ":user/vault-root";
    return new ResolvedAuthConfig(
        config,
        new AwsClientSettings(
            "us-east-1",
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            false,
            false,
            Optional.empty(),
            AwsCredentials.defaultChain(),
            "test",
            FakeAwsClients.ACCOUNT));
  }

  /** An Issuer over the fakes, with the operator's settings {@code properties}. */
  static Issuer issuer(FakeAwsClients aws, Clock clock, Map<String, String> properties) {
    var config = TestConfig.of(properties);
    return new Issuer(
        aws,
        new AccountSessions(aws, null, null),
        new ClusterIdentity(null, config),
        clock,
        config);
  }
}
