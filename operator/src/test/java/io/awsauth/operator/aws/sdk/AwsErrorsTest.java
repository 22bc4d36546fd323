package io.awsauth.operator.aws.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.Reason.Recheck;
import io.awsauth.operator.aws.AwsFailure;
import java.net.ConnectException;
import java.util.List;
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
    assertThat(f.operation()).isEqualTo("sts:GetCallerIdentity");
    assertThat(f.reason().name()).isEqualTo("InvalidCredentials");
    assertThat(f.getMessage())
        .isEqualTo(
            "sts:GetCallerIdentity failed: InvalidClientTokenId: message of InvalidClientTokenId");
  }

  @Test
  void accessDeniedAndMalformedPolicyAreTerminal() {
    assertThat(AwsErrors.classify("op", aws("AccessDenied", 403)).reason().name())
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
    assertThat(AwsErrors.classify("op", wrapped).reason().name()).isEqualTo("InvalidCredentials");
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
    assertThat(f.reason().name()).isEqualTo("EndpointUnreachable");
    assertThat(f.getMessage()).contains("Connection refused");
  }

  /** What the reconcilers do next follows from the reason: terminal waits, transient retries. */
  @Test
  void theReasonSaysWhetherTheFailureIsRetried() {
    List<Throwable> failures =
        List.of(
            aws("InvalidClientTokenId", 403),
            aws("ExpiredToken", 400),
            aws("AccessDenied", 403),
            aws("PackedPolicyTooLarge", 400),
            aws("ValidationError", 400),
            aws("NoSuchEntity", 404),
            aws("LimitExceeded", 409),
            aws("RegionDisabledException", 403),
            aws("SomethingNew", 400),
            aws("Throttling", 400),
            aws(null, 503),
            SdkClientException.create("down", new ConnectException("refused")),
            new IllegalStateException("bug"));
    assertThat(failures)
        .allSatisfy(
            t -> {
              AwsFailure f = AwsErrors.classify("op", t);
              assertThat(f.reason().recheck())
                  .as(f.reason().name())
                  .isEqualTo(f.isTerminal() ? Recheck.AFTER_REFUSAL : Recheck.RETRY_SOON);
            });
  }
}
