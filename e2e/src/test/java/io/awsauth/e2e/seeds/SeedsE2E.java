package io.awsauth.e2e.seeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import io.awsauth.e2e.chart.Chart;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.OperatorProcess;
import io.awsauth.operator.testenv.SecretHygiene;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironmentExtension;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The seeds played end to end the way a user would: the chart installed into the real API server,
 * the operator run with the token of the chart's own ServiceAccount (a missing RBAC rule fails
 * here), and every step a {@code kubectl apply} of a file from config/samples/: the operator's
 * identity (seed 002's aws/config/root), managed cross-account trust (seeds 000/001), the
 * secrets-engine roles my-role (inline ec2:*), my-other-role (AmazonEC2ReadOnlyAccess), deploy as
 * federation token and as assumed role with ttl=60m (seeds 002/003). For each request: the Secret
 * appears, its keys work against the emulator, and deleting the request revokes them.
 */
@ExtendWith(TestEnvironmentExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedsE2E {
  private final String suffix =
      UUID.randomUUID().toString().substring(0, 6).toLowerCase(Locale.ROOT);
  private final String namespace = "aao-seeds-" + suffix;
  private final String release = "seeds-" + suffix;

  private TestEnvironment env;
  private KubernetesClient client;

  /** Every secret value the Secrets held: none may appear in logs, Events or status. */
  private final SecretHygiene hygiene = new SecretHygiene();

  private Path adminKubeconfig;
  private OperatorProcess operator;

  @BeforeAll
  void installAndRunAsTheChartsServiceAccount() throws IOException {
    env = TestEnvironment.get();
    client = env.client();
    adminKubeconfig = Files.createTempFile("aao-seeds-admin", ".kubeconfig");
    Files.writeString(adminKubeconfig, env.kubeconfig());
    kubectl("create", "namespace", namespace);
    Helm.install(Chart.DIR.toString())
        .withKubeConfigContents(env.kubeconfig())
        .withName(release)
        .withNamespace(namespace)
        .call();
    String serviceAccount =
        client
            .apps()
            .deployments()
            .inNamespace(namespace)
            .withLabel("app.kubernetes.io/instance", release)
            .list()
            .getItems()
            .get(0)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getServiceAccountName();
    String token =
        client
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(serviceAccount)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(7200L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    operator =
        OperatorProcess.start(
            serviceAccountKubeconfig(token),
            "seeds-" + suffix,
            Map.of("aao.orphan-sweep.interval", "0s"));

    // The operator's identity: the seeds' root credentials, an administrator of account A.
    kubectl("create", "namespace", "aws-auth-operator");
    secret("aws-auth-operator", "aws-root-credentials", env.accountA());
    secret("aws-auth-operator", "secondary-account-admin", env.accountB());
  }

  @AfterAll
  void stop() throws IOException {
    try {
      undoTheSamples();
    } finally {
      // an administrator's credentials: not left behind in /tmp
      if (adminKubeconfig != null) {
        Files.deleteIfExists(adminKubeconfig);
      }
    }
  }

  private void undoTheSamples() {
    if (operator != null) {
      for (String r :
          List.of(
              "my-role-creds", "my-other-role-creds", "deploy", "deploy-assumed", "vault-role")) {
        kubectl(
            "-n",
            "default",
            "delete",
            "awscredentialrequest",
            r,
            "--ignore-not-found",
            "--wait=true",
            "--timeout=60s");
      }
      // The samples' cluster-scoped objects, while the operator can still undo the managed trust.
      kubectl(
          "delete",
          "vaultawsrole",
          "my-role",
          "my-other-role",
          "deploy",
          "deploy-assumed",
          "vault-role",
          "--ignore-not-found");
      kubectl(
          "delete",
          "stsrolebinding",
          "secondary-account",
          "--ignore-not-found",
          "--wait=true",
          "--timeout=60s");
      kubectl("delete", "awsauthconfig", "default", "--ignore-not-found");
      operator.close();
    }
    if (client != null) {
      Helm.uninstall(release)
          .withKubeConfigContents(env.kubeconfig())
          .withNamespace(namespace)
          .call();
      client.namespaces().withName(namespace).delete();
    }
  }

  @Test
  @Order(1)
  void theOperatorsIdentityIsVerified() {
    apply("awsauthconfig.yaml");
    kubectl(
        "patch",
        "awsauthconfig",
        "default",
        "--type",
        "merge",
        "-p",
        "{\"spec\":{\"endpoints\":{\"iam\":\""
            + env.awsEndpoint()
            + "\",\"sts\":\""
            + env.awsEndpoint()
            + "\",\"ec2\":\""
            + env.awsEndpoint()
            + "\"}}}");
    waitFor("awsauthconfig/default", "Ready", null);
    assertThat(kubectl("get", "awsauthconfig", "default", "-o", "jsonpath={.status.callerArn}"))
        .isEqualTo("arn:aws:iam::111111111111:user/aao-admin");
  }

  @Test
  @Order(2)
  void crossAccountTrustIsCreatedByTheOperator() {
    apply("stsrolebinding.yaml");
    kubectl(
        "patch",
        "stsrolebinding",
        "secondary-account",
        "--type",
        "merge",
        "-p",
        "{\"spec\":{\"trust\":{\"manage\":true,\"adminSecretRef\":{\"namespace\":"
            + "\"aws-auth-operator\",\"name\":\"secondary-account-admin\"}}}}");
    waitFor("stsrolebinding/secondary-account", "TrustReady", null);
    assertThat(
            kubectl(
                "get",
                "stsrolebinding",
                "secondary-account",
                "-o",
                "jsonpath={.status.assumedRoleArn}"))
        .startsWith(
            "arn:aws:sts::222222222222:assumed-role/trust-relationship-for-primary-aws-and-vault/");
  }

  @Test
  @Order(3)
  void myRoleIssuesAnIamUserWithTheInlinePolicy() {
    apply("vaultawsrole.yaml");
    waitFor("vaultawsrole/my-role", "Ready", null);
    apply("awscredentialrequest.yaml");
    String arn =
        issuedAndWorking("my-role-creds", "arn:aws:iam::111111111111:user/aao/aao-my-role-");
    String user = arn.substring(arn.lastIndexOf('/') + 1);
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      assertThat(iam.listUserPolicies(r -> r.userName(user)).policyNames())
          .containsExactly("aws-auth-operator");
    }
    deleteAndAssertUserGone("my-role-creds", user);
  }

  @Test
  @Order(4)
  void myOtherRoleAttachesTheManagedPolicy() {
    apply("vaultawsrole-ec2-readonly.yaml");
    waitFor("vaultawsrole/my-other-role", "Ready", null);
    apply("awscredentialrequest-ec2-readonly.yaml");
    String arn =
        issuedAndWorking(
            "my-other-role-creds", "arn:aws:iam::111111111111:user/aao-my-other-role-");
    String user = arn.substring(arn.lastIndexOf('/') + 1);
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      assertThat(iam.listAttachedUserPolicies(r -> r.userName(user)).attachedPolicies())
          .extracting(p -> p.policyArn())
          .containsExactly("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess");
    }
    deleteAndAssertUserGone("my-other-role-creds", user);
  }

  @Test
  @Order(5)
  void deployAsAFederationTokenForSixtyMinutes() {
    apply("vaultawsrole-deploy.yaml");
    waitFor("vaultawsrole/deploy", "Ready", null);
    apply("awscredentialrequest-deploy.yaml");
    issuedAndWorking("deploy", "arn:aws:sts::111111111111:federated-user/default-deploy");
    assertThat(kubectl("-n", "default", "get", "acr", "deploy", "-o", "jsonpath={.status.ttl}"))
        .isEqualTo("1h");
    deleteAndAssertSecretGone("deploy");
  }

  @Test
  @Order(6)
  void deployAsAnAssumedRoleInTheSecondAccount() {
    try (IamClient iamB = Aws.iam(env, env.accountB())) {
      try {
        iamB.getRole(r -> r.roleName("deploy"));
      } catch (NoSuchEntityException e) {
        iamB.createRole(
            r ->
                r.roleName("deploy")
                    .assumeRolePolicyDocument(
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                            + "\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:root\"},"
                            + "\"Action\":\"sts:AssumeRole\"}]}"));
      }
    }
    apply("vaultawsrole-deploy-assumed.yaml");
    waitFor("vaultawsrole/deploy-assumed", "Ready", null);
    apply("awscredentialrequest-deploy-assumed.yaml");
    issuedAndWorking("deploy-assumed", "arn:aws:sts::222222222222:assumed-role/deploy/");
    deleteAndAssertSecretGone("deploy-assumed");
  }

  @Test
  @Order(7)
  void vaultLoginMethodAwsWithASessionOfTheSecondaryAccount() throws IOException {
    String suffix = this.suffix;
    String bound = "vault-secondary-role1-" + suffix;
    String other = "other-role-" + suffix;
    Map<String, Workload> sessions = new HashMap<>();
    try (IamClient iamB = Aws.iam(env, env.accountB());
        StsClient stsB =
            Aws.sts(env, env.accountB().accessKeyId(), env.accountB().secretAccessKey())) {
      for (String role : List.of(bound, other)) {
        iamB.createRole(
            r ->
                r.roleName(role)
                    .assumeRolePolicyDocument(
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                            + "\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:root\"},"
                            + "\"Action\":\"sts:AssumeRole\"}]}"));
        var c =
            await()
                .atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .until(
                    () ->
                        stsB.assumeRole(
                                r ->
                                    r.roleArn("arn:aws:iam::222222222222:role/" + role)
                                        .roleSessionName("pod"))
                            .credentials(),
                    x -> x != null);
        sessions.put(role, new Workload(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()));
      }
    }
    apply("vaultawsrole-vault-role.yaml");
    waitFor("vaultawsrole/vault-role", "Ready", null);

    proofSecret("vault-role-proof", sessions.get(bound));
    apply("awscredentialrequest-vault-role.yaml");
    waitFor("awscredentialrequest/vault-role", "IdentityVerified", "default");
    assertThat(
            kubectl(
                "-n",
                "default",
                "get",
                "acr",
                "vault-role",
                "-o",
                "jsonpath={.status.conditions[?(@.type==\"IdentityVerified\")].message}"))
        .contains("arn:aws:sts::222222222222:assumed-role/" + bound + "/pod");
    issuedAndWorking("vault-role", "arn:aws:iam::111111111111:user/aao-admin");
    deleteAndAssertSecretGone("vault-role");

    // A session of a role the bindings do not name is denied, and nothing is issued.
    proofSecret("vault-role-proof", sessions.get(other));
    apply("awscredentialrequest-vault-role.yaml");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                kubectl(
                        "-n",
                        "default",
                        "get",
                        "acr",
                        "vault-role",
                        "-o",
                        "jsonpath={.status.conditions[?(@.type==\"IdentityVerified\")].reason}")
                    .equals("CallerNotBound"));
    assertThat(client.secrets().inNamespace("default").withName("vault-role").get()).isNull();
    kubectl(
        "-n",
        "default",
        "delete",
        "awscredentialrequest",
        "vault-role",
        "--wait=true",
        "--timeout=60s");
    kubectl("-n", "default", "delete", "secret", "vault-role-proof");
  }

  private record Workload(String keyId, String secret, String token) {}

  /** The proof Secret, made the way docs/api.md says: config/samples/iam-proof.py, kubectl. */
  private void proofSecret(String name, Workload session) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(env.var("AAO_BOTO3_PYTHON"), sample("iam-proof.py").toString())
            .redirectErrorStream(true);
    pb.environment().put("AWS_ACCESS_KEY_ID", session.keyId());
    pb.environment().put("AWS_SECRET_ACCESS_KEY", session.secret());
    pb.environment().put("AWS_SESSION_TOKEN", session.token());
    pb.environment().put("STS_URL", env.awsEndpoint() + "/");
    pb.environment().put("SERVER_ID", "vault.example.com");
    Process p = pb.start();
    String fields = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      assertThat(p.waitFor()).as("iam-proof.py: %s", fields).isZero();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    Path envFile = Files.createTempFile("aao-proof", ".env");
    Files.writeString(envFile, fields);
    kubectl("-n", "default", "delete", "secret", name, "--ignore-not-found");
    kubectl("-n", "default", "create", "secret", "generic", name, "--from-env-file=" + envFile);
    Files.delete(envFile);
  }

  @Test
  @Order(8)
  void theSampleWorkloadThatMountsTheSecretIsAccepted() {
    String out =
        kubectl("apply", "--dry-run=server", "-f", sample("workload-deployment.yaml").toString());
    assertThat(out).contains("deployment.apps/aws-cli");
  }

  @Test
  @Order(9)
  void noIssuedSecretAppearsInLogsEventsOrStatus() {
    assertThat(hygiene.recorded()).isGreaterThanOrEqualTo(8);
    SecretHygiene.Report report = hygiene.scan(client, List.of(operator.log()));
    System.out.println(report.summary());
    report.assertClean();
  }

  // --- helpers ------------------------------------------------------------------------------

  /** Waits for Ready, checks the Secret's keys with sts:GetCallerIdentity; returns the ARN. */
  private String issuedAndWorking(String request, String expectedArnPrefix) {
    waitFor("awscredentialrequest/" + request, "Ready", "default");
    Secret secret = client.secrets().inNamespace("default").withName(request).get();
    assertThat(secret.getData())
        .containsKeys(
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_CREDENTIAL_EXPIRATION",
            "credentials");
    Optional<String> token = Optional.ofNullable(value(secret, "AWS_SESSION_TOKEN"));
    hygiene.record(secret);
    AwsCredentials credentials =
        token.isPresent()
            ? AwsSessionCredentials.create(
                value(secret, "AWS_ACCESS_KEY_ID"),
                value(secret, "AWS_SECRET_ACCESS_KEY"),
                token.get())
            : AwsBasicCredentials.create(
                value(secret, "AWS_ACCESS_KEY_ID"), value(secret, "AWS_SECRET_ACCESS_KEY"));
    try (StsClient sts = Aws.sts(env, credentials)) {
      String arn = sts.getCallerIdentity().arn();
      assertThat(arn).startsWith(expectedArnPrefix);
      return arn;
    }
  }

  private void deleteAndAssertUserGone(String request, String user) {
    kubectl(
        "-n", "default", "delete", "awscredentialrequest", request, "--wait=true", "--timeout=60s");
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                try {
                  iam.getUser(r -> r.userName(user));
                  return false;
                } catch (NoSuchEntityException e) {
                  return true;
                }
              });
    }
  }

  /** STS credentials cannot be revoked at AWS; deleting the request removes them (the Secret). */
  private void deleteAndAssertSecretGone(String request) {
    kubectl(
        "-n", "default", "delete", "awscredentialrequest", request, "--wait=true", "--timeout=60s");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> client.secrets().inNamespace("default").withName(request).get() == null);
  }

  private void waitFor(String resource, String condition, String ns) {
    List<String> args = new ArrayList<>();
    if (ns != null) {
      args.addAll(List.of("-n", ns));
    }
    args.addAll(List.of("wait", "--for=condition=" + condition, resource, "--timeout=120s"));
    try {
      kubectl(args.toArray(String[]::new));
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage()
              + "\n"
              + kubectl(
                  ns == null
                      ? new String[] {"get", resource, "-o", "yaml"}
                      : new String[] {"-n", ns, "get", resource, "-o", "yaml"})
              + "\noperator log: "
              + operator.log(),
          e);
    }
  }

  private void apply(String sample) {
    kubectl("apply", "-f", sample(sample).toString());
  }

  private static Path sample(String name) {
    return TestEnvironment.repoRoot().resolve("config/samples").resolve(name);
  }

  private void secret(String ns, String name, TestEnvironment.AwsAccount account) {
    String yaml =
        kubectl(
            "-n",
            ns,
            "create",
            "secret",
            "generic",
            name,
            "--from-literal=access_key=" + account.accessKeyId(),
            "--from-literal=secret_key=" + account.secretAccessKey(),
            "--dry-run=client",
            "-o",
            "yaml");
    try {
      Path f = Files.createTempFile("aao-seeds-secret", ".yaml");
      Files.writeString(f, yaml);
      kubectl("apply", "-f", f.toString());
      Files.delete(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the cluster's kubectl as the administrator; fails the test on a non-zero exit. */
  private String kubectl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(env.var("AAO_KUBECTL"));
    command.addAll(List.of(args));
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().put("KUBECONFIG", adminKubeconfig.toString());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
        if (args.length > 1
            && "create".equals(args[0])
            && "namespace".equals(args[1])
            && out.contains("AlreadyExists")) {
          return out;
        }
        throw new AssertionError("kubectl " + String.join(" ", args) + " failed:\n" + out);
      }
      return out.trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A kubeconfig for the API server of the environment, as the bearer of {@code token}. */
  private String serviceAccountKubeconfig(String token) throws IOException {
    Config admin = Config.fromKubeconfig(env.kubeconfig());
    String ca =
        admin.getCaCertData() != null
            ? admin.getCaCertData()
            : Base64.getEncoder()
                .encodeToString(Files.readAllBytes(Path.of(admin.getCaCertFile())));
    return "apiVersion: v1\nkind: Config\n"
        + "clusters:\n- name: local\n  cluster:\n    server: "
        + admin.getMasterUrl()
        + "\n"
        + "    certificate-authority-data: "
        + ca
        + "\n"
        + "users:\n- name: operator\n  user:\n    token: "
        + token
        + "\n"
        + "contexts:\n- name: operator\n  context:\n    cluster: local\n    user: operator\n"
        + "current-context: operator\n";
  }

  private static String value(Secret secret, String key) {
    String v = secret.getData() == null ? null : secret.getData().get(key);
    return v == null ? null : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
  }
}
