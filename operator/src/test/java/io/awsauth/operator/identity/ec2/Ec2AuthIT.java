package io.awsauth.operator.identity.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.awsauth.operator.api.v1alpha1.AuthType;
import io.awsauth.operator.api.v1alpha1.AwsAuthConfig;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.api.v1alpha1.StsRoleBinding;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.identity.IdentityScenario;
import io.awsauth.operator.testenv.Aws;
import io.awsauth.operator.testenv.Fixtures;
import io.awsauth.operator.testenv.OperatorTestResource;
import io.awsauth.operator.testenv.TestEnvironment;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * authType ec2 on the real API server and the emulator: an instance is started in the emulator, a
 * Node object carries its providerID (no kubelet is needed for the API server to hold it) and a pod
 * is bound to that node; the operator follows pod, node, providerID and ec2:DescribeInstances, and
 * matches the instance against the role's EC2 bindings.
 */
@QuarkusTest
@QuarkusTestResource(OperatorTestResource.class)
class Ec2AuthIT {
  static final String NS = "aao-ec2-auth-it";
  static final String CONFIG = "ec2-auth-it";
  static final String ZONE = "us-east-1a";
  static IdentityScenario s;
  static TestEnvironment env;
  static KubernetesClient client;
  static String imageId;

  @BeforeAll
  static void operatorIdentity() {
    s = IdentityScenario.start(NS, CONFIG);
    env = s.env;
    client = s.client;
    try (Ec2Client ec2 = ec2()) {
      imageId = ec2.describeImages(r -> r.owners("amazon")).images().get(0).imageId();
    }
  }

  @Test
  void aPodOnABoundInstanceIsAdmittedAndIssued() {
    Instance instance = runInstance();
    String pod = podOnNode(instance);
    VaultAwsRole role =
        ec2Role(
            Aws.unique("node-vpc"),
            b -> {
              b.vpcIds = List.of(instance.vpcId());
              b.amiIds = List.of(imageId);
              b.regions = List.of("us-east-1");
              b.accountIds = List.of(TestEnvironment.ACCOUNT_A);
            });
    AwsCredentialRequest request = request(Aws.unique("on-node"), role, pod);

    AwsCredentialRequest ready = s.awaitCondition(request, "Ready", "True");
    s.assertVerified(ready);
    assertThat(s.secret(request).getData()).containsKeys("AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN");
  }

  @Test
  void anInstanceInAnotherVpcIsDenied() {
    Instance instance = runInstance();
    String pod = podOnNode(instance);
    String otherVpc;
    try (Ec2Client ec2 = ec2()) {
      otherVpc = ec2.createVpc(r -> r.cidrBlock("10.77.0.0/16")).vpc().vpcId();
    }
    VaultAwsRole role = ec2Role(Aws.unique("other-vpc"), b -> b.vpcIds = List.of(otherVpc));
    AwsCredentialRequest request = request(Aws.unique("wrong-vpc"), role, pod);
    s.assertDenied(request, "InstanceNotBound", "bindings.vpcIds of role");
  }

  @Test
  void anInstanceOfAnotherAmiIsDenied() {
    Instance instance = runInstance();
    String pod = podOnNode(instance);
    VaultAwsRole role =
        ec2Role(Aws.unique("other-ami"), b -> b.amiIds = List.of("ami-0123456789abcdef0"));
    AwsCredentialRequest request = request(Aws.unique("wrong-ami"), role, pod);
    s.assertDenied(request, "InstanceNotBound", "bindings.amiIds of role");
  }

  @Test
  void theInstanceProfileRoleIsResolvedForIamRoleArns() {
    String roleName = Aws.unique("node-role");
    String profileName = Aws.unique("node-profile");
    String profileArn;
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.createRole(
          r ->
              r.roleName(roleName)
                  .assumeRolePolicyDocument(
                      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                          + "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},"
                          + "\"Action\":\"sts:AssumeRole\"}]}"));
      profileArn =
          iam.createInstanceProfile(r -> r.instanceProfileName(profileName))
              .instanceProfile()
              .arn();
      iam.addRoleToInstanceProfile(r -> r.instanceProfileName(profileName).roleName(roleName));
    }
    Instance instance;
    try (Ec2Client ec2 = ec2()) {
      instance =
          ec2.runInstances(
                  r ->
                      r.imageId(imageId)
                          .minCount(1)
                          .maxCount(1)
                          .instanceType("t3.micro")
                          .placement(p -> p.availabilityZone(ZONE))
                          .iamInstanceProfile(p -> p.arn(profileArn)))
              .instances()
              .get(0);
    }
    String pod = podOnNode(instance);
    String roleArn = "arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/" + roleName;
    VaultAwsRole bound =
        ec2Role(
            Aws.unique("by-node-role"),
            b -> {
              b.iamRoleArns = List.of(roleArn);
              b.iamInstanceProfileArns =
                  List.of("arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":instance-profile/*");
            });
    AwsCredentialRequest admitted = request(Aws.unique("node-role"), bound, pod);
    s.awaitCondition(admitted, "Ready", "True");

    VaultAwsRole otherRole =
        ec2Role(
            Aws.unique("other-node-role"),
            b ->
                b.iamRoleArns =
                    List.of("arn:aws:iam::" + TestEnvironment.ACCOUNT_A + ":role/someone-else"));
    AwsCredentialRequest refused = request(Aws.unique("other-node-role"), otherRole, pod);
    s.assertDenied(refused, "InstanceNotBound", "bindings.iamRoleArns of role");
  }

  @Test
  void anInstanceInTheSecondaryAccountIsDescribedThroughItsStsRoleBinding() {
    StsRoleBinding binding = s.secondaryAccountBinding();
    Instance instance = runInstance(env.accountB());
    String pod = podOnNode(instance);
    VaultAwsRole role =
        ec2Role(
            Aws.unique("node-in-b"),
            b -> {
              b.accountIds = List.of(TestEnvironment.ACCOUNT_B);
              b.vpcIds = List.of(instance.vpcId());
            });
    AwsCredentialRequest request = request(Aws.unique("node-in-b"), role, pod);
    AwsCredentialRequest ready = s.awaitCondition(request, "Ready", "True");
    s.assertVerified(ready);

    // Bound to account A only, the same node is not found there.
    VaultAwsRole inA =
        ec2Role(
            Aws.unique("node-in-a"),
            b -> {
              b.accountIds = List.of(TestEnvironment.ACCOUNT_A);
              b.vpcIds = List.of(instance.vpcId());
            });
    AwsCredentialRequest refused = request(Aws.unique("node-in-a"), inA, pod);
    s.assertDenied(refused, "InstanceNotFound", instance.instanceId());
    client.resource(binding).withTimeout(60, TimeUnit.SECONDS).delete();
  }

  /**
   * Vault's pkcs7 login: a document signed by the certificate the AwsAuthConfig trusts (here a
   * self-made one standing in for AWS's) names a running instance, which is described and matched;
   * the same document changed after signing is refused.
   */
  @Test
  void aSignedIdentityDocumentIsAdmittedAndATamperedOneRefused() throws Exception {
    KeyPair key = IdentityDocumentVerifierTest.rsa(2048);
    X509Certificate cert =
        IdentityDocumentVerifierTest.certificate(
            IdentityDocumentVerifierTest.AWS,
            BigInteger.TWO,
            key,
            "2020-01-01T00:00:00Z",
            "2195-01-01T00:00:00Z");
    String config = Aws.unique("documents");
    AwsAuthConfig withCertificates = s.authConfig(config);
    withCertificates.getSpec().identityDocumentCertificates =
        "-----BEGIN CERTIFICATE-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(cert.getEncoded())
            + "\n-----END CERTIFICATE-----\n";
    s.applyReady(withCertificates);

    Instance instance = runInstance();
    String document =
        "{\"accountId\":\""
            + TestEnvironment.ACCOUNT_A
            + "\",\"region\":\"us-east-1\",\"availabilityZone\":\""
            + ZONE
            + "\",\"instanceId\":\""
            + instance.instanceId()
            + "\",\"imageId\":\""
            + imageId
            + "\",\"instanceType\":\"t3.micro\",\"version\":\"2017-09-30\"}";
    String signed = IdentityDocumentVerifierTest.sign(document, "SHA256withRSA", key, cert, true);
    VaultAwsRole role =
        s.role(
            Aws.unique("by-document"),
            CredentialType.SESSION_TOKEN,
            AuthType.EC2,
            config,
            b -> b.vpcIds = List.of(instance.vpcId()));

    AwsCredentialRequest admitted =
        s.request(
            Aws.unique("document"),
            role,
            spec -> spec.identity.identityDocumentSecretRef = documentSecret(signed));
    AwsCredentialRequest ready = s.awaitCondition(admitted, "Ready", "True");
    s.assertVerified(ready);

    byte[] der = Base64.getMimeDecoder().decode(signed);
    String id = instance.instanceId();
    int at = new String(der, StandardCharsets.ISO_8859_1).indexOf(id);
    assertThat(at).isPositive();
    der[at + id.length() - 1] = (byte) (der[at + id.length() - 1] == '0' ? '1' : '0');
    AwsCredentialRequest tampered =
        s.request(
            Aws.unique("tampered-document"),
            role,
            spec ->
                spec.identity.identityDocumentSecretRef =
                    documentSecret(Base64.getEncoder().encodeToString(der)));
    s.assertDenied(tampered, "IdentityDocumentBadSignature", "does not verify");
    client.resource(withCertificates).delete();
  }

  static AwsCredentialRequestSpec.LocalSecretReference documentSecret(String pkcs7) {
    AwsCredentialRequestSpec.LocalSecretReference ref =
        new AwsCredentialRequestSpec.LocalSecretReference();
    ref.name = Aws.unique("document");
    Fixtures.secret(client, NS, ref.name, Map.of(Ec2IdentityVerifier.DOCUMENT_KEY, pkcs7));
    return ref;
  }

  @Test
  void aStoppedInstanceIsDenied() {
    Instance instance = runInstance();
    try (Ec2Client ec2 = ec2()) {
      ec2.stopInstances(r -> r.instanceIds(instance.instanceId()));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  ec2.describeInstances(r -> r.instanceIds(instance.instanceId()))
                      .reservations()
                      .get(0)
                      .instances()
                      .get(0)
                      .state()
                      .name(),
              s -> s == InstanceStateName.STOPPED);
    }
    String pod = podOnNode(instance);
    VaultAwsRole role = ec2Role(Aws.unique("stopped"), b -> b.vpcIds = List.of(instance.vpcId()));
    AwsCredentialRequest request = request(Aws.unique("stopped"), role, pod);
    s.assertDenied(request, "InstanceNotRunning", "not running");
  }

  @Test
  void aRequestWithoutAPodIsDenied() {
    VaultAwsRole role = ec2Role(Aws.unique("no-pod"), b -> b.regions = List.of("us-east-1"));
    AwsCredentialRequest request = request(Aws.unique("no-pod"), role, null);
    s.assertDenied(request, "PodRequired", "identity.podName");
  }

  // --- helpers ------------------------------------------------------------------------------

  static Ec2Client ec2() {
    return ec2(env.accountA());
  }

  static Ec2Client ec2(AwsAccount admin) {
    return Ec2Client.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(env.awsEndpoint()))
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(admin.accessKeyId(), admin.secretAccessKey())))
        .build();
  }

  static Instance runInstance() {
    return runInstance(env.accountA());
  }

  static Instance runInstance(AwsAccount account) {
    try (Ec2Client ec2 = ec2(account)) {
      return ec2.runInstances(
              r ->
                  r.imageId(imageId)
                      .minCount(1)
                      .maxCount(1)
                      .instanceType("t3.micro")
                      .placement(p -> p.availabilityZone(ZONE)))
          .instances()
          .get(0);
    }
  }

  /** A Node with the instance's providerID and a pod bound to it; returns the pod's name. */
  static String podOnNode(Instance instance) {
    String node = Aws.unique("node");
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(node)
                .endMetadata()
                .withNewSpec()
                .withProviderID("aws:///" + ZONE + "/" + instance.instanceId())
                .endSpec()
                .build())
        .create();
    String pod = Aws.unique("pod");
    client
        .pods()
        .inNamespace(NS)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(pod)
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withNodeName(node)
                .withServiceAccountName(IdentityScenario.SA)
                .addNewContainer()
                .withName("app")
                .withImage("busybox:1.36")
                .endContainer()
                .endSpec()
                .build())
        .create();
    return pod;
  }

  static VaultAwsRole ec2Role(String name, Consumer<RoleBindings> bindings) {
    return s.role(name, CredentialType.SESSION_TOKEN, AuthType.EC2, CONFIG, bindings);
  }

  static AwsCredentialRequest request(String name, VaultAwsRole role, String podName) {
    return s.request(name, role, spec -> spec.identity.podName = podName);
  }
}
