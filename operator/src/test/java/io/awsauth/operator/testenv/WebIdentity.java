package io.awsauth.operator.testenv;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.testenv.TestEnvironment.AwsAccount;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;

/**
 * The local API server as an OIDC identity provider in the emulated IAM, as an administrator sets
 * up web identity on AWS: the issuer (the API server's own URL, {@code AAO_SA_ISSUER}) registered
 * with iam:CreateOpenIDConnectProvider, roles whose trust policy names it, and ServiceAccount
 * tokens from TokenRequest. {@link #forged} makes tokens the API server would not issue (expired,
 * signed by another key) with its own signing key, for the refusals no TokenRequest can produce.
 */
public final class WebIdentity {
  /** The audience the provider accepts (its client ID), as on EKS. */
  public static final String AUDIENCE = "sts.amazonaws.com";

  private static final ObjectMapper JSON = new ObjectMapper();

  private WebIdentity() {}

  /** The issuer URL, e.g. https://127.0.0.1:6443. */
  public static String issuer(TestEnvironment env) {
    return env.var("AAO_SA_ISSUER");
  }

  /** The issuer without its scheme: the provider's URL in IAM and its condition keys' prefix. */
  public static String issuerHost(TestEnvironment env) {
    return URI.create(issuer(env)).getRawAuthority();
  }

  /** Registers the issuer in {@code account} (once; client ID {@link #AUDIENCE}); its ARN. */
  public static String provider(TestEnvironment env, AwsAccount account) {
    String arn = "arn:aws:iam::" + account.id() + ":oidc-provider/" + issuerHost(env);
    try (IamClient iam = Aws.iam(env, account)) {
      try {
        iam.createOpenIDConnectProvider(
            r -> r.url(issuer(env)).clientIDList(AUDIENCE).thumbprintList("0".repeat(40)));
      } catch (EntityAlreadyExistsException e) {
        // registered by an earlier test against this emulator
      }
    }
    return arn;
  }

  /**
   * A role in {@code account} that tokens of ServiceAccount {@code namespace/serviceAccount} for
   * {@link #AUDIENCE} may assume, with {@code policy} as its inline policy.
   */
  public static String role(
      TestEnvironment env,
      AwsAccount account,
      String roleName,
      String namespace,
      String serviceAccount,
      String policy) {
    String provider = provider(env, account);
    String host = issuerHost(env);
    String trust =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Federated\":\""
            + provider
            + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\""
            + host
            + ":aud\":\""
            + AUDIENCE
            + "\",\""
            + host
            + ":sub\":\"system:serviceaccount:"
            + namespace
            + ":"
            + serviceAccount
            + "\"}}}]}";
    try (IamClient iam = Aws.iam(env, account)) {
      String arn =
          iam.createRole(r -> r.roleName(roleName).assumeRolePolicyDocument(trust)).role().arn();
      if (policy != null) {
        iam.putRolePolicy(r -> r.roleName(roleName).policyName("policy").policyDocument(policy));
      }
      return arn;
    }
  }

  /** The operator's own policy (config/iam/operator-policy.json) as a document. */
  public static String operatorPolicy() {
    try {
      return Files.readString(
          TestEnvironment.repoRoot().resolve("config/iam/operator-policy.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static KubernetesClient issuerClient;

  /**
   * The local API server, whose issuer the emulator trusts: also with {@code -De2e.cluster=k3s}
   * (e2e/local-env runs it then too), a token file being only a file to the operator.
   */
  private static synchronized KubernetesClient issuerClient(TestEnvironment env) {
    if (issuerClient == null) {
      issuerClient =
          new KubernetesClientBuilder()
              .withConfig(
                  Config.fromKubeconfig(TestEnvironment.read(Path.of(env.var("KUBECONFIG")))))
              .build();
    }
    return issuerClient;
  }

  /**
   * A token of ServiceAccount {@code namespace/name} (created, with its namespace, when missing)
   * from the local API server's TokenRequest, for {@code audience}, valid 10 minutes.
   */
  public static String token(TestEnvironment env, String namespace, String name, String audience) {
    KubernetesClient client = issuerClient(env);
    Fixtures.namespace(client, namespace);
    Fixtures.serviceAccount(client, namespace, name);
    TokenRequest request =
        new TokenRequestBuilder()
            .withNewSpec()
            .withAudiences(audience)
            .withExpirationSeconds(600L)
            .endSpec()
            .build();
    return client
        .serviceAccounts()
        .inNamespace(namespace)
        .withName(name)
        .tokenRequest(request)
        .getStatus()
        .getToken();
  }

  /** Writes {@code token} to {@code file} as the kubelet writes a projected token: replaced. */
  public static void write(Path file, String token) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, token);
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code real} (a TokenRequest token) with its exp set to {@code expires}, signed with the API
   * server's own key ({@code AAO_SA_SIGNING_KEY}), or with a new key under the same key ID when
   * {@code otherKey}.
   */
  public static String forged(TestEnvironment env, String real, Instant expires, boolean otherKey) {
    try {
      String[] parts = real.split("\\.");
      ObjectNode claims = (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
      claims.put("exp", expires.getEpochSecond());
      if (expires.isBefore(Instant.now())) {
        claims.put("iat", expires.minusSeconds(600).getEpochSecond());
        claims.put("nbf", expires.minusSeconds(600).getEpochSecond());
      }
      String signed =
          parts[0]
              + "."
              + Base64.getUrlEncoder()
                  .withoutPadding()
                  .encodeToString(JSON.writeValueAsBytes(claims));
      PrivateKey key =
          otherKey
              ? KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate()
              : signingKey(env);
      Signature rs256 = Signature.getInstance("SHA256withRSA");
      rs256.initSign(key);
      rs256.update(signed.getBytes(StandardCharsets.US_ASCII));
      return signed + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(rs256.sign());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static PrivateKey signingKey(TestEnvironment env)
      throws IOException, GeneralSecurityException {
    String pem = Files.readString(Path.of(env.var("AAO_SA_SIGNING_KEY")));
    String base64 =
        String.join(
            "",
            List.of(pem.split("\n")).stream()
                .filter(l -> !l.startsWith("-----"))
                .map(String::strip)
                .toList());
    return KeyFactory.getInstance("RSA")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }
}
