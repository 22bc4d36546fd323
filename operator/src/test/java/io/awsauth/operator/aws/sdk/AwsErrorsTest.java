package io.awsauth.operator.aws.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.aws.AwsFailure;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

class AwsErrorsTest {
  private static AwsServiceException aws(String code, int status) {
    return AwsServiceException.builder()
        .statusCode(status)
        .awsErrorDetails(
            AwsErrorDetails.builder().errorCode(code).errorMessage("message of " + code).build())
        .build();
  }

  @Test
  void invalidKeyIsTerminal() {
    AwsFailure f = AwsErrors.classify("sts:GetCallerIdentity", aws("InvalidClientTokenId", 403));
    assertThat(f.isTerminal()).isTrue();
    assertThat(f.reason()).isEqualTo("InvalidCredentials");
    assertThat(f.getMessage())
        .isEqualTo(
            "sts:GetCallerIdentity failed: InvalidClientTokenId: message of InvalidClientTokenId");
  }

  @Test
  void accessDeniedAndMalformedPolicyAreTerminal() {
    assertThat(AwsErrors.classify("op", aws("AccessDenied", 403)).reason())
        .isEqualTo("AccessDenied");
    assertThat(AwsErrors.classify("op", aws("MalformedPolicyDocument", 400)).isTerminal()).isTrue();
  }

  @Test
  void throttlingAndServerErrorsAreTransient() {
    assertThat(AwsErrors.classify("op", aws("Throttling", 400)).isTerminal()).isFalse();
    assertThat(AwsErrors.classify("op", aws("SomethingNew", 503)).isTerminal()).isFalse();
    assertThat(AwsErrors.classify("op", aws("RequestLimitExceeded", 503)).code())
        .isEqualTo("RequestLimitExceeded");
  }

  @Test
  void findsTheFailureInsideTheFrameworksWrapping() {
    RuntimeException wrapped =
        new RuntimeException("reconcile failed", aws("InvalidClientTokenId", 403));
    assertThat(AwsErrors.classify("op", wrapped).reason()).isEqualTo("InvalidCredentials");
  }

  @Test
  void unknownClientErrorIsTerminal() {
    assertThat(AwsErrors.classify("op", aws("SomethingNew", 400)).isTerminal()).isTrue();
  }

  @Test
  void connectionRefusedIsTransientEndpointUnreachable() {
    SdkClientException e =
        SdkClientException.builder()
            .message("Unable to execute HTTP request")
            .cause(new ConnectException("Connection refused"))
            .build();
    AwsFailure f = AwsErrors.classify("sts:GetCallerIdentity", e);
    assertThat(f.isTerminal()).isFalse();
    assertThat(f.reason()).isEqualTo("EndpointUnreachable");
    assertThat(f.getMessage()).contains("Connection refused");
  }
}
