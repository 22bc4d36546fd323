package io.awsauth.operator.authconfig;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec;
import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.status.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a config must pass before the operator verifies it in AWS (found by BadInputSuite). */
class AwsAuthConfigReconcilerTest {
  @Test
  void certificatesThatDoNotParseAreRefusedBeforeAnyAwsCall() {
    AwsAuthConfigSpec spec = new AwsAuthConfigSpec();
    spec.identityDocumentCertificates =
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
    assertThatThrownBy(() -> AwsAuthConfigReconciler.checkBeforeCalling(spec))
        .isInstanceOfSatisfying(
            UserError.class,
            e ->
                org.assertj.core.api.Assertions.assertThat(e.reason().name())
                    .isEqualTo("IdentityDocumentCertificatesInvalid"));
  }

  @Test
  void realCertificatesOrNonePass() throws IOException {
    AwsAuthConfigSpec spec = new AwsAuthConfigSpec();
    assertThatCode(() -> AwsAuthConfigReconciler.checkBeforeCalling(spec))
        .doesNotThrowAnyException();
    try (InputStream in =
        getClass().getResourceAsStream("/reliability/identity-document-cert.pem")) {
      spec.identityDocumentCertificates = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
    assertThatCode(() -> AwsAuthConfigReconciler.checkBeforeCalling(spec))
        .doesNotThrowAnyException();
  }

  @Test
  void anStsRegionOfAnotherPartitionIsRefusedBeforeAnyAwsCall() {
    AwsAuthConfigSpec spec = new AwsAuthConfigSpec();
    spec.region = "cn-north-1";
    spec.endpoints = new AwsAuthConfigSpec.Endpoints();
    spec.endpoints.stsRegion = "us-east-1";
    assertThatThrownBy(() -> AwsAuthConfigReconciler.checkBeforeCalling(spec))
        .isInstanceOfSatisfying(
            UserError.class,
            e ->
                org.assertj.core.api.Assertions.assertThat(e.reason().name())
                    .isEqualTo("PartitionMismatch"))
        .hasMessage(
            "endpoints.stsRegion us-east-1 is in partition aws, spec.region cn-north-1 in aws-cn:"
                + " STS and IAM must answer for the same identity");

    spec.endpoints.stsRegion = "cn-northwest-1";
    assertThatCode(() -> AwsAuthConfigReconciler.checkBeforeCalling(spec))
        .doesNotThrowAnyException();
  }

  @Test
  void theCallerMustBeInTheRegionsPartition() {
    AwsAuthConfigSpec spec = new AwsAuthConfigSpec();
    spec.region = "us-east-1";
    CallerIdentity cn =
        new CallerIdentity("333333333333", "arn:aws-cn:iam::333333333333:user/aao-admin", "AID");
    assertThatThrownBy(() -> AwsAuthConfigReconciler.checkCallerPartition(spec, cn))
        .isInstanceOf(UserError.class)
        .hasMessage(
            "the caller arn:aws-cn:iam::333333333333:user/aao-admin is in partition aws-cn,"
                + " spec.region us-east-1 in aws: set spec.region to a region of the caller's"
                + " partition");

    spec.region = "cn-north-1";
    assertThatCode(() -> AwsAuthConfigReconciler.checkCallerPartition(spec, cn))
        .doesNotThrowAnyException();
    spec.region = "us-gov-west-1";
    assertThatCode(
            () ->
                AwsAuthConfigReconciler.checkCallerPartition(
                    spec,
                    new CallerIdentity(
                        "111111111111",
                        "arn:aws-us-gov:sts::111111111111:assumed-role/r/s",
                        "AROA:s")))
        .doesNotThrowAnyException();
  }
}
