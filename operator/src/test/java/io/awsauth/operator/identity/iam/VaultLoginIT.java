package io.awsauth.operator.identity.iam;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.awsauth.operator.api.v1alpha1.AuthType;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.identity.IdentityScenario;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.FaultProxy;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.TestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, deliverable 1: a proof made by Vault's own client code (go-secure-stdlib/awsutil {@code
 * GenerateLoginData}, {@link VaultLogin}) for {@code https://sts.amazonaws.com/} or a regional STS
 * host is admitted through the configured {@code endpoints.sts}, here a counting proxy in front of
 * the emulator, with its signed Host kept (the emulator checks the signature over the Host as
 * sent); a host the config does not accept is refused before anything is sent, and a URL the client
 * points elsewhere is never contacted.
 */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class VaultLoginIT {
  static final String NS = "aao-vault-login-it";
  static final String CONFIG = "vault-login-it";
  static FaultProxy sts;
  static IdentityScenario s;
  static TestEnvironment env;

  @BeforeAll
  static void operatorIdentity() {
    VaultLogin.binary();
    env = TestEnvironment.get();
    sts = FaultProxy.start(env.awsEndpoint());
    s = IdentityScenario.start(NS, CONFIG, sts.url(), Map.of());
  }

  @AfterAll
  static void stopProxy() {
    if (sts != null) {
      sts.close();
    }
  }

  @Test
  void vaultsCliProofForTheGlobalHostIsAdmittedThroughTheConfiguredEndpointWithItsHost() {
    Workload user = Workload.user(env, Aws.unique("vault-cli"));
    VaultAwsRole role = role(CONFIG, user);
    Map<String, String> login = VaultLogin.loginData(user, "us-east-1", false, null);
    assertThat(VaultLogin.url(login)).isEqualTo("https://sts.amazonaws.com/");

    AwsCredentialRequest request = request(role, login);
    s.assertVerified(s.awaitCondition(request, "Ready", "True"));
    assertThat(sent(user)).isPositive();
    assertThat(sts.hostsSignedBy(user.keyId())).containsExactly("sts.amazonaws.com");

    // With the config's iamServerIdHeaderValue, as `vault login -method=aws header_value=...`.
    String config = Aws.unique("vault-server-id");
    config(config, c -> c.getSpec().iamServerIdHeaderValue = "vault.example.com");
    VaultAwsRole withId = role(config, user);
    s.awaitCondition(
        request(withId, VaultLogin.loginData(user, "us-east-1", false, "vault.example.com")),
        "Ready",
        "True");
    s.assertDenied(
        request(withId, VaultLogin.loginData(user, "us-east-1", false, "other.example.com")),
        "ProofServerIdMismatch",
        IamProof.SERVER_ID_HEADER);
  }

  @Test
  void aRegionalHostIsAdmittedWithUseStsRegionFromClientAndRefusedUnsentWithout() {
    Workload user = Workload.user(env, Aws.unique("vault-regional"));
    Map<String, String> login = VaultLogin.loginData(user, "us-west-2", true, null);
    assertThat(VaultLogin.url(login)).isEqualTo("https://sts.us-west-2.amazonaws.com/");

    s.assertDenied(
        request(role(CONFIG, user), login), "ProofWrongEndpoint", "sts.us-west-2.amazonaws.com");
    assertThat(sent(user)).isZero();

    String config = Aws.unique("vault-from-client");
    config(config, c -> c.getSpec().useStsRegionFromClient = true);
    AwsCredentialRequest admitted = request(role(config, user), login);
    s.assertVerified(s.awaitCondition(admitted, "Ready", "True"));
    assertThat(sts.hostsSignedBy(user.keyId())).containsExactly("sts.us-west-2.amazonaws.com");
  }

  @Test
  void aHostNotInStsAllowedHostsIsRefusedWithAnEventAndNotSent() {
    Workload user = Workload.user(env, Aws.unique("vault-not-allowed"));
    String config = Aws.unique("vault-allowed");
    config(config, c -> c.getSpec().stsAllowedHosts = List.of("sts.us-east-1.amazonaws.com"));
    Map<String, String> login = VaultLogin.loginData(user, "us-east-1", false, null);
    // (assertDenied also waits for the Event with the reason)
    s.assertDenied(
        request(role(config, user), login),
        "ProofWrongEndpoint",
        "sts.us-east-1.amazonaws.com (stsAllowedHosts)");
    assertThat(sent(user)).isZero();
  }

  /** The proof's URL and Host name what was signed, never where it goes. */
  @Test
  void aUrlOrHostTheClientPointsElsewhereIsNeverContacted() throws IOException {
    AtomicInteger hits = new AtomicInteger();
    HttpServer elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    elsewhere.createContext(
        "/",
        exchange -> {
          hits.incrementAndGet();
          exchange.sendResponseHeaders(500, -1);
          exchange.close();
        });
    elsewhere.start();
    try {
      String there = "127.0.0.1:" + elsewhere.getAddress().getPort();
      Workload user = Workload.user(env, Aws.unique("vault-elsewhere"));
      String fromClient = Aws.unique("vault-elsewhere");
      config(fromClient, c -> c.getSpec().useStsRegionFromClient = true);
      List<AwsCredentialRequest> refused = new ArrayList<>();
      for (String config : List.of(CONFIG, fromClient)) {
        VaultAwsRole role = role(config, user);
        for (String url : List.of("http://" + there + "/", "https://" + there + "/")) {
          String secret =
              Workload.proofSecret(
                  s.client,
                  NS,
                  url,
                  Workload.GET_CALLER_IDENTITY,
                  user.sign(url, Workload.GET_CALLER_IDENTITY, Map.of()));
          AwsCredentialRequest r = request(role, secret);
          s.assertDenied(r, "ProofWrongEndpoint", there);
          refused.add(r);
        }
        // Signed for the global host, with a Host header naming the other server.
        Map<String, List<String>> headers =
            user.sign("https://sts.amazonaws.com/", Workload.GET_CALLER_IDENTITY, Map.of());
        headers.put("Host", List.of(there));
        String secret =
            Workload.proofSecret(
                s.client, NS, "https://sts.amazonaws.com/", Workload.GET_CALLER_IDENTITY, headers);
        s.assertDenied(request(role, secret), "ProofWrongHost", there);
      }
      assertThat(refused).hasSize(4);
      assertThat(hits).hasValue(0);
      assertThat(sent(user)).isZero();
    } finally {
      elsewhere.stop(0);
    }
  }

  // --- helpers ------------------------------------------------------------------------------

  /** Calls signed by the workload that reached the configured endpoint. */
  static long sent(Workload workload) {
    return sts.countSignedBy("forwarded", null, workload.keyId());
  }

  static void config(String name, Consumer<AwsAuthConfig> change) {
    AwsAuthConfig config = s.authConfig(name);
    change.accept(config);
    s.applyReady(config);
  }

  static VaultAwsRole role(String config, Workload workload) {
    return s.role(
        Aws.unique("vault-login"),
        CredentialType.SESSION_TOKEN,
        AuthType.IAM,
        config,
        b -> b.iamPrincipalArns = List.of(workload.arn()));
  }

  static AwsCredentialRequest request(VaultAwsRole role, Map<String, String> login) {
    return request(role, VaultLogin.secret(s.client, NS, login));
  }

  static AwsCredentialRequest request(VaultAwsRole role, String proofSecret) {
    AwsCredentialRequestSpec.LocalSecretReference ref =
        new AwsCredentialRequestSpec.LocalSecretReference();
    ref.name = proofSecret;
    return s.request(
        Aws.unique("vault-login"), role, spec -> spec.identity.iamProofSecretRef = ref);
  }
}
