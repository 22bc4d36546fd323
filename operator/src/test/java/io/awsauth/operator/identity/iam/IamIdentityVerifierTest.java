package io.awsauth.operator.identity.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec;
import io.awsauth.operator.authconfig.AuthConfigs.ResolvedAuthConfig;
import io.awsauth.operator.status.UserError;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the proof Secret's keys are read (the rest is covered by IamAuthIT). */
class IamIdentityVerifierTest {
  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsOnlyTheFourProofKeysFromData() {
    Secret secret =
        new SecretBuilder()
            .withData(
                Map.of(
                    IamProof.METHOD_FIELD,
                    b64("POST"),
                    IamProof.URL_FIELD,
                    b64("aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8="),
                    IamProof.BODY_FIELD,
                    b64("body"),
                    IamProof.HEADERS_FIELD,
                    b64("headers"),
                    "unrelated",
                    b64("ignored")))
            .build();
    assertThat(IamIdentityVerifier.fields(secret))
        .containsOnly(
            Map.entry(IamProof.METHOD_FIELD, "POST"),
            Map.entry(IamProof.URL_FIELD, "aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8="),
            Map.entry(IamProof.BODY_FIELD, "body"),
            Map.entry(IamProof.HEADERS_FIELD, "headers"));
  }

  @Test
  void aMissingKeyIsLeftOutSoTheProofIsIncomplete() {
    Secret secret =
        new SecretBuilder().withData(Map.of(IamProof.METHOD_FIELD, b64("POST"))).build();
    var fields = IamIdentityVerifier.fields(secret);
    assertThat(fields).containsOnlyKeys(IamProof.METHOD_FIELD);
    assertThatThrownBy(
            () ->
                IamProof.fromFields(fields)
                    .validate(StsHosts.of(null, "us-east-1", null, false), null))
        .isInstanceOfSatisfying(
            UserError.class, e -> assertThat(e.reason().name()).isEqualTo("ProofIncomplete"));
  }

  @Test
  void dataThatIsNotBase64IsMalformedAndNotQuoted() {
    Secret secret =
        new SecretBuilder().withData(Map.of(IamProof.HEADERS_FIELD, "%%secret-ish%%")).build();
    assertThatThrownBy(() -> IamIdentityVerifier.fields(secret))
        .isInstanceOfSatisfying(
            UserError.class, e -> assertThat(e.reason().name()).isEqualTo("ProofMalformed"))
        .hasMessageNotContaining("secret-ish");
  }

  @Test
  void anEmptySecretHasNoFields() {
    assertThat(IamIdentityVerifier.fields(new SecretBuilder().build())).isEmpty();
  }

  @Test
  void theConfigsProofSettingsAreReadFromItsSpec() {
    AwsAuthConfig config = new AwsAuthConfig();
    config.setSpec(new AwsAuthConfigSpec());
    ResolvedAuthConfig resolved = new ResolvedAuthConfig(config, null);
    assertThat(IamIdentityVerifier.stsHosts(resolved))
        .isEqualTo(StsHosts.of(null, "us-east-1", null, false));
    assertThat(IamIdentityVerifier.allowedHeaders(resolved)).isEmpty();

    config.getSpec().region = "eu-west-1";
    config.getSpec().endpoints = new AwsAuthConfigSpec.Endpoints();
    config.getSpec().endpoints.sts = "https://vpce-1.sts.eu-west-1.vpce.amazonaws.com";
    config.getSpec().stsAllowedHosts = List.of("sts.eu-west-1.amazonaws.com");
    config.getSpec().useStsRegionFromClient = true;
    config.getSpec().allowedStsHeaders = List.of("X-Amz-User-Agent");
    StsHosts hosts = IamIdentityVerifier.stsHosts(resolved);
    assertThat(hosts.endpoint().host()).isEqualTo("vpce-1.sts.eu-west-1.vpce.amazonaws.com");
    assertThat(hosts.allowed()).containsExactly("sts.eu-west-1.amazonaws.com");
    assertThat(hosts.regionFromClient()).isTrue();
    assertThat(IamIdentityVerifier.allowedHeaders(resolved)).containsExactly("x-amz-user-agent");
  }
}
