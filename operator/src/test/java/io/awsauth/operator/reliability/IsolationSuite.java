package io.awsauth.operator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.awsauth.operator.api.v1alpha1.AuthType;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.identity.IdentityScenario;
import io.awsauth.operator.identity.iam.IamProof;
import io.awsauth.operator.identity.iam.Workload;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.FaultProxy;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorProcess;
import io.awsauth.operator.testenv.SecretHygiene;
import io.awsauth.operator.testenv.SuiteRequests;
import io.awsauth.operator.testenv.TestEnvironment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Issue 8's isolation suite: the packaged operator (a process, behind {@link FaultProxy}) is asked
 * for credentials it must not give. A request in namespace A for a role bound to namespace B; an
 * unbound service account; a tenant naming, as secretName, a Secret the operator does not own; a
 * proof Secret of another namespace; forged, tampered, replayed and unsigned-header IAM proofs;
 * proofs of other STS actions or for other URLs (which must never be forwarded); an IAM role and a
 * VaultAwsRole deleted and created again under the same name; wildcard abuse in bindings. Every
 * case is denied with its reason and nothing is issued; positive controls show that the suite sees
 * issuance when it happens. Run with {@code mvn -pl operator verify -Preliability
 * -Dit.test=IsolationSuite}.
 */
@Reliability
class IsolationSuite {
  static final String LABEL = SuiteRequests.UNDER_TEST;
  static final String NS_A = "aao-iso-a";
  static final String NS_B = "aao-iso-b";
  static final String BODY = Workload.GET_CALLER_IDENTITY;

  /** One row of the table: a case, what it expected and what was seen. */
  record Row(String name, String expected, String seen, int issued) {}

  private final List<Row> rows = new ArrayList<>();
  private final List<AwsCredentialRequest> denied = new ArrayList<>();
  private final List<String> neverForwarded = new ArrayList<>(); // access key IDs
  private IdentityScenario s;
  private FaultProxy proxy;

  @Test
  void everyIsolationCaseIsDeniedWithAReasonAndNothingIsIssued() throws Exception {
    TestEnvironment env = TestEnvironment.get();
    KubernetesClient client = env.client();
    String run = Aws.unique("iso").substring(4);
    Map<String, String> props = new LinkedHashMap<>();
    for (String c :
        List.of("awscredentialrequest", "vaultawsrole", "awsauthconfig", "stsrolebinding")) {
      props.put("quarkus.operator-sdk.controllers." + c + ".selector", LABEL);
    }
    props.put("aao.orphan-sweep.interval", "0s");
    SecretHygiene hygiene = new SecretHygiene();
    try (FaultProxy sts = FaultProxy.start(env.awsEndpoint());
        FaultProxy decoy = FaultProxy.start(env.awsEndpoint());
        OperatorProcess operator = OperatorProcess.start(env, "isolation-" + run, props)) {
      proxy = sts;
      cleanUp(client); // what an interrupted run left
      try {
        run(env, client, run, hygiene, decoy, operator);
      } finally {
        cleanUp(client);
      }
    }
  }

  /**
   * Deletes this suite's requests (while the operator runs: iam_user requests carry its finalizer),
   * roles, configs.
   */
  private static void cleanUp(KubernetesClient client) {
    for (String ns : List.of(NS_A, NS_B)) {
      client
          .resources(AwsCredentialRequest.class)
          .inNamespace(ns)
          .withLabel(LABEL, "isolation")
          .withTimeout(3, TimeUnit.MINUTES)
          .delete();
    }
    client.resources(VaultAwsRole.class).withLabel(LABEL, "isolation").delete();
    client.resources(AwsAuthConfig.class).withLabel(LABEL, "isolation").delete();
  }

  private void run(
      TestEnvironment env,
      KubernetesClient client,
      String run,
      SecretHygiene hygiene,
      FaultProxy decoy,
      OperatorProcess operator)
      throws Exception {
    {
      s = IdentityScenario.start(NS_A, "iso-" + run, proxy.url(), Map.of(LABEL, "isolation"));
      Fixtures.namespace(client, NS_B);
      Fixtures.serviceAccount(client, NS_B, IdentityScenario.SA);
      Fixtures.serviceAccount(client, NS_A, "intruder");
      String url = proxy.url();

      // --- positive controls: the suite sees issuance ------------------------------------------
      VaultAwsRole k8s = role("iso-k8s-" + run, CredentialType.IAM_USER, b -> {});
      AwsCredentialRequest control = s.request("control-k8s-" + run, k8s, spec -> {});
      AwsCredentialRequest issued = s.awaitCondition(control, "Ready", "True");
      hygiene.record(s.secret(control));
      rows.add(
          new Row(
              "control: bound namespace and service account (iam_user)",
              "Ready",
              reason(issued, "Ready"),
              issuedFor(env, issued)));
      Workload bound = Workload.user(env, Aws.unique("iso-bound"));
      VaultAwsRole iam = iamRole("iso-iam-" + run, List.of(bound.arn()));
      AwsCredentialRequest controlIam =
          proofRequest("control-iam-" + run, iam, NS_A, bound.sign(url, BODY, Map.of()), url);
      AwsCredentialRequest issuedIam = s.awaitCondition(controlIam, "Ready", "True");
      hygiene.record(s.secret(controlIam));
      rows.add(
          new Row(
              "control: proof signed by the bound user",
              "Ready",
              reason(issuedIam, "Ready"),
              issuedFor(env, issuedIam)));

      // --- Kubernetes identity ------------------------------------------------------------------
      VaultAwsRole onlyB =
          role("iso-only-b-" + run, CredentialType.IAM_USER, b -> b.namespaces = List.of(NS_B));
      expectDenied(
          "request in namespace A for a role bound to namespace B",
          s.request("a-for-b-" + run, onlyB, spec -> {}),
          "IdentityVerified",
          "NamespaceNotBound",
          "bindings.namespaces");
      VaultAwsRole onlyApp =
          role(
              "iso-only-app-" + run,
              CredentialType.IAM_USER,
              b -> b.serviceAccounts = List.of(NS_A + "/" + IdentityScenario.SA));
      expectDenied(
          "unbound service account",
          s.request(
              "intruder-" + run, onlyApp, spec -> spec.identity.serviceAccountName = "intruder"),
          "IdentityVerified",
          "ServiceAccountNotBound",
          NS_A + "/intruder");

      // --- a Secret the operator does not own ---------------------------------------------------
      String marker = "iso-marker-" + UUID.randomUUID();
      Fixtures.secret(client, NS_A, "tenant-db-" + run, Map.of("password", marker));
      Secret tenantBefore = client.secrets().inNamespace(NS_A).withName("tenant-db-" + run).get();
      expectDenied(
          "secretName names an existing Secret the operator does not own",
          s.request("steal-" + run, k8s, spec -> spec.secretName = "tenant-db-" + run),
          "Ready",
          "SecretNotOwned",
          "tenant-db-" + run);

      // --- IAM proofs ---------------------------------------------------------------------------
      Workload elsewhere = Workload.user(env, Aws.unique("iso-b-proof"));
      VaultAwsRole bElsewhere = iamRole("iso-b-proof-" + run, List.of(elsewhere.arn()));
      String inB =
          Workload.proofSecret(client, NS_B, url, BODY, elsewhere.sign(url, BODY, Map.of()));
      neverForwarded.add(elsewhere.keyId());
      expectDenied(
          "proof Secret of another namespace (by name)",
          s.request(
              "other-ns-proof-" + run,
              bElsewhere,
              spec -> spec.identity.iamProofSecretRef = ref(inB)),
          "IdentityVerified",
          "ProofSecretNotFound",
          NS_A + "/" + inB);
      rejectedAtAdmission(
          "proof Secret of another namespace (as namespace/name)",
          request("other-ns-slash-" + run, bElsewhere.getMetadata().getName(), NS_B + "/" + inB),
          "iamProofSecretRef.name");

      Workload forger =
          new Workload(null, null, "AKIAFORGEDFORGED0001", "not-a-real-secret-key", null);
      expectDenied(
          "forged proof: signed with a key AWS never issued",
          proofRequest("forged-" + run, iam, NS_A, forger.sign(url, BODY, Map.of()), url),
          "IdentityVerified",
          "ProofRefused",
          "STS refused");
      Workload wrongSecret = new Workload(null, null, bound.keyId(), "wrong-secret-key", null);
      expectDenied(
          "forged proof: the bound user's key ID, another secret",
          proofRequest(
              "forged-secret-" + run, iam, NS_A, wrongSecret.sign(url, BODY, Map.of()), url),
          "IdentityVerified",
          "ProofRefused",
          "SignatureDoesNotMatch");
      Map<String, List<String>> tampered = bound.sign(url, BODY, Map.of());
      String date = tampered.get("X-Amz-Date").get(0);
      tampered.put(
          "X-Amz-Date",
          List.of(
              date.substring(0, 13)
                  + (date.substring(13, 15).equals("00") ? "01" : "00")
                  + date.substring(15)));
      expectDenied(
          "tampered proof: a signed header changed after signing",
          proofRequest("tampered-" + run, iam, NS_A, tampered, url),
          "IdentityVerified",
          "ProofRefused",
          "SignatureDoesNotMatch");
      Workload replayer = Workload.user(env, Aws.unique("iso-replay"));
      VaultAwsRole replayRole = iamRole("iso-replay-" + run, List.of(replayer.arn()));
      expectDenied(
          "replayed proof: signed 20 minutes ago",
          proofRequest(
              "replayed-" + run,
              replayRole,
              NS_A,
              replayer.sign(url, BODY, Map.of(), Instant.now().minus(Duration.ofMinutes(20))),
              url),
          "IdentityVerified",
          "ProofExpired",
          "more than 15 minutes");
      neverForwarded.add(replayer.keyId());
      Map<String, List<String>> unsigned = bound.sign(url, BODY, Map.of());
      unsigned.remove("Authorization");
      expectDenied(
          "unsigned proof (no Authorization)",
          proofRequest("unsigned-" + run, iam, NS_A, unsigned, url),
          "IdentityVerified",
          "ProofUnsigned",
          "unsigned");

      AwsAuthConfig serverId = s.authConfig("iso-server-id-" + run);
      serverId.getSpec().iamServerIdHeaderValue = "vault.example.com";
      s.applyReady(serverId);
      Workload headerUser = Workload.user(env, Aws.unique("iso-header"));
      VaultAwsRole withServerId =
          s.role(
              "iso-server-id-" + run,
              CredentialType.SESSION_TOKEN,
              AuthType.IAM,
              serverId.getMetadata().getName(),
              b -> b.iamPrincipalArns = List.of(headerUser.arn()));
      Map<String, List<String>> unsignedHeader = headerUser.sign(url, BODY, Map.of());
      unsignedHeader.put(IamProof.SERVER_ID_HEADER, List.of("vault.example.com"));
      neverForwarded.add(headerUser.keyId());
      expectDenied(
          "unsigned server-ID header (added after signing)",
          proofRequest("unsigned-header-" + run, withServerId, NS_A, unsignedHeader, url),
          "IdentityVerified",
          "ProofServerIdUnsigned",
          IamProof.SERVER_ID_HEADER);

      Workload other = Workload.user(env, Aws.unique("iso-other-action"));
      VaultAwsRole otherRole = iamRole("iso-other-action-" + run, List.of(other.arn()));
      neverForwarded.add(other.keyId());
      for (String[] action :
          new String[][] {
            {"GetSessionToken", "Action=GetSessionToken&Version=2011-06-15", "ProofWrongAction"},
            {
              "AssumeRole",
              "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fadmin"
                  + "&RoleSessionName=x&Version=2011-06-15",
              "ProofWrongAction"
            },
            {
              "GetCallerIdentity and AssumeRole",
              "Action=GetCallerIdentity&Action=AssumeRole&Version=2011-06-15",
              "ProofWrongAction"
            }
          }) {
        expectDenied(
            "proof of another STS action: " + action[0],
            proofRequest(
                "action-" + action[0].replace(' ', '-').toLowerCase(Locale.ROOT) + "-" + run,
                otherRole,
                NS_A,
                action[1],
                other.sign(url, action[1], Map.of()),
                url),
            "IdentityVerified",
            action[2],
            "");
      }
      expectDenied(
          "proof for another URL (another STS endpoint)",
          proofRequest(
              "other-url-" + run,
              otherRole,
              NS_A,
              other.sign(decoy.url(), BODY, Map.of()),
              decoy.url()),
          "IdentityVerified",
          "ProofWrongEndpoint",
          "not for an STS host this AwsAuthConfig accepts");
      String withQuery = url + "/?Action=AssumeRole";
      expectDenied(
          "proof for the STS URL with a query string",
          proofRequest(
              "query-url-" + run,
              otherRole,
              NS_A,
              other.sign(withQuery, BODY, Map.of()),
              withQuery),
          "IdentityVerified",
          "ProofHasQuery",
          "");

      // --- deleted and created again under the same name ----------------------------------------
      String assumerName = Aws.unique("iso-assumer");
      Workload assumer = Workload.user(env, assumerName);
      String roleName = Aws.unique("iso-app-role");
      String roleArn = "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/" + roleName;
      try (IamClient iamA = Aws.iam(env, env.accountA())) {
        iamA.putUserPolicy(
            r ->
                r.userName(assumerName)
                    .policyName("assume")
                    .policyDocument(
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                            + "\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}"));
        iamA.createRole(
            r -> r.roleName(roleName).assumeRolePolicyDocument(Workload.trusting(assumer.arn())));
        VaultAwsRole exact = iamRole("iso-exact-" + run, List.of(roleArn));
        iamA.deleteRole(r -> r.roleName(roleName));
        iamA.createRole(
            r -> r.roleName(roleName).assumeRolePolicyDocument(Workload.trusting(assumer.arn())));
        Workload session = Workload.assumedBy(env, assumer, roleArn);
        expectDenied(
            "IAM role deleted and created again under the same name",
            proofRequest("recreated-" + run, exact, NS_A, session.sign(url, BODY, Map.of()), url),
            "IdentityVerified",
            "CallerNotBound",
            "unique ID");
      }
      VaultAwsRole reborn = role("iso-reborn-" + run, CredentialType.IAM_USER, b -> {});
      AwsCredentialRequest held = s.request("reborn-" + run, reborn, spec -> {});
      s.awaitCondition(held, "Ready", "True");
      client.resource(reborn).withTimeout(60, TimeUnit.SECONDS).delete();
      s.awaitCondition(held, "Ready", "False");
      VaultAwsRole rebornForB =
          role("iso-reborn-" + run, CredentialType.IAM_USER, b -> b.namespaces = List.of(NS_B));
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> reason(s.get(held), "IdentityVerified"), r -> "NamespaceNotBound".equals(r));
      expectDenied(
          "VaultAwsRole deleted and created again under the same name, bound elsewhere",
          held,
          "IdentityVerified",
          "NamespaceNotBound",
          "bindings.namespaces");
      assertThat(rebornForB.getMetadata().getName()).isEqualTo(reborn.getMetadata().getName());

      // --- wildcard abuse -----------------------------------------------------------------------
      for (String[] abuse :
          new String[][] {
            {"namespaces", "*-prod"},
            {"namespaces", "te*am"},
            {"serviceAccounts", "*/*/x"},
            {"serviceAccounts", NS_A + "/*app"},
            {"iamPrincipalArns", "arn:aws:iam::*:role/x"},
            {"iamPrincipalArns", "arn:aws:iam::111111111111:role/*admin"},
            {"iamPrincipalArns", "arn:aws:iam::111111111111:*"},
            {"accountIds", "*"}
          }) {
        rejectedAtAdmission(
            "wildcard not at the end: bindings." + abuse[0] + " " + abuse[1],
            roleWithBinding("iso-wild-" + rows.size() + "-" + run, abuse[0], abuse[1]),
            abuse[0]);
      }
      Workload lookalike = Workload.user(env, "iso-app-" + run);
      VaultAwsRole rolesOnly =
          iamRole(
              "iso-roles-only-" + run,
              List.of("arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/iso-app*"));
      expectDenied(
          "role/iso-app* does not admit user/iso-app-...",
          proofRequest(
              "lookalike-" + run, rolesOnly, NS_A, lookalike.sign(url, BODY, Map.of()), url),
          "IdentityVerified",
          "CallerNotBound",
          "bindings.iamPrincipalArns");
      VaultAwsRole prefixNs =
          role(
              "iso-prefix-ns-" + run,
              CredentialType.IAM_USER,
              b -> b.namespaces = List.of(NS_A + "-*"));
      expectDenied(
          "bindings.namespaces " + NS_A + "-* does not admit " + NS_A,
          s.request("prefix-ns-" + run, prefixNs, spec -> {}),
          "IdentityVerified",
          "NamespaceNotBound",
          "bindings.namespaces");
      VaultAwsRole prefixSa =
          role(
              "iso-prefix-sa-" + run,
              CredentialType.IAM_USER,
              b -> b.serviceAccounts = List.of(NS_A + "/app-*"));
      expectDenied(
          "bindings.serviceAccounts " + NS_A + "/app-* does not admit " + NS_A + "/app",
          s.request("prefix-sa-" + run, prefixSa, spec -> {}),
          "IdentityVerified",
          "ServiceAccountNotBound",
          NS_A + "/" + IdentityScenario.SA);

      // --- nothing was issued for any denied case -----------------------------------------------
      for (AwsCredentialRequest r : denied) {
        AwsCredentialRequest now = s.get(r);
        assertThat(now.getStatus().leaseId).as("lease of %s", r.getMetadata().getName()).isNull();
        Secret secret = s.secret(r);
        if (secret != null) {
          assertThat(secret.getData()).doesNotContainKey("AWS_ACCESS_KEY_ID");
        }
        assertThat(issuedFor(env, now)).as("IAM users of %s", r.getMetadata().getName()).isZero();
      }
      Secret tenantAfter = client.secrets().inNamespace(NS_A).withName("tenant-db-" + run).get();
      assertThat(tenantAfter.getMetadata().getResourceVersion())
          .as("the tenant's Secret was not written")
          .isEqualTo(tenantBefore.getMetadata().getResourceVersion());
      assertThat(tenantAfter.getData()).isEqualTo(tenantBefore.getData());
      assertThat(tenantAfter.getMetadata().getOwnerReferences()).isNullOrEmpty();
      String log = Files.readString(operator.log(), StandardCharsets.ISO_8859_1);
      SecretHygiene marked = new SecretHygiene();
      marked.record(tenantMarker(tenantAfter, marker));
      SecretHygiene.Report markerScan = marked.scan(client, List.of(operator.log()));
      assertThat(log).as("the operator log").doesNotContain(marker);
      assertThat(markerScan.findings()).as("the tenant's Secret content anywhere").isEmpty();
      for (String key : neverForwarded) {
        assertThat(proxy.countSignedBy("forwarded", null, key))
            .as("calls forwarded for a proof that must not be sent")
            .isZero();
      }
      assertThat(decoy.counts()).as("calls sent to the other URL").isEmpty();

      print(decoy);
      SecretHygiene.Report scan = hygiene.scan(client, List.of(operator.log()));
      System.out.println(scan.summary());
      scan.assertClean();
    }
  }

  // --- cases ----------------------------------------------------------------------------------

  private void expectDenied(
      String name, AwsCredentialRequest request, String type, String reason, String mentions) {
    s.assertDenied(request, type, reason, mentions);
    denied.add(request);
    AwsCredentialRequest now = s.get(request);
    rows.add(new Row(name, reason, reason(now, type), issuedFor(TestEnvironment.get(), now)));
  }

  private void rejectedAtAdmission(String name, GenericKubernetesResource object, String field) {
    KubernetesClient client = s.client;
    assertThatThrownBy(() -> client.resource(object).create())
        .as(name)
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage()).contains(field);
            });
    rows.add(new Row(name, "rejected at admission", "rejected at admission (422)", 0));
  }

  private VaultAwsRole role(String name, CredentialType type, Consumer<RoleBindings> bindings) {
    return s.role(name, type, AuthType.KUBERNETES, s.config, bindings);
  }

  private VaultAwsRole iamRole(String name, List<String> principals) {
    return s.role(
        name,
        CredentialType.SESSION_TOKEN,
        AuthType.IAM,
        s.config,
        b -> b.iamPrincipalArns = principals);
  }

  private AwsCredentialRequest proofRequest(
      String name, VaultAwsRole role, String ns, Map<String, List<String>> headers, String url) {
    return proofRequest(name, role, ns, BODY, headers, url);
  }

  private AwsCredentialRequest proofRequest(
      String name,
      VaultAwsRole role,
      String ns,
      String body,
      Map<String, List<String>> headers,
      String url) {
    String proof = Workload.proofSecret(s.client, ns, url, body, headers);
    return s.request(name, role, spec -> spec.identity.iamProofSecretRef = ref(proof));
  }

  private static AwsCredentialRequestSpec.LocalSecretReference ref(String name) {
    AwsCredentialRequestSpec.LocalSecretReference ref =
        new AwsCredentialRequestSpec.LocalSecretReference();
    ref.name = name;
    return ref;
  }

  private static GenericKubernetesResource request(String name, String role, String proofName) {
    return Serialization.unmarshal(
        """
        {"apiVersion": "awsauth.io/v1alpha1", "kind": "AwsCredentialRequest",
         "metadata": {"name": "%s", "namespace": "%s", "labels": {"%s": "isolation"}},
         "spec": {"roleRef": "%s", "identity": {"iamProofSecretRef": {"name": "%s"}}}}
        """
            .formatted(name, NS_A, LABEL, role, proofName),
        GenericKubernetesResource.class);
  }

  private static GenericKubernetesResource roleWithBinding(
      String name, String binding, String value) {
    String authType =
        binding.equals("iamPrincipalArns") || binding.equals("accountIds") ? "iam" : "kubernetes";
    return Serialization.unmarshal(
        """
        {"apiVersion": "awsauth.io/v1alpha1", "kind": "VaultAwsRole",
         "metadata": {"name": "%s", "labels": {"%s": "isolation"}},
         "spec": {"credentialType": "session_token", "authType": "%s",
                  "bindings": {"%s": ["%s"]}}}
        """
            .formatted(name, LABEL, authType, binding, value),
        GenericKubernetesResource.class);
  }

  private static String reason(AwsCredentialRequest r, String type) {
    return r.getStatus() == null
        ? "(none)"
        : r.getStatus().condition(type).map(Condition::getReason).orElse("(none)");
  }

  /** What the request holds: its Secret's key, and IAM users named after it. */
  private int issuedFor(TestEnvironment env, AwsCredentialRequest r) {
    int n = 0;
    Secret secret = s.secret(r);
    if (secret != null
        && secret.getData() != null
        && secret.getData().containsKey("AWS_ACCESS_KEY_ID")) {
      n++;
    }
    String uid = r.getMetadata().getUid();
    if (uid != null) {
      try (IamClient iam = Aws.iam(env, env.accountA())) {
        n +=
            (int)
                iam.listUsersPaginator(x -> x.maxItems(1000)).users().stream()
                    .filter(u -> u.userName().contains(uid))
                    .count();
      }
    }
    return n;
  }

  /** A look-alike of an operator Secret whose "credential" is the tenant's marker, to scan for. */
  private static Secret tenantMarker(Secret tenant, String marker) {
    Secret copy = new io.fabric8.kubernetes.api.model.SecretBuilder(tenant).build();
    copy.setData(
        Map.of(
            "AWS_SECRET_ACCESS_KEY",
            java.util.Base64.getEncoder().encodeToString(marker.getBytes(StandardCharsets.UTF_8))));
    return copy;
  }

  private void print(FaultProxy decoy) {
    System.out.println();
    System.out.println("Isolation suite: " + rows.size() + " cases");
    System.out.printf(Locale.ROOT, "%-78s %-26s %6s%n", "case", "reason seen", "issued");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "%-78s %-26s %6d%n", r.name(), r.seen(), r.issued());
    }
    System.out.println(
        "calls forwarded for proofs that must not be sent: "
            + neverForwarded.stream()
                .mapToLong(k -> proxy.countSignedBy("forwarded", null, k))
                .sum()
            + "; calls to the other URL: "
            + decoy.counts().values().stream().mapToLong(Long::longValue).sum()
            + "; all calls through the STS/IAM proxy: "
            + proxy.counts());
  }
}
