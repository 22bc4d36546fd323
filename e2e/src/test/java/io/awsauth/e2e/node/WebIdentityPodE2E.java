package io.awsauth.e2e.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Emulator;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.SecretHygiene;
import io.awsauth.operator.testenv.SuiteRoles;
import io.awsauth.operator.testenv.TestEnvironmentExtension;
import io.awsauth.operator.testenv.WebIdentity;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Issue 20, deliverable 4, as a user runs it: the chart installed with
 * awsAuthConfig.credentials.source WebIdentity and no key anywhere in the cluster. The kubelet
 * projects the operator pod's ServiceAccount token (for the chart's audience) where the chart's
 * AwsAuthConfig reads it; the operator exchanges it with sts:AssumeRoleWithWebIdentity at the
 * emulator, which verifies it against the local API server's OIDC discovery and JWKS (rule 25 of
 * e2e/env/README.md); its pod becomes Ready and issues a credential that works (one call allowed,
 * one refused).
 */
@ExtendWith(TestEnvironmentExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebIdentityPodE2E {
  private final String suffix =
      UUID.randomUUID().toString().substring(0, 6).toLowerCase(Locale.ROOT);
  private final String operatorNamespace = "aao-webid-" + suffix;
  private final String release = "webid-" + suffix;
  private final String appNamespace = "aao-webid-app-" + suffix;
  private final String configName = "webid-" + suffix;
  private final String roleName = "webid-ec2-" + suffix;
  private final String awsRoleName = "webid-operator-" + suffix;

  private final SecretHygiene hygiene = new SecretHygiene();

  private LocalNode node;
  private KubernetesClient client;
  private String awsRoleArn;

  @BeforeAll
  void install() {
    node = LocalNode.get();
    client = node.client;
    Fixtures.namespace(client, operatorNamespace);
    Fixtures.namespace(client, appNamespace);
    // The chart's ServiceAccount (the release's full name) is the only subject the role trusts.
    awsRoleArn =
        WebIdentity.role(
            node.env,
            node.env.accountA(),
            awsRoleName,
            operatorNamespace,
            release + "-aws-auth-operator",
            WebIdentity.operatorPolicy());
    Emulator.settle(node.env);
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("awsAuthConfig.create", true);
    values.put("awsAuthConfig.name", configName);
    values.put("awsAuthConfig.credentials.source", "WebIdentity");
    values.put("awsAuthConfig.credentials.webIdentity.roleArn", awsRoleArn);
    values.put("awsAuthConfig.endpoints.sts", node.env.awsEndpoint());
    values.put("awsAuthConfig.endpoints.iam", node.env.awsEndpoint());
    values.put("awsAuthConfig.endpoints.ec2", node.env.awsEndpoint());
    node.installOperator(operatorNamespace, release, values);
  }

  @AfterAll
  void uninstall() {
    if (client != null) {
      node.tearDown(
          operatorNamespace, List.of(release), appNamespace, List.of(roleName), configName);
    }
  }

  @Test
  void theOperatorPodRunsOnItsProjectedTokenWithNoKeyInTheClusterAndIssues() {
    assertThat(client.secrets().inNamespace(operatorNamespace).list().getItems())
        .as("no static key in the operator's namespace")
        .noneMatch(s -> s.getData() != null && s.getData().containsKey("access_key"));

    Pod pod = node.awaitReadyOperatorPods(operatorNamespace, release, 1).get(0);
    Volume token =
        pod.getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("aws-web-identity-token"))
            .findFirst()
            .orElseThrow();
    assertThat(token.getProjected().getSources().get(0).getServiceAccountToken().getAudience())
        .isEqualTo(WebIdentity.AUDIENCE);

    AwsAuthConfig config =
        await()
            .atMost(Duration.ofSeconds(120))
            .until(
                () -> client.resources(AwsAuthConfig.class).withName(configName).get(),
                c -> c != null && c.getStatus() != null && c.getStatus().isTrue("Ready"));
    assertThat(config.getStatus().callerArn)
        .isEqualTo(
            "arn:aws:sts::"
                + node.env.accountA().id()
                + ":assumed-role/"
                + awsRoleName
                + "/aws-auth-operator-"
                + configName);
    assertThat(config.getSpec().credentials.roleArn).isEqualTo(awsRoleArn);

    node.createReady(
        LocalNode.role(
            roleName, CredentialType.IAM_USER, configName, appNamespace, SuiteRoles.EC2_ALL));
    AwsCredentialRequest request =
        LocalNode.request(appNamespace, "webid-creds-" + suffix, roleName);
    client.resource(request).create();
    Fixtures.awaitCondition(client, request, "Ready", "True");
    Secret issued =
        client.secrets().inNamespace(appNamespace).withName(request.getMetadata().getName()).get();
    hygiene.record(issued);
    Emulator.settle(node.env);
    var credentials = Aws.credentialsIn(issued);
    try (Ec2Client ec2 = Aws.ec2(node.env, credentials);
        IamClient iam = Aws.iam(node.env, credentials)) {
      assertThat(ec2.describeRegions().regions()).as("the role's policy allows EC2").isNotEmpty();
      AwsServiceException denied =
          catchThrowableOfType(AwsServiceException.class, () -> iam.listUsers());
      assertThat(denied.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
    }

    Path log = node.saveLog(operatorNamespace, pod.getMetadata().getName());
    hygiene.scan(client, List.of(log)).assertClean();
  }
}
