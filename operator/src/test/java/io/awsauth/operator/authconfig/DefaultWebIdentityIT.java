package io.awsauth.operator.authconfig;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfigSpec;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Emulator;
import io.awsauth.operator.testenv.FaultProxy;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorProcess;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironmentExtension;
import io.awsauth.operator.testenv.WebIdentity;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart's default, credentials.source Default, as it runs on EKS with IRSA: the packaged
 * operator started with the variables IRSA's webhook puts in the pod (AWS_ROLE_ARN,
 * AWS_WEB_IDENTITY_TOKEN_FILE; set on the process, the test JVM's own environment untouched) and a
 * token the real API server issued. It assumes that role with that token through the config's own
 * STS endpoint (a counting proxy in front of the emulator), not the SDK's chain; with the token
 * gone, a config is WebIdentityTokenUnreadable instead of falling through to an instance role.
 *
 * <p>The objects carry the label awsauth.io/operator-under-test, which only the process selects.
 */
@ExtendWith(TestEnvironmentExtension.class)
class DefaultWebIdentityIT {
  static final String LABEL = "awsauth.io/operator-under-test";
  static final String NS = "aao-default-webid-it";
  static final String SA = "operator";
  static TestEnvironment env;
  static KubernetesClient client;
  static FaultProxy proxy;
  static OperatorProcess operator;
  static String roleName;
  static Path tokenFile;
  static String token;

  @BeforeAll
  static void operatorWithIrsasVariables() throws Exception {
    env = TestEnvironment.get();
    client = env.client();
    Fixtures.namespace(client, NS);
    roleName = Aws.unique("irsa-operator");
    String roleArn =
        WebIdentity.role(env, env.accountA(), roleName, NS, SA, WebIdentity.operatorPolicy());
    Emulator.settle(env);
    tokenFile = Files.createTempDirectory("aao-irsa").resolve("token");
    token = WebIdentity.token(env, NS, SA, WebIdentity.AUDIENCE);
    WebIdentity.write(tokenFile, token);
    proxy = FaultProxy.start(env.awsEndpoint());
    Map<String, String> props = new HashMap<>();
    for (String controller :
        List.of("awscredentialrequest", "vaultawsrole", "awsauthconfig", "stsrolebinding")) {
      props.put("quarkus.operator-sdk.controllers." + controller + ".selector", LABEL);
    }
    props.put("aao.orphan-sweep.interval", "0s");
    operator =
        OperatorProcess.start(
            env,
            "default-web-identity-it",
            props,
            Map.of("AWS_ROLE_ARN", roleArn, "AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile.toString()));
  }

  @AfterAll
  static void stop() throws Exception {
    client.resources(AwsAuthConfig.class).withLabel(LABEL).delete();
    if (operator != null) {
      operator.kill();
      System.out.println("operator log: " + operator.log());
      assertThat(Files.readString(operator.log()))
          .doesNotContain(token.split("\\.")[1])
          .doesNotContain("ASIA");
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void defaultSourceUsesIrsasRoleAndTokenThroughTheConfigsEndpointAndNeverFallsThrough()
      throws Exception {
    client.resource(config("default-irsa-it")).create();
    AwsAuthConfig ready = awaitReady("default-irsa-it", "True");
    assertThat(ready.getStatus().callerArn)
        .isEqualTo(
            "arn:aws:sts::"
                + TestEnvironment.ACCOUNT_A
                + ":assumed-role/"
                + roleName
                + "/aws-auth-operator-default-irsa-it");
    assertThat(ready.getStatus().sessionCredentials).isTrue();
    assertThat(proxy.succeeded("AssumeRoleWithWebIdentity"))
        .as("the web identity was exchanged at the config's STS endpoint, not the SDK's default")
        .isPositive();

    Files.delete(tokenFile);
    client.resource(config("default-irsa-it-gone")).create();
    Condition unreadable =
        awaitReady("default-irsa-it-gone", "False").getStatus().condition("Ready").orElseThrow();
    assertThat(unreadable.getReason())
        .as("no other credentials were looked for")
        .isEqualTo("WebIdentityTokenUnreadable");
    assertThat(unreadable.getMessage()).contains(tokenFile.toString()).contains("cannot be read");
  }

  private static AwsAuthConfig config(String name) {
    AwsAuthConfig config = new AwsAuthConfig();
    config.setMetadata(
        new ObjectMetaBuilder().withName(name).withLabels(Map.of(LABEL, "irsa")).build());
    AwsAuthConfigSpec spec = new AwsAuthConfigSpec();
    spec.region = "us-east-1";
    spec.endpoints = new AwsAuthConfigSpec.Endpoints();
    spec.endpoints.sts = proxy.url();
    spec.endpoints.iam = proxy.url();
    spec.endpoints.ec2 = proxy.url();
    spec.maxRetries = 0;
    spec.credentials = new AwsAuthConfigSpec.Credentials();
    spec.credentials.source = AwsAuthConfigSpec.Credentials.Source.DEFAULT;
    config.setSpec(spec);
    return config;
  }

  private static AwsAuthConfig awaitReady(String name, String readyStatus) {
    return Fixtures.awaitConfigReady(client, name, readyStatus, Duration.ofSeconds(120));
  }
}
