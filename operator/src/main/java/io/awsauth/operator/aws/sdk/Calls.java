package io.awsauth.operator.aws.sdk;

import io.awsauth.operator.aws.IamAction;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;

/** Every SDK call goes through here: it names its IAM action, and its errors are classified. */
final class Calls {
  private Calls() {}

  static <T> T call(IamAction action, Supplier<T> call) {
    try {
      return call.get();
    } catch (SdkException e) {
      throw AwsErrors.classify(action.action(), e);
    }
  }

  static void run(IamAction action, Runnable call) {
    call(
        action,
        () -> {
          call.run();
          return null;
        });
  }
}
