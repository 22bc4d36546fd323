package io.awsauth.operator.aws.sdk;

import io.awsauth.operator.api.v1alpha1.AwsReason;
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
  private static final Map<String, AwsReason> TERMINAL =
      Map.ofEntries(
          Map.entry("InvalidClientTokenId", AwsReason.InvalidCredentials),
          Map.entry("UnrecognizedClientException", AwsReason.InvalidCredentials),
          Map.entry("SignatureDoesNotMatch", AwsReason.InvalidCredentials),
          Map.entry("IncompleteSignature", AwsReason.InvalidCredentials),
          Map.entry("AuthFailure", AwsReason.InvalidCredentials),
          Map.entry("ExpiredToken", AwsReason.ExpiredCredentials),
          Map.entry("ExpiredTokenException", AwsReason.ExpiredCredentials),
          Map.entry("AccessDenied", AwsReason.AccessDenied),
          Map.entry("AccessDeniedException", AwsReason.AccessDenied),
          Map.entry("UnauthorizedOperation", AwsReason.AccessDenied),
          Map.entry("MalformedPolicyDocument", AwsReason.MalformedPolicyDocument),
          Map.entry("PackedPolicyTooLarge", AwsReason.PolicyTooLarge),
          Map.entry("InvalidInput", AwsReason.InvalidInput),
          Map.entry("ValidationError", AwsReason.InvalidInput),
          Map.entry("InvalidParameterValue", AwsReason.InvalidInput),
          Map.entry("InvalidParameterCombination", AwsReason.InvalidInput),
          Map.entry("NoSuchEntity", AwsReason.NotFound),
          Map.entry("LimitExceeded", AwsReason.LimitExceeded),
          Map.entry("RegionDisabledException", AwsReason.RegionDisabled));

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

  /** The reason of a terminal AWS error code: AwsError when the code is not classified. */
  public static AwsReason terminalReason(String code) {
    return TERMINAL.getOrDefault(code, AwsReason.AwsError);
  }

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
        return new AwsFailure(operation, Kind.TERMINAL, code, TERMINAL.get(code), message, e);
      }
      if ((code != null && TRANSIENT_CODES.contains(code))
          || e.statusCode() >= 500
          || e.statusCode() == 429
          || e.isThrottlingException()) {
        return new AwsFailure(
            operation,
            Kind.TRANSIENT,
            code == null ? "HTTP" + e.statusCode() : code,
            AwsReason.AwsUnavailable,
            message,
            e);
      }
      return new AwsFailure(
          operation,
          Kind.TERMINAL,
          code == null ? "HTTP" + e.statusCode() : code,
          AwsReason.AwsError,
          message,
          e);
    }
    if (t instanceof SdkClientException e && hasIoCause(e)) {
      return new AwsFailure(
          operation,
          Kind.TRANSIENT,
          "EndpointUnreachable",
          AwsReason.EndpointUnreachable,
          operation + " failed: the endpoint could not be reached: " + rootMessage(e),
          e);
    }
    if (t instanceof SdkException e) {
      return new AwsFailure(
          operation,
          Kind.TRANSIENT,
          "SdkError",
          AwsReason.AwsUnavailable,
          operation + " failed: " + rootMessage(e),
          e);
    }
    if (t instanceof KubernetesClientException e) {
      // The API server's status reason (Conflict, NotFound, Forbidden...), never an object body.
      String why = e.getStatus() == null ? null : e.getStatus().getReason();
      return new AwsFailure(
          operation,
          Kind.TRANSIENT,
          "ApiServer" + e.getCode(),
          AwsReason.ApiServerError,
          operation
              + " failed: API server answered "
              + e.getCode()
              + (why == null ? "" : " " + why),
          e);
    }
    return new AwsFailure(
        operation,
        Kind.TRANSIENT,
        t.getClass().getSimpleName(),
        AwsReason.InternalError,
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
