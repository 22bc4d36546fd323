package io.awsauth.operator.identity.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.awsauth.operator.authconfig.IdentityDocumentCertificates;
import io.awsauth.operator.status.UserError;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IdentityDocumentVerifierTest {
  private static final String DOCUMENT =
      """
      {
        "accountId" : "111111111111",
        "architecture" : "x86_64",
        "availabilityZone" : "us-east-1a",
        "imageId" : "ami-0a1b2c3d4e5f60718",
        "instanceId" : "i-0123456789abcdef0",
        "instanceType" : "m5.large",
        "pendingTime" : "2026-02-01T10:00:00Z",
        "privateIp" : "10.0.1.23",
        "region" : "us-east-1",
        "version" : "2017-09-30"
      }""";

  static final X500Name AWS =
      new X500Name("C=US, ST=Washington, L=Seattle, O=Amazon Web Services LLC");

  private static KeyPair awsKey;
  private static X509Certificate awsCert;
  private static KeyPair otherKey;

  @BeforeAll
  static void keys() throws Exception {
    awsKey = rsa(2048);
    otherKey = rsa(2048);
    awsCert =
        certificate(AWS, BigInteger.ONE, awsKey, "2020-01-01T00:00:00Z", "2195-01-01T00:00:00Z");
  }

  static KeyPair rsa(int bits) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(bits);
    return generator.generateKeyPair();
  }

  static X509Certificate certificate(
      X500Name name, BigInteger serial, KeyPair key, String from, String to) throws Exception {
    X509CertificateHolder holder =
        new JcaX509v3CertificateBuilder(
                name,
                serial,
                Date.from(Instant.parse(from)),
                Date.from(Instant.parse(to)),
                name,
                key.getPublic())
            .build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate()));
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  /** A SignedData over the document, as instance metadata serves it: bare base64, 64 a line. */
  static String sign(
      String document, String algorithm, KeyPair key, X509Certificate cert, boolean attributes)
      throws Exception {
    return Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(signedData(document, algorithm, key, cert, attributes, true).getEncoded());
  }

  private static CMSSignedData signedData(
      String document,
      String algorithm,
      KeyPair key,
      X509Certificate cert,
      boolean attributes,
      boolean encapsulate)
      throws Exception {
    CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
    generator.addSignerInfoGenerator(
        new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
            .setDirectSignature(!attributes)
            .build(new JcaContentSignerBuilder(algorithm).build(key.getPrivate()), cert));
    return generator.generate(
        new CMSProcessableByteArray(document.getBytes(StandardCharsets.UTF_8)), encapsulate);
  }

  private static String signed(String document) throws Exception {
    return sign(document, "SHA256withRSA", awsKey, awsCert, true);
  }

  private static IdentityDocumentVerifier trustingAws() {
    return new IdentityDocumentVerifier(List.of(awsCert));
  }

  private static String reason(IdentityDocumentVerifier verifier, String pkcs7) {
    UserError error = catchThrowableOfType(UserError.class, () -> verifier.verify(pkcs7));
    assertThat(error).as("the document must be refused").isNotNull();
    return error.reason().name();
  }

  @Test
  void verifiesAndReadsTheDocument() throws Exception {
    assertThat(trustingAws().verify(signed(DOCUMENT)))
        .isEqualTo(
            new InstanceIdentityDocument(
                "111111111111",
                "us-east-1",
                "us-east-1a",
                "i-0123456789abcdef0",
                "ami-0a1b2c3d4e5f60718",
                "m5.large",
                "x86_64",
                "2026-02-01T10:00:00Z",
                "10.0.1.23"));
  }

  @Test
  void pemArmourIsOptional() throws Exception {
    String armoured = "-----BEGIN PKCS7-----\n" + signed(DOCUMENT) + "\n-----END PKCS7-----\n";
    assertThat(trustingAws().verify(armoured).instanceId()).isEqualTo("i-0123456789abcdef0");
    assertThat(
            reason(
                trustingAws(),
                "-----BEGIN CERTIFICATE-----\n" + signed(DOCUMENT) + "\n-----END CERTIFICATE-----"))
        .isEqualTo("IdentityDocumentMalformed");
  }

  @Test
  void aSignatureWithoutSignedAttributesVerifiesToo() throws Exception {
    String direct = sign(DOCUMENT, "SHA256withRSA", awsKey, awsCert, false);
    assertThat(trustingAws().verify(direct).accountId()).isEqualTo("111111111111");
  }

  @Test
  void sha512IsAccepted() throws Exception {
    String strong = sign(DOCUMENT, "SHA512withRSA", awsKey, awsCert, true);
    assertThat(trustingAws().verify(strong).region()).isEqualTo("us-east-1");
  }

  @Test
  void aTamperedDocumentIsRefused() throws Exception {
    for (boolean attributes : new boolean[] {true, false}) {
      byte[] der =
          signedData(DOCUMENT, "SHA256withRSA", awsKey, awsCert, attributes, true).getEncoded();
      byte[] account = "111111111111".getBytes(StandardCharsets.US_ASCII);
      int at = indexOf(der, account);
      assertThat(at).isPositive();
      der[at] = '2'; // now account 211111111111
      assertThat(reason(trustingAws(), Base64.getEncoder().encodeToString(der)))
          .isEqualTo("IdentityDocumentBadSignature");
    }
  }

  @Test
  void aCertificateWithTheSameNameButAnotherKeyIsRefused() throws Exception {
    X509Certificate impostor =
        certificate(AWS, BigInteger.ONE, otherKey, "2020-01-01T00:00:00Z", "2195-01-01T00:00:00Z");
    String byImpostor = sign(DOCUMENT, "SHA256withRSA", otherKey, impostor, true);
    assertThat(reason(trustingAws(), byImpostor)).isEqualTo("IdentityDocumentBadSignature");
    // And the genuine document against the impostor certificate.
    assertThat(reason(new IdentityDocumentVerifier(List.of(impostor)), signed(DOCUMENT)))
        .isEqualTo("IdentityDocumentBadSignature");
  }

  @Test
  void aDocumentSignedByAnUnconfiguredCertificateIsRefused() throws Exception {
    X509Certificate other =
        certificate(
            new X500Name("CN=attacker"),
            BigInteger.TEN,
            otherKey,
            "2020-01-01T00:00:00Z",
            "2195-01-01T00:00:00Z");
    assertThat(reason(trustingAws(), sign(DOCUMENT, "SHA256withRSA", otherKey, other, true)))
        .isEqualTo("IdentityDocumentUnknownSigner");
    assertThat(reason(new IdentityDocumentVerifier(List.of()), signed(DOCUMENT)))
        .isEqualTo("IdentityDocumentUnknownSigner");
  }

  @Test
  void certificatesInsideTheMessageAreNotTrusted() throws Exception {
    X509Certificate other =
        certificate(
            new X500Name("CN=attacker"),
            BigInteger.TEN,
            otherKey,
            "2020-01-01T00:00:00Z",
            "2195-01-01T00:00:00Z");
    CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
    generator.addSignerInfoGenerator(
        new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
            .build(
                new JcaContentSignerBuilder("SHA256withRSA").build(otherKey.getPrivate()), other));
    generator.addCertificates(new JcaCertStore(List.of(other)));
    CMSSignedData withCert =
        generator.generate(
            new CMSProcessableByteArray(DOCUMENT.getBytes(StandardCharsets.UTF_8)), true);
    assertThat(reason(trustingAws(), Base64.getEncoder().encodeToString(withCert.getEncoded())))
        .isEqualTo("IdentityDocumentUnknownSigner");
  }

  @Test
  void sha1IsRefusedAsVaultRefusesIt() throws Exception {
    String sha1 = sign(DOCUMENT, "SHA1withRSA", awsKey, awsCert, true);
    UserError error = catchThrowableOfType(UserError.class, () -> trustingAws().verify(sha1));
    assertThat(error.reason().name()).isEqualTo("IdentityDocumentWeakSignature");
    assertThat(error.getMessage()).contains("SHA-1");
  }

  @Test
  void rsaKeysUnder2048BitsAreRefused() throws Exception {
    KeyPair small = rsa(1024);
    X509Certificate weak =
        certificate(
            new X500Name("CN=small"),
            BigInteger.TWO,
            small,
            "2020-01-01T00:00:00Z",
            "2195-01-01T00:00:00Z");
    assertThat(
            reason(
                new IdentityDocumentVerifier(List.of(weak)),
                sign(DOCUMENT, "SHA256withRSA", small, weak, true)))
        .isEqualTo("IdentityDocumentWeakSignature");
  }

  @Test
  void aCertificateNotValidWhenItSignedIsRefused() throws Exception {
    X509Certificate expired =
        certificate(AWS, BigInteger.ONE, awsKey, "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z");
    // The signing-time attribute is now, after the certificate expired.
    assertThat(
            reason(
                new IdentityDocumentVerifier(List.of(expired)),
                sign(DOCUMENT, "SHA256withRSA", awsKey, expired, true)))
        .isEqualTo("IdentityDocumentBadSignature");
  }

  @Test
  void aDetachedSignatureHasNoDocument() throws Exception {
    CMSSignedData detached = signedData(DOCUMENT, "SHA256withRSA", awsKey, awsCert, true, false);
    assertThat(reason(trustingAws(), Base64.getEncoder().encodeToString(detached.getEncoded())))
        .isEqualTo("IdentityDocumentNoContent");
  }

  @Test
  void twoSignersAreRefused() throws Exception {
    CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
    for (int i = 0; i < 2; i++) {
      generator.addSignerInfoGenerator(
          new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
              .build(
                  new JcaContentSignerBuilder("SHA256withRSA").build(awsKey.getPrivate()),
                  awsCert));
    }
    CMSSignedData two =
        generator.generate(
            new CMSProcessableByteArray(DOCUMENT.getBytes(StandardCharsets.UTF_8)), true);
    assertThat(reason(trustingAws(), Base64.getEncoder().encodeToString(two.getEncoded())))
        .isEqualTo("IdentityDocumentMalformed");
  }

  @Test
  void notPkcs7() {
    assertThat(reason(trustingAws(), null)).isEqualTo("IdentityDocumentMissing");
    assertThat(reason(trustingAws(), " ")).isEqualTo("IdentityDocumentMissing");
    assertThat(reason(trustingAws(), "not base64!")).isEqualTo("IdentityDocumentMalformed");
    assertThat(
            reason(
                trustingAws(),
                Base64.getEncoder().encodeToString(DOCUMENT.getBytes(StandardCharsets.UTF_8))))
        .isEqualTo("IdentityDocumentMalformed");
    assertThat(reason(trustingAws(), "MAA=")).isEqualTo("IdentityDocumentMalformed");
    assertThat(reason(trustingAws(), "A".repeat(IdentityDocumentVerifier.MAX_CHARS + 4)))
        .isEqualTo("IdentityDocumentTooLarge");
  }

  @Test
  void aSignedDocumentThatIsNotAnIdentityDocument() throws Exception {
    assertThat(reason(trustingAws(), signed("not json"))).isEqualTo("IdentityDocumentInvalid");
    assertThat(reason(trustingAws(), signed("[1]"))).isEqualTo("IdentityDocumentInvalid");
    assertThat(
            reason(
                trustingAws(), signed(DOCUMENT.replace("\"accountId\" : \"111111111111\",", ""))))
        .isEqualTo("IdentityDocumentInvalid");
    assertThat(reason(trustingAws(), signed(DOCUMENT.replace("i-0123456789abcdef0", "i-x"))))
        .isEqualTo("IdentityDocumentInvalid");
    assertThat(reason(trustingAws(), signed(DOCUMENT.replace("\"us-east-1\"", "\"US_EAST\""))))
        .isEqualTo("IdentityDocumentInvalid");
    assertThat(reason(trustingAws(), signed(DOCUMENT + " {}")))
        .isEqualTo("IdentityDocumentInvalid");
  }

  @Test
  void certificatesFromPem() throws Exception {
    String pem =
        "-----BEGIN CERTIFICATE-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(awsCert.getEncoded())
            + "\n-----END CERTIFICATE-----\n";
    assertThat(IdentityDocumentCertificates.parse(pem + pem)).containsExactly(awsCert, awsCert);
    assertThatThrownBy(() -> IdentityDocumentCertificates.parse("nothing"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IdentityDocumentCertificates.parse(""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
