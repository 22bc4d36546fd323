package io.awsauth.operator.authconfig;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec.Credentials.Source;
import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.AwsCredentials;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which credentials a config's source gives, without the Kubernetes API (no Secret is read for
 * these sources): WebIdentity, and Default with or without IRSA's variables in the environment the
 * operator sees (a seam: the process's environment is never changed).
 */
class AuthConfigSettingsWebIdentityTest {
  private static final String ROLE = "arn:aws:iam::111111111111:role/aws-auth-operator";

  @Test
  void webIdentityNamesTheRoleTheTokenFileAndTheAudience() {
    AwsAuthConfig config = config(Source.WEB_IDENTITY);
    config.getSpec().credentials.roleArn = ROLE;
    config.getSpec().credentials.audience = "sts.amazonaws.com";

    AwsClientSettings s =
        new AuthConfigSettings(null, Map.<String, String>of()::get).refresh(config);

    assertThat(s.credentials())
        .isEqualTo(
            new AwsCredentials.WebIdentity(
                ROLE,
                Path.of("/var/run/secrets/awsauth.io/serviceaccount/token"),
                Optional.of("sts.amazonaws.com"),
                "aws-auth-operator-own"));
    config.getSpec().credentials.tokenFile = "/tokens/operator";
    assertThat(
            ((AwsCredentials.WebIdentity)
                    new AuthConfigSettings(null, Map.<String, String>of()::get)
                        .refresh(config)
                        .credentials())
                .tokenFile())
        .isEqualTo(Path.of("/tokens/operator"));
  }

  @Test
  void defaultWithIrsasVariablesIsThatWebIdentityNotTheSdksChain() {
    Map<String, String> webhook =
        Map.of(
            "AWS_ROLE_ARN",
            ROLE,
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "/var/run/secrets/eks.amazonaws.com/serviceaccount/token");

    AwsClientSettings s =
        new AuthConfigSettings(null, webhook::get).refresh(config(Source.DEFAULT));

    assertThat(s.credentials())
        .isEqualTo(
            new AwsCredentials.WebIdentity(
                ROLE,
                Path.of("/var/run/secrets/eks.amazonaws.com/serviceaccount/token"),
                Optional.empty(),
                "aws-auth-operator-own"));
    assertThat(s.fingerprint()).endsWith("/default-web-identity");
  }

  @Test
  void defaultTakesIrsasSessionNameWhenSet() {
    Map<String, String> webhook =
        Map.of(
            "AWS_ROLE_ARN", ROLE,
            "AWS_WEB_IDENTITY_TOKEN_FILE", "/t",
            "AWS_ROLE_SESSION_NAME", "operator-pod");

    AwsCredentials c =
        new AuthConfigSettings(null, webhook::get).refresh(config(Source.DEFAULT)).credentials();

    assertThat(((AwsCredentials.WebIdentity) c).sessionName()).isEqualTo("operator-pod");
  }

  @Test
  void defaultWithoutBothVariablesIsTheSdksChain() {
    assertThat(
            new AuthConfigSettings(null, Map.<String, String>of()::get)
                .refresh(config(Source.DEFAULT))
                .credentials())
        .isEqualTo(AwsCredentials.defaultChain());
    assertThat(
            new AuthConfigSettings(null, Map.of("AWS_ROLE_ARN", ROLE)::get)
                .refresh(config(Source.DEFAULT))
                .credentials())
        .as("a role without a token file: the SDK's chain, as the SDK itself decides")
        .isEqualTo(AwsCredentials.defaultChain());
  }

  @Test
  void theSessionNameFitsStssSixtyFourCharacters() {
    AwsAuthConfig config = config(Source.WEB_IDENTITY);
    config.getMetadata().setName("n".repeat(200));
    assertThat(AuthConfigSettings.sessionName(config))
        .hasSize(64)
        .startsWith("aws-auth-operator-n");
  }

  private static AwsAuthConfig config(Source source) {
    AwsAuthConfig config = new AwsAuthConfig();
    config.setMetadata(
        new ObjectMetaBuilder().withName("own").withUid("uid-1").withGeneration(1L).build());
    AwsAuthConfigSpec spec = new AwsAuthConfigSpec();
    spec.credentials = new AwsAuthConfigSpec.Credentials();
    spec.credentials.source = source;
    config.setSpec(spec);
    return config;
  }
}
