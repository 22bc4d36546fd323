package io.awsauth.operator.testenv;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.iam.IamClient;

/** What IAM in account A holds for a request (its users are named with the request's UID). */
public final class IamUsers {
  private IamUsers() {}

  /**
   * Exactly one IAM user of {@code request}, holding exactly the access key {@code keyId} and,
   * after a rotation, the key before it while its overlap lasts ({@code status.retiringKey}).
   */
  public static void assertOneUserHoldingExactly(
      TestEnvironment env, AwsCredentialRequest request, String keyId) {
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      List<String> users =
          iam.listUsersPaginator(x -> x.maxItems(1000)).users().stream()
              .map(u -> u.userName())
              .filter(n -> n.contains(request.getMetadata().getUid()))
              .toList();
      assertThat(users).as("IAM users of %s", request.getMetadata().getName()).hasSize(1);
      List<String> expected = new ArrayList<>(List.of(keyId));
      if (request.getStatus() != null && request.getStatus().retiringKey != null) {
        expected.add(request.getStatus().retiringKey.accessKeyId);
      }
      assertThat(iam.listAccessKeys(x -> x.userName(users.get(0))).accessKeyMetadata())
          .extracting(k -> k.accessKeyId())
          .containsExactlyInAnyOrderElementsOf(expected);
    }
  }
}
