package io.awsauth.operator.aws.sdk;

import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.AwsFailure.Kind;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Classifies SDK exceptions into terminal and transient {@link AwsFailure}s, in one place. */
public final class AwsErrors {
  private AwsErrors() {}

  /** AWS error codes after which retrying the same call cannot help. */
  private static final Map<String, String> TERMINAL =
      Map.ofEntries(
          Map.entry("InvalidClientTokenId", "InvalidCredentials"),
          Map.entry("UnrecognizedClientException", "InvalidCredentials"),
          Map.entry("SignatureDoesNotMatch", "InvalidCredentials"),
          Map.entry("IncompleteSignature", "InvalidCredentials"),
          Map.entry("AuthFailure", "InvalidCredentials"),
          Map.entry("ExpiredToken", "ExpiredCredentials"),
          Map.entry("ExpiredTokenException", "ExpiredCredentials"),
          Map.entry("AccessDenied", "AccessDenied"),
          Map.entry("AccessDeniedException", "AccessDenied"),
          Map.entry("UnauthorizedOperation", "AccessDenied"),
          Map.entry("MalformedPolicyDocument", "MalformedPolicyDocument"),
          Map.entry("PackedPolicyTooLarge", "PolicyTooLarge"),
          Map.entry("InvalidInput", "InvalidInput"),
          Map.entry("ValidationError", "InvalidInput"),
          Map.entry("InvalidParameterValue", "InvalidInput"),
          Map.entry("InvalidParameterCombination", "InvalidInput"),
          Map.entry("NoSuchEntity", "NotFound"),
          Map.entry("LimitExceeded", "LimitExceeded"),
          Map.entry("RegionDisabledException", "RegionDisabled"));

  private static final Set<String> TRANSIENT_CODES =
      Set.of(
          "Throttling",
          "ThrottlingException",
          "RequestLimitExceeded",
          "TooManyRequestsException",
          "ServiceUnavailable",
          "InternalFailure",
          "InternalError",
          "ServiceFailure",
          "IDPCommunicationError");

  public static AwsFailure classify(String operation, Throwable thrown) {
    Throwable t = unwrap(thrown);
    if (t instanceof AwsFailure f) {
      return f;
    }
    if (t instanceof AwsServiceException e) {
      String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
      String awsMessage = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
      String message =
          operation
              + " failed: "
              + (code == null ? "HTTP " + e.statusCode() : code)
              + (awsMessage == null ? "" : ": " + awsMessage);
      if (code != null && TERMINAL.containsKey(code)) {
        return new AwsFailure(Kind.TERMINAL, code, TERMINAL.get(code), message, e);
      }
      if ((code != null && TRANSIENT_CODES.contains(code))
          || e.statusCode() >= 500
          || e.statusCode() == 429
          || e.isThrottlingException()) {
        return new AwsFailure(
            Kind.TRANSIENT,
            code == null ? "HTTP" + e.statusCode() : code,
            "AwsUnavailable",
            message,
            e);
      }
      return new AwsFailure(
          Kind.TERMINAL, code == null ? "HTTP" + e.statusCode() : code, "AwsError", message, e);
    }
    if (t instanceof SdkClientException e && hasIoCause(e)) {
      return new AwsFailure(
          Kind.TRANSIENT,
          "EndpointUnreachable",
          "EndpointUnreachable",
          operation + " failed: the endpoint could not be reached: " + rootMessage(e),
          e);
    }
    if (t instanceof SdkException e) {
      return new AwsFailure(
          Kind.TRANSIENT,
          "SdkError",
          "AwsUnavailable",
          operation + " failed: " + rootMessage(e),
          e);
    }
    if (t instanceof KubernetesClientException e) {
      // The API server's status reason (Conflict, NotFound, Forbidden...), never an object body.
      String why = e.getStatus() == null ? null : e.getStatus().getReason();
      return new AwsFailure(
          Kind.TRANSIENT,
          "ApiServer" + e.getCode(),
          "ApiServerError",
          operation
              + " failed: API server answered "
              + e.getCode()
              + (why == null ? "" : " " + why),
          e);
    }
    return new AwsFailure(
        Kind.TRANSIENT,
        t.getClass().getSimpleName(),
        "InternalError",
        operation + " failed: " + t.getClass().getSimpleName(),
        t);
  }

  /** The framework wraps what a reconciler throws; find the AWS failure or SDK error inside. */
  private static Throwable unwrap(Throwable t) {
    Throwable sdk = null;
    for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
      if (c instanceof AwsFailure
          || c instanceof AwsServiceException
          || c instanceof KubernetesClientException) {
        return c;
      }
      if (sdk == null && c instanceof SdkException) {
        sdk = c;
      }
    }
    return sdk != null ? sdk : t;
  }

  private static boolean hasIoCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}
