package io.awsauth.operator.credential;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CredentialSecretTest {
  private static final Instant ISSUED = Instant.parse("2026-11-21T10:00:00Z");
  private static final Instant EXPIRES = Instant.parse("2026-11-21T11:00:00Z");

  private final AwsCredentialRequest request = request("uid-1");

  @Test
  void stsCredentialHasEnvKeysExpirationAndACredentialsFile() {
    Secret s =
        CredentialSecret.render(
            request, "app-aws", "lease-1", credential(Optional.of("token-value")), "eu-west-1");
    assertThat(s.getType()).isEqualTo("Opaque");
    assertThat(s.getData())
        .containsOnlyKeys(
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_CREDENTIAL_EXPIRATION",
            "credentials",
            "config",
            "credential-process.json");
    assertThat(decode(s, "AWS_CREDENTIAL_EXPIRATION")).isEqualTo("2026-11-21T11:00:00Z");
    assertThat(decode(s, "credentials"))
        .isEqualTo(
            "[default]\n"
                + "aws_access_key_id = ASIAEXAMPLEKEY\n"
                + "aws_secret_access_key = secret-value\n"
                + "aws_session_token = token-value\n");
    assertThat(s.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "aws-auth-operator")
        .containsEntry("awsauth.io/request-uid", "uid-1");
    assertThat(s.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getUid()).isEqualTo("uid-1");
              assertThat(o.getController()).isTrue();
              assertThat(o.getKind()).isEqualTo("AwsCredentialRequest");
            });
    assertThat(CredentialSecret.leaseId(s)).contains("lease-1");
    assertThat(CredentialSecret.accessKeyId(s)).contains("ASIAEXAMPLEKEY");
    assertThat(CredentialSecret.expiresAt(s)).contains(EXPIRES);
  }

  @Test
  void theConfigFileRunsCatOnTheMountedCredentialProcessFile() throws Exception {
    Secret s =
        CredentialSecret.render(
            request, "app-aws", "lease-1", credential(Optional.of("token-value")), "eu-west-1");
    assertThat(decode(s, "config"))
        .isEqualTo(
            "[default]\n"
                + "credential_process = cat /var/run/secrets/awsauth.io/credential-process.json\n"
                + "region = eu-west-1\n");
    JsonNode out = new ObjectMapper().readTree(decode(s, "credential-process.json"));
    assertThat(out.get("Version").isInt()).isTrue();
    assertThat(out.get("Version").asInt()).isEqualTo(1);
    assertThat(out.get("AccessKeyId").asText()).isEqualTo("ASIAEXAMPLEKEY");
    assertThat(out.get("SecretAccessKey").asText()).isEqualTo("secret-value");
    assertThat(out.get("SessionToken").asText()).isEqualTo("token-value");
    assertThat(out.get("Expiration").asText()).isEqualTo("2026-11-21T11:00:00Z");
  }

  @Test
  void theConfigFileNamesTheRequestsMountPath() {
    AwsCredentialRequest withSpec = request("uid-4");
    withSpec.setSpec(new io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec());
    withSpec.getSpec().mountPath = "/etc/aws-creds/";
    Secret s =
        CredentialSecret.render(withSpec, "app-aws", "lease-1", credential(Optional.empty()), null);
    assertThat(decode(s, "config"))
        .isEqualTo("[default]\ncredential_process = cat /etc/aws-creds/credential-process.json\n");
  }

  @Test
  void theExpirationIsRfc3339ToTheSecond() throws Exception {
    IssuedCredential fractional =
        new IssuedCredential(
            "AKIAEXAMPLEKEY",
            "secret-value",
            Optional.empty(),
            ISSUED,
            EXPIRES.plusMillis(999),
            "arn",
            Optional.empty());
    JsonNode out =
        new ObjectMapper().readTree(CredentialSecret.credentialProcessOutput(fractional));
    assertThat(out.get("Expiration").asText()).isEqualTo("2026-11-21T11:00:00Z");
    assertThat(out.has("SessionToken")).as("iam_user: no session token").isFalse();
  }

  @Test
  void iamUserCredentialHasNoSessionToken() {
    Secret s =
        CredentialSecret.render(
            request, "app-aws", "lease-1", credential(Optional.empty()), "eu-west-1");
    assertThat(s.getData()).doesNotContainKey("AWS_SESSION_TOKEN");
    assertThat(decode(s, "credentials")).doesNotContain("aws_session_token");
  }

  @Test
  void secretMaterialStaysOutOfMetadata() {
    Secret s =
        CredentialSecret.render(
            request, "app-aws", "lease-1", credential(Optional.of("token-value")), "eu-west-1");
    assertThat(s.getMetadata().toString())
        .doesNotContain("secret-value")
        .doesNotContain("token-value");
    assertThat(credential(Optional.of("token-value")).toString())
        .doesNotContain("secret-value")
        .doesNotContain("token-value");
  }

  @Test
  void aRevokedSecretHoldsNoLease() {
    Secret s = CredentialSecret.revoked(request, "app-aws", EXPIRES);
    assertThat(s.getData()).isEmpty();
    assertThat(CredentialSecret.leaseId(s)).isEmpty();
    assertThat(CredentialSecret.ownedBy(s, request)).isTrue();
  }

  @Test
  void ownershipIsTheControllerReferenceToThisRequest() {
    Secret s =
        CredentialSecret.render(
            request, "app-aws", "lease-1", credential(Optional.empty()), "eu-west-1");
    assertThat(CredentialSecret.ownedBy(s, request)).isTrue();
    assertThat(CredentialSecret.ownedBy(s, request("uid-2"))).isFalse();
  }

  @Test
  void theSecretDescribesItsLeaseSoThatALostStatusWriteCanBeRecovered() {
    AwsCredentialRequest withSpec = request("uid-3");
    withSpec.setSpec(new io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec());
    withSpec.getSpec().roleRef = "deploy";
    Secret s =
        CredentialSecret.render(
            withSpec, "app-aws", "lease-9", credential(Optional.of("token-value")), "eu-west-1");
    assertThat(CredentialSecret.heldLease(s))
        .hasValueSatisfying(
            l -> {
              assertThat(l.leaseId()).isEqualTo("lease-9");
              assertThat(l.accessKeyId()).isEqualTo("ASIAEXAMPLEKEY");
              assertThat(l.issuedAt()).isEqualTo(ISSUED);
              assertThat(l.expiresAt()).isEqualTo(EXPIRES);
              assertThat(l.issuedFor()).isEqualTo(LeaseTerms.fingerprint(withSpec.getSpec()));
            });
    s.getMetadata().getAnnotations().put("awsauth.io/expires-at", "next tuesday");
    assertThat(CredentialSecret.heldLease(s)).as("edited by hand").isEmpty();
  }

  private static IssuedCredential credential(Optional<String> token) {
    return new IssuedCredential(
        "ASIAEXAMPLEKEY", "secret-value", token, ISSUED, EXPIRES, "arn", Optional.empty());
  }

  private static String decode(Secret s, String key) {
    return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
  }

  private static AwsCredentialRequest request(String uid) {
    AwsCredentialRequest r = new AwsCredentialRequest();
    r.setMetadata(
        new ObjectMetaBuilder().withName("app").withNamespace("team-a").withUid(uid).build());
    return r;
  }
}
