package io.awsauth.operator.authconfig;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec;
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
}
