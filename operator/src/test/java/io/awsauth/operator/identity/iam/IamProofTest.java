package io.awsauth.operator.identity.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.awsauth.operator.status.UserError;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IamProofTest {
  private static final String GLOBAL = "https://sts.amazonaws.com/";
  private static final String SERVER_ID = "vault.example.com";

  /** No endpoints.sts, region us-east-1, no stsAllowedHosts, no useStsRegionFromClient. */
  private static final StsHosts DEFAULT = StsHosts.of(null, "us-east-1", null, false);

  /** endpoints.sts {@code endpoint}, otherwise the defaults. */
  private static StsHosts at(String endpoint) {
    return StsHosts.of(endpoint, "us-east-1", null, false);
  }

  private static SignedProofs.Proof global() {
    return SignedProofs.sign(GLOBAL, "us-east-1");
  }

  private static SignedProofs.Proof withServerId() {
    return SignedProofs.sign(
        GLOBAL, "us-east-1", SignedProofs.BODY, Map.of(IamProof.SERVER_ID_HEADER, SERVER_ID));
  }

  /** The rejection, whose message must never carry the signature, key or token. */
  private static UserError rejection(SignedProofs.Proof proof, StsHosts endpoint, String serverId) {
    UserError error =
        catchThrowableOfType(UserError.class, () -> proof.encoded().validate(endpoint, serverId));
    assertThat(error).as("the proof must be refused").isNotNull();
    assertThat(error.getMessage())
        .doesNotContain(proof.signature())
        .doesNotContain(SignedProofs.ACCESS_KEY_ID)
        .doesNotContain(SignedProofs.SESSION_TOKEN)
        .doesNotContain("\n")
        .doesNotContain("\r");
    return error;
  }

  private static String reason(SignedProofs.Proof proof) {
    return rejection(proof, DEFAULT, null).reason().name();
  }

  private static String reason(SignedProofs.Proof proof, String serverId) {
    return rejection(proof, DEFAULT, serverId).reason().name();
  }

  /** A replayed proof (or one from a clock far off) is not sent: STS would refuse it anyway. */
  @Test
  void aProofIsFreshForFifteenMinutesEitherSideOfItsSignature() {
    StsProofRequest request = global().encoded().validate(DEFAULT, null);
    java.time.Instant signed = SignedProofs.NOW;
    assertThat(request.fresh(signed)).isTrue();
    assertThat(request.fresh(signed.plusSeconds(15 * 60))).isTrue();
    assertThat(request.fresh(signed.minusSeconds(15 * 60))).isTrue();
    assertThat(request.fresh(signed.plusSeconds(15 * 60 + 1))).isFalse();
    assertThat(request.fresh(signed.minusSeconds(15 * 60 + 1))).isFalse();
  }

  @Test
  void aSignedProofValidatesAndIsForwardedAsSigned() {
    SignedProofs.Proof proof = global();
    StsProofRequest request = proof.encoded().validate(DEFAULT, null);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.uri()).isEqualTo(URI.create("https://sts.amazonaws.com/"));
    assertThat(request.body()).isEqualTo("Action=GetCallerIdentity&Version=2011-06-15");
    assertThat(request.signingRegion()).isEqualTo("us-east-1");
    assertThat(request.signedAt()).isEqualTo(SignedProofs.NOW);
    assertThat(request.headers())
        .containsEntry("Host", List.of("sts.amazonaws.com"))
        .containsEntry("Authorization", List.of(proof.authorization()))
        .containsEntry("X-Amz-Security-Token", List.of(SignedProofs.SESSION_TOKEN))
        .containsKeys("Content-Type", "X-Amz-Date", "x-amz-content-sha256");
  }

  @Test
  void aProofWithoutHostHeaderTakesItFromTheUrlAsVaultDoes() {
    StsProofRequest request = global().withoutHost().encoded().validate(DEFAULT, null);
    assertThat(request.headers()).containsEntry("Host", List.of("sts.amazonaws.com"));
  }

  @Test
  void unsignedHeadersOtherThanContentTypeAndTokenAreDropped() {
    SignedProofs.Proof proof =
        global().set("User-Agent", "aws-sdk-go/1.0").set("Accept", "application/json");
    StsProofRequest request = proof.encoded().validate(DEFAULT, null);
    assertThat(request.headers()).doesNotContainKeys("User-Agent", "Accept");
  }

  @Test
  void theRequestNeverShowsItsSecretsWhenPrinted() {
    SignedProofs.Proof proof = global();
    String printed = proof.encoded().validate(DEFAULT, null).toString();
    assertThat(printed)
        .contains("Authorization")
        .doesNotContain(proof.signature())
        .doesNotContain(SignedProofs.ACCESS_KEY_ID)
        .doesNotContain(SignedProofs.SESSION_TOKEN);
  }

  @Test
  void serverIdThatIsSignedAndEqualValidates() {
    StsProofRequest request = withServerId().encoded().validate(DEFAULT, SERVER_ID);
    assertThat(request.headers()).containsEntry(IamProof.SERVER_ID_HEADER, List.of(SERVER_ID));
  }

  @Test
  void serverIdIsOptionalWhenNotConfigured() {
    assertThat(withServerId().encoded().validate(DEFAULT, null)).isNotNull();
    assertThat(global().encoded().validate(DEFAULT, "")).isNotNull();
  }

  @Test
  void serverIdMissing() {
    assertThat(reason(global(), SERVER_ID)).isEqualTo("ProofServerIdMissing");
  }

  @Test
  void serverIdWrong() {
    assertThat(reason(withServerId(), "vault.other.example.com"))
        .isEqualTo("ProofServerIdMismatch");
    // Sent twice: joined as Vault joins them, so no longer equal.
    assertThat(
            reason(withServerId().set(IamProof.SERVER_ID_HEADER, SERVER_ID, SERVER_ID), SERVER_ID))
        .isEqualTo("ProofServerIdMismatch");
  }

  @Test
  void serverIdAddedAfterSigning() {
    assertThat(reason(global().set(IamProof.SERVER_ID_HEADER, SERVER_ID), SERVER_ID))
        .isEqualTo("ProofServerIdUnsigned");
  }

  @Test
  void serverIdRemovedFromSignedHeaders() {
    SignedProofs.Proof proof = withServerId();
    proof.set("Authorization", proof.authorization().replace(";x-vault-aws-iam-server-id", ""));
    assertThat(reason(proof, SERVER_ID)).isEqualTo("ProofServerIdUnsigned");
  }

  @Test
  void serverIdHeaderNameIsCaseInsensitive() {
    SignedProofs.Proof proof = withServerId();
    List<String> value = proof.headers.remove(IamProof.SERVER_ID_HEADER);
    proof.headers.put("x-vault-aws-iam-server-id", value);
    assertThat(proof.encoded().validate(DEFAULT, SERVER_ID)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "post", "PUT", "POST ", " POST"})
  void onlyPost(String method) {
    SignedProofs.Proof proof = global();
    proof.method = method;
    assertThat(reason(proof)).isEqualTo("ProofNotPost");
  }

  @Test
  void missingFields() {
    SignedProofs.Proof proof = global();
    proof.method = "";
    assertThat(reason(proof)).isEqualTo("ProofIncomplete");
    IamProof encoded = global().encoded();
    for (IamProof incomplete :
        List.of(
            new IamProof(encoded.method(), null, encoded.body(), encoded.headers()),
            new IamProof(encoded.method(), encoded.url(), "", encoded.headers()),
            new IamProof(encoded.method(), encoded.url(), encoded.body(), " "))) {
      assertThat(
              catchThrowableOfType(UserError.class, () -> incomplete.validate(DEFAULT, null))
                  .reason()
                  .name())
          .isEqualTo("ProofIncomplete");
    }
  }

  @Test
  void fromFieldsUsesVaultsNames() {
    IamProof encoded = global().encoded();
    IamProof fromFields =
        IamProof.fromFields(
            Map.of(
                "iam_http_request_method", encoded.method(),
                "iam_request_url", encoded.url(),
                "iam_request_body", encoded.body(),
                "iam_request_headers", encoded.headers()));
    assertThat(fromFields).isEqualTo(encoded);
  }

  @ParameterizedTest
  @CsvSource({
    "https://sts.example.com/, ProofWrongEndpoint",
    "https://sts.amazonaws.com.example.com/, ProofWrongEndpoint",
    "http://sts.amazonaws.com/, ProofWrongEndpoint",
    "https://sts.amazonaws.com:8443/, ProofWrongEndpoint",
    "https://user@sts.amazonaws.com/, ProofWrongEndpoint",
    "https://sts.amazonaws.com/#frag, ProofWrongEndpoint",
    "https://sts.us-west-2.amazonaws.com/, ProofWrongEndpoint",
    "https://169.254.169.254/, ProofWrongEndpoint",
    "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15, ProofHasQuery",
    "https://sts.amazonaws.com/?, ProofHasQuery",
    "https://sts.amazonaws.com/foo, ProofWrongPath",
    "https://sts.amazonaws.com//, ProofWrongPath",
    "https://sts.amazonaws.com/%2e, ProofWrongPath",
    "sts.amazonaws.com, ProofWrongEndpoint",
    "https://sts.amazonaws.com/ x, ProofMalformed",
  })
  void tamperedUrl(String url, String expected) {
    SignedProofs.Proof proof = global();
    proof.url = url;
    assertThat(reason(proof)).isEqualTo(expected);
  }

  @Test
  void urlWithLineBreaks() {
    SignedProofs.Proof proof = global();
    proof.url = "https://sts.amazonaws.com/\r\nX-Injected: 1";
    assertThat(reason(proof)).isEqualTo("ProofMalformed");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://sts.amazonaws.com",
        "https://sts.amazonaws.com:443/",
        "https://STS.AMAZONAWS.COM/",
      })
  void equivalentSpellingsOfTheEndpointAreAccepted(String url) {
    SignedProofs.Proof proof = SignedProofs.sign(url, "us-east-1").withoutHost();
    assertThat(proof.encoded().validate(DEFAULT, null).uri())
        .isEqualTo(URI.create("https://sts.amazonaws.com/"));
  }

  @Test
  void urlThatIsNotBase64() {
    IamProof encoded = global().encoded();
    IamProof broken = new IamProof("POST", "not base64!", encoded.body(), encoded.headers());
    assertThat(
            catchThrowableOfType(UserError.class, () -> broken.validate(DEFAULT, null))
                .reason()
                .name())
        .isEqualTo("ProofMalformed");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "Action=AssumeRole&Version=2011-06-15 | ProofWrongAction",
        "Action=GetSessionToken&Version=2011-06-15 | ProofWrongAction",
        "Action=GetCallerIdentity&Action=GetCallerIdentity&Version=2011-06-15 | ProofWrongAction",
        "Action=GetCallerIdentity&Version=2011-06-15&Action=AssumeRole | ProofWrongAction",
        "Action=GetCallerIdentit%79&Version=2011-06-15 | ProofWrongAction",
        "action=GetCallerIdentity&Version=2011-06-15 | ProofExtraParameter",
        "Version=2011-06-15 | ProofWrongAction",
        "Action=GetCallerIdentity | ProofWrongVersion",
        "Action=GetCallerIdentity&Version=2099-01-01 | ProofWrongVersion",
        "Action=GetCallerIdentity&Version=2011-06-15&Version=2011-06-15 | ProofWrongVersion",
        "Action=GetCallerIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::1:role/x | ProofExtraParameter",
        "Action=GetCallerIdentity&Version=2011-06-15& | ProofExtraParameter",
        "&Action=GetCallerIdentity&Version=2011-06-15 | ProofExtraParameter",
        "Action=GetCallerIdentity;Version=2011-06-15 | ProofWrongAction",
      })
  void tamperedBody(String body, String expected) {
    SignedProofs.Proof proof = SignedProofs.sign(GLOBAL, "us-east-1", body, Map.of());
    assertThat(reason(proof)).isEqualTo(expected);
  }

  @Test
  void bodyParametersInEitherOrder() {
    SignedProofs.Proof proof =
        SignedProofs.sign(
            GLOBAL, "us-east-1", "Version=2011-06-15&Action=GetCallerIdentity", Map.of());
    assertThat(proof.encoded().validate(DEFAULT, null).body())
        .isEqualTo("Version=2011-06-15&Action=GetCallerIdentity");
  }

  @Test
  void bodyWithControlCharacters() {
    SignedProofs.Proof proof = global();
    proof.body = "Action=GetCallerIdentity&Version=2011-06-15\r\n";
    assertThat(reason(proof)).isEqualTo("ProofMalformed");
  }

  @Test
  void unsigned() {
    SignedProofs.Proof proof = global();
    proof.headers.remove("Authorization");
    assertThat(reason(proof)).isEqualTo("ProofUnsigned");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Basic dXNlcjpwYXNz",
        "AWS4-HMAC-SHA1 Credential=AKIDEXAMPLETESTKEY01/20260301/us-east-1/sts/aws4_request,"
            + " SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000",
        "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLETESTKEY01/20260301/sts/aws4_request,"
            + " SignedHeaders=host;x-amz-date, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETESTKEY01/20260301/us-east-1/sts/aws4_request,"
            + " SignedHeaders=host;x-amz-date",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETESTKEY01/20260301/us-east-1/sts/aws4_request,"
            + " SignedHeaders=host;x-amz-date, Signature=xyz",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETESTKEY01/us-east-1/sts/aws4_request,"
            + " SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETESTKEY01/20260301/us-east-1/sts/aws4_request,"
            + " SignedHeaders=Host;X-Amz-Date, Signature=0000000000000000000000000000000000000000000000000000000000000000",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETESTKEY01/20260301/us-east-1/sts/aws4_request,"
            + " SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000,"
            + " SignedHeaders=host",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETESTKEY01/20260301/us-east-1/sts/aws4_request,"
            + " SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000,"
            + " Extra=1",
      })
  void notSigV4(String authorization) {
    assertThat(reason(global().set("Authorization", authorization))).isEqualTo("ProofNotSigV4");
  }

  @Test
  void signedForAnotherService() {
    SignedProofs.Proof proof = global();
    proof.set("Authorization", proof.authorization().replace("/sts/", "/iam/"));
    assertThat(reason(proof)).isEqualTo("ProofWrongService");
  }

  @Test
  void twoAuthorizationHeaders() {
    SignedProofs.Proof proof = global();
    proof.headers.put(
        "authorization", List.of(proof.authorization().replace("Signature=d", "Signature=e")));
    assertThat(reason(proof)).isEqualTo("ProofAmbiguousHeader");
  }

  @Test
  void hostRemovedFromSignedHeaders() {
    SignedProofs.Proof proof = global();
    proof.set("Authorization", proof.authorization().replace("host;", ""));
    assertThat(reason(proof)).isEqualTo("ProofHeaderUnsigned");
  }

  @Test
  void dateRemovedFromSignedHeaders() {
    SignedProofs.Proof proof = global();
    proof.set("Authorization", proof.authorization().replace(";x-amz-date", ""));
    assertThat(reason(proof)).isEqualTo("ProofHeaderUnsigned");
  }

  @Test
  void signedHeaderThatIsNotThere() {
    SignedProofs.Proof proof = global();
    proof.headers.remove("X-Amz-Security-Token");
    assertThat(reason(proof)).isEqualTo("ProofSignedHeaderMissing");
  }

  @Test
  void wrongHostHeader() {
    assertThat(reason(global().set("Host", "sts.example.com"))).isEqualTo("ProofWrongHost");
    assertThat(reason(global().set("Host", "sts.amazonaws.com:8443"))).isEqualTo("ProofWrongHost");
    assertThat(reason(global().set("Host", "sts.amazonaws.com:x"))).isEqualTo("ProofWrongHost");
  }

  @Test
  void conflictingHostHeaders() {
    SignedProofs.Proof proof = global();
    proof.headers.put("host", List.of("sts.example.com"));
    assertThat(reason(proof)).isEqualTo("ProofAmbiguousHeader");
    assertThat(reason(global().set("Host", "sts.amazonaws.com", "sts.example.com")))
        .isEqualTo("ProofAmbiguousHeader");
  }

  @Test
  void theSameHostTwiceIsOneHost() {
    SignedProofs.Proof proof = global();
    proof.headers.put("host", List.of("sts.amazonaws.com"));
    assertThat(proof.encoded().validate(DEFAULT, null)).isNotNull();
  }

  @Test
  void dateMissingOrMalformed() {
    SignedProofs.Proof proof = global();
    proof.headers.remove("X-Amz-Date");
    proof.set("Authorization", proof.authorization().replace(";x-amz-date", ""));
    assertThat(reason(proof)).isEqualTo("ProofUndated");
    assertThat(reason(global().set("X-Amz-Date", "2026-03-01T12:34:56Z")))
        .isEqualTo("ProofUndated");
    assertThat(reason(global().set("X-Amz-Date", "20260302T000000Z"))).isEqualTo("ProofUndated");
  }

  @ParameterizedTest
  @ValueSource(strings = {"text/xml", "application/json", "multipart/form-data; boundary=x"})
  void wrongContentType(String type) {
    assertThat(reason(global().set("Content-Type", type))).isEqualTo("ProofWrongContentType");
  }

  @Test
  void contentTypeIsAddedWhenAbsent() {
    SignedProofs.Proof proof = global();
    proof.headers.remove("Content-Type");
    proof.set("Authorization", proof.authorization().replace("content-type;", ""));
    assertThat(proof.encoded().validate(DEFAULT, null).headers())
        .containsEntry("Content-Type", List.of("application/x-www-form-urlencoded; charset=utf-8"));
  }

  @Test
  void contentLengthMustBeTheBodys() {
    assertThat(global().set("Content-Length", "43").encoded().validate(DEFAULT, null)).isNotNull();
    assertThat(reason(global().set("Content-Length", "44"))).isEqualTo("ProofInvalidHeader");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Transfer-Encoding",
        "Connection",
        "Expect",
        "Upgrade",
        "TE",
        "Proxy-Authorization"
      })
  void hopByHopHeadersAreRefused(String name) {
    assertThat(reason(global().set(name, "x"))).isEqualTo("ProofForbiddenHeader");
  }

  @Test
  void crlfInAHeaderValue() {
    assertThat(reason(global().set("X-Amz-Date", "20260301T123456Z\r\nX-Injected: yes")))
        .isEqualTo("ProofInvalidHeader");
    assertThat(reason(global().set("User-Agent", "a\nb"))).isEqualTo("ProofInvalidHeader");
    assertThat(reason(global().set("User-Agent", "nul\u0000"))).isEqualTo("ProofInvalidHeader");
    assertThat(reason(global().set("User-Agent", "caf\u00e9"))).isEqualTo("ProofInvalidHeader");
  }

  @Test
  void crlfInAHeaderName() {
    UserError error = rejection(global().set("X-Evil\r\nHost", "x"), DEFAULT, null);
    assertThat(error.reason().name()).isEqualTo("ProofInvalidHeader");
    assertThat(error.getMessage()).doesNotContain("X-Evil");
    assertThat(reason(global().set("Bad Name", "x"))).isEqualTo("ProofInvalidHeader");
    assertThat(reason(global().set("", "x"))).isEqualTo("ProofInvalidHeader");
  }

  @Test
  void oversizeInputs() {
    assertThat(reason(global().set("X-Padding", "a".repeat(9000)))).isEqualTo("ProofInvalidHeader");
    SignedProofs.Proof many = global();
    for (int i = 0; i < 70; i++) {
      many.set("X-Pad-" + i, "x");
    }
    assertThat(reason(many)).isEqualTo("ProofTooLarge");
    SignedProofs.Proof huge = global();
    for (int i = 0; i < 8; i++) {
      huge.set("X-Pad-" + i, "x".repeat(5000));
    }
    assertThat(reason(huge)).isEqualTo("ProofTooLarge");
    SignedProofs.Proof longUrl = global();
    longUrl.url = GLOBAL + "a".repeat(4000);
    assertThat(reason(longUrl)).isEqualTo("ProofTooLarge");
    SignedProofs.Proof longBody = global();
    longBody.body = SignedProofs.BODY + "&" + "a".repeat(1000);
    assertThat(reason(longBody)).isEqualTo("ProofTooLarge");
  }

  @Test
  void regionalAndEmulatorEndpoints() {
    StsHosts regional = at("https://sts.us-west-2.amazonaws.com");
    SignedProofs.Proof proof =
        SignedProofs.sign("https://sts.us-west-2.amazonaws.com/", "us-west-2");
    StsProofRequest request = proof.encoded().validate(regional, null);
    assertThat(request.signingRegion()).isEqualTo("us-west-2");
    assertThat(request.uri()).isEqualTo(URI.create("https://sts.us-west-2.amazonaws.com/"));
    // The global endpoint is not the regional one.
    assertThat(rejection(proof, DEFAULT, null).reason().name()).isEqualTo("ProofWrongEndpoint");

    StsHosts emulator = at("http://127.0.0.1:5000");
    SignedProofs.Proof local = SignedProofs.sign("http://127.0.0.1:5000/", "us-east-1");
    assertThat(local.headers.get("Host")).containsExactly("127.0.0.1:5000");
    assertThat(local.encoded().validate(emulator, null).uri())
        .isEqualTo(URI.create("http://127.0.0.1:5000/"));
    assertThat(local.withoutHost().encoded().validate(emulator, null).headers())
        .containsEntry("Host", List.of("127.0.0.1:5000"));
    assertThat(
            rejection(SignedProofs.sign("http://127.0.0.1:5001/", "us-east-1"), emulator, null)
                .reason()
                .name())
        .isEqualTo("ProofWrongEndpoint");
    // A Host header must name the URL's host, which the signature covers.
    assertThat(rejection(global().set("Host", "127.0.0.1"), emulator, null).reason().name())
        .isEqualTo("ProofWrongHost");
  }

  /**
   * Vault's server: a proof signed for the global host (what {@code vault login -method=aws} makes)
   * is sent to the configured endpoint with its signed Host, given or taken from the URL.
   */
  @Test
  void aProofForTheGlobalHostGoesToTheConfiguredEndpointWithItsSignedHost() {
    StsHosts emulator = at("http://127.0.0.1:5000");
    StsProofRequest request = global().encoded().validate(emulator, null);
    assertThat(request.uri()).isEqualTo(URI.create("http://127.0.0.1:5000/"));
    assertThat(request.headers()).containsEntry("Host", List.of("sts.amazonaws.com"));
    assertThat(global().withoutHost().encoded().validate(emulator, null).headers())
        .containsEntry("Host", List.of("sts.amazonaws.com"));
    // Not a host the config accepts: refused, whatever the client signed.
    StsHosts onlyRegional =
        StsHosts.of(
            "http://127.0.0.1:5000", "us-east-1", List.of("sts.us-east-1.amazonaws.com"), false);
    assertThat(rejection(global(), onlyRegional, null).reason().name())
        .isEqualTo("ProofWrongEndpoint");
  }

  @Test
  void useStsRegionFromClientAcceptsTheHostOfTheRegionSignedForOnly() {
    StsHosts fromClient = StsHosts.of("http://127.0.0.1:5000", "us-east-1", null, true);
    SignedProofs.Proof regional =
        SignedProofs.sign("https://sts.us-west-2.amazonaws.com/", "us-west-2");
    StsProofRequest request = regional.encoded().validate(fromClient, null);
    assertThat(request.uri()).isEqualTo(URI.create("http://127.0.0.1:5000/"));
    assertThat(request.headers()).containsEntry("Host", List.of("sts.us-west-2.amazonaws.com"));
    assertThat(rejection(regional, at("http://127.0.0.1:5000"), null).reason().name())
        .isEqualTo("ProofWrongEndpoint");
    // Signed for us-east-1 but addressed to us-west-2's host.
    SignedProofs.Proof mismatched =
        SignedProofs.sign("https://sts.us-west-2.amazonaws.com/", "us-east-1");
    UserError error = rejection(mismatched, fromClient, null);
    assertThat(error.reason().name()).isEqualTo("ProofWrongEndpoint");
    assertThat(error.getMessage()).contains("signed for the region us-east-1");
    // Without endpoints.sts, the region's own endpoint, which the operator names, not the client.
    assertThat(regional.encoded().validate(StsHosts.of(null, "us-east-1", null, true), null).uri())
        .isEqualTo(URI.create("https://sts.us-west-2.amazonaws.com/"));
  }

  /** Vault's allowed_sts_header_values: X-Amz-* headers beyond SigV4's own only when listed. */
  @Test
  void anXAmzHeaderOtherThanSigV4sIsRefusedUnlessAllowed() {
    SignedProofs.Proof target =
        SignedProofs.sign(
            GLOBAL,
            "us-east-1",
            SignedProofs.BODY,
            Map.of("X-Amz-Target", "AWSSecurityTokenServiceV20110615.GetSessionToken"));
    UserError error = rejection(target, DEFAULT, null);
    assertThat(error.reason().name()).isEqualTo("ProofForbiddenHeader");
    assertThat(error.getMessage()).contains("X-Amz-Target").contains("allowedStsHeaders");
    assertThat(target.encoded().validate(DEFAULT, null, java.util.Set.of("x-amz-target")).headers())
        .containsKey("X-Amz-Target");
    // Unsigned too: Vault refuses the header whether signed or not.
    assertThat(reason(global().set("X-Amz-User-Agent", "aws-cli/2")))
        .isEqualTo("ProofForbiddenHeader");
  }

  @Test
  void gostyleHeadersAsVaultCliSendsThem() {
    // What aws-sdk-go v1 puts in http.Header: no Host, canonical names, single values.
    SignedProofs.Proof proof = global().withoutHost();
    List<String> sha = proof.headers.remove("x-amz-content-sha256");
    proof.headers.put("X-Amz-Content-Sha256", new ArrayList<>(sha));
    proof.set("User-Agent", "aws-sdk-go/1.44.0 (go1.21; linux; amd64)");
    assertThat(proof.encoded().validate(DEFAULT, null).headers())
        .containsKey("X-Amz-Content-Sha256")
        .doesNotContainKey("User-Agent");
  }
}
