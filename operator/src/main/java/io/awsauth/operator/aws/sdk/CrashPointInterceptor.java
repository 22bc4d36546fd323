package io.awsauth.operator.aws.sdk;

import io.awsauth.operator.faults.CrashPoints;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Reports each AWS call that succeeded to {@link CrashPoints} under its operation name ({@code
 * CreateUser}, {@code AssumeRole}...), so that the crash-safety tests can halt the process right
 * after AWS has done it. Added to the clients only when a crash point is configured.
 */
final class CrashPointInterceptor implements ExecutionInterceptor {
  private final CrashPoints crashPoints;

  CrashPointInterceptor(CrashPoints crashPoints) {
    this.crashPoints = crashPoints;
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    crashPoints.passed(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
  }
}
