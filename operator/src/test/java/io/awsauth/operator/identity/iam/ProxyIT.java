package io.awsauth.operator.identity.iam;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.AuthType;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.identity.IdentityScenario;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.CountingProxy;
import io.awsauth.operator.testenv.OperatorProcess;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironmentExtension;
import java.net.URI;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 20, deliverable 5, in the packaged operator (quarkus-run.jar, started as a deployment
 * starts it: no jdk.httpclient.allowRestrictedHeaders, no proxy system property) with HTTP_PROXY
 * set to a counting proxy on 127.0.0.1 and a NO_PROXY that does not list loopback: every call to
 * the emulator (the config's STS and IAM clients, the session issued) and the proof it forwards go
 * through the proxy, the proof with the Host Vault's client signed for (sts.amazonaws.com).
 *
 * <p>The objects carry the label awsauth.io/operator-under-test, which only the process selects.
 */
@ExtendWith(TestEnvironmentExtension.class)
class ProxyIT {
  static final String LABEL = "awsauth.io/operator-under-test";
  static final String NS = "aao-proxy-it";
  static final String CONFIG = "proxy-it";
  static TestEnvironment env;
  static CountingProxy proxy;
  static OperatorProcess operator;
  static IdentityScenario s;

  @BeforeAll
  static void operatorBehindAProxy() {
    VaultLogin.binary();
    env = TestEnvironment.get();
    proxy = CountingProxy.start();
    Map<String, String> props = new HashMap<>();
    for (String controller :
        List.of("awscredentialrequest", "vaultawsrole", "awsauthconfig", "stsrolebinding")) {
      props.put("quarkus.operator-sdk.controllers." + controller + ".selector", LABEL);
    }
    props.put("aao.orphan-sweep.interval", "0s");
    operator =
        OperatorProcess.start(
            env,
            "proxy-it",
            props,
            Map.of("HTTP_PROXY", proxy.url(), "NO_PROXY", "example.invalid"));
    s = IdentityScenario.start(NS, CONFIG, null, Map.of(LABEL, "proxy"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (operator != null) {
      operator.kill();
      System.out.println("operator log: " + operator.log());
      assertThat(Files.readString(operator.log())).doesNotContain("AKIA").doesNotContain("ASIA");
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void everyAwsCallAndTheProofGoThroughTheProxyWithTheSignedHostKept() {
    String emulator = URI.create(env.awsEndpoint()).getRawAuthority();
    Workload user = Workload.user(env, Aws.unique("proxied"));
    VaultAwsRole role =
        s.role(
            Aws.unique("proxied"),
            CredentialType.SESSION_TOKEN,
            AuthType.IAM,
            CONFIG,
            b -> b.iamPrincipalArns = List.of(user.arn()));
    Map<String, String> login = VaultLogin.loginData(user, "us-east-1", false, null);
    AwsCredentialRequestSpec.LocalSecretReference ref =
        new AwsCredentialRequestSpec.LocalSecretReference();
    ref.name = VaultLogin.secret(s.client, NS, login);
    AwsCredentialRequest request =
        s.request(Aws.unique("proxied"), role, spec -> spec.identity.iamProofSecretRef = ref);
    s.assertVerified(s.awaitCondition(request, "Ready", "True"));

    assertThat(proxy.seen())
        .as("the proof, forwarded to endpoints.sts through the proxy with its signed Host")
        .contains(
            new CountingProxy.Seen("POST http://" + emulator + "/ HTTP/1.1", "sts.amazonaws.com"));
    // The session issued (sts:GetSessionToken with the operator's own key) went through it too;
    // (the config may have been Ready from an earlier run, so its calls are not counted on).
    assertThat(proxy.seen())
        .as("the operator's own calls through the proxy")
        .anyMatch(
            r ->
                r.requestLine().startsWith("POST http://" + emulator + "/ ")
                    && emulator.equals(r.host()));
  }
}
