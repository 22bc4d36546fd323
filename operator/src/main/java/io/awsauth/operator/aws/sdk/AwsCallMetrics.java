package io.awsauth.operator.aws.sdk;

import io.micrometer.core.instrument.MeterRegistry;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/** Counts every AWS call by service, operation and outcome: {@code aao_aws_calls_total}. */
final class AwsCallMetrics implements ExecutionInterceptor {
  static final String CALLS = "aao.aws.calls";
  private final MeterRegistry registry;

  AwsCallMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    count(attributes, "success");
  }

  @Override
  public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
    count(attributes, AwsErrors.classify("call", context.exception()).code());
  }

  private void count(ExecutionAttributes attributes, String outcome) {
    registry
        .counter(
            CALLS,
            "service",
            String.valueOf(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME)),
            "operation",
            String.valueOf(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME)),
            "outcome",
            outcome)
        .increment();
  }
}
