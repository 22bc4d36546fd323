package io.awsauth.operator.identity.ec2;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.awsauth.operator.api.v1alpha1.ApiPatterns;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.status.UserError;
import java.io.IOException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * Verifies the PKCS#7 (CMS SignedData) signature of an EC2 instance identity document, the {@code
 * pkcs7} of instance metadata (Vault's {@code ec2} login), against AWS's published certificates for
 * the region, and returns the document.
 *
 * <p>Only the certificates given are trusted: ones embedded in the message are ignored. The
 * signature must be RSA of at least 2048 bits over SHA-256 or stronger; SHA-1 (the old DSA {@code
 * pkcs7} and {@code signature} documents) is refused, as Vault refuses it since 1.12. When the
 * signature has signed attributes, their message digest must be the document's and, if a signing
 * time is given, the certificate must have been valid then.
 */
public final class IdentityDocumentVerifier {
  static final int MAX_CHARS = 64 * 1024;
  static final int MAX_DOCUMENT_BYTES = 16 * 1024;
  static final int MIN_RSA_BITS = 2048;

  private static final Set<String> STRONG_DIGESTS =
      Set.of(
          "2.16.840.1.101.3.4.2.1", // SHA-256
          "2.16.840.1.101.3.4.2.2", // SHA-384
          "2.16.840.1.101.3.4.2.3"); // SHA-512

  private static final Set<String> RSA_SIGNATURES =
      Set.of(
          "1.2.840.113549.1.1.1", // rsaEncryption: the digest is the one checked above
          "1.2.840.113549.1.1.11", // sha256WithRSAEncryption
          "1.2.840.113549.1.1.12", // sha384WithRSAEncryption
          "1.2.840.113549.1.1.13"); // sha512WithRSAEncryption

  private static final Map<String, String> DIGEST_NAMES =
      Map.of(
          "1.3.14.3.2.26", "SHA-1",
          "1.2.840.113549.2.5", "MD5");

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final List<X509CertificateHolder> trusted;

  /**
   * @param certificates AWS's public certificates for the regions to accept
   */
  public IdentityDocumentVerifier(Collection<X509Certificate> certificates) {
    List<X509CertificateHolder> holders = new ArrayList<>();
    for (X509Certificate certificate : certificates) {
      try {
        holders.add(new X509CertificateHolder(certificate.getEncoded()));
      } catch (CertificateEncodingException | IOException e) {
        throw new IllegalArgumentException("certificate cannot be encoded", e);
      }
    }
    this.trusted = List.copyOf(holders);
  }

  /** The verified document, or a {@link UserError} naming why it is refused. */
  public InstanceIdentityDocument verify(String pkcs7) {
    CMSSignedData signed = parse(pkcs7);
    if (signed.getSignedContent() == null
        || !(signed.getSignedContent().getContent() instanceof byte[] content)
        || content.length == 0) {
      throw new UserError(
          AwsCredentialRequestReason.IdentityDocumentNoContent,
          "the PKCS#7 signature does not contain the document");
    }
    List<SignerInformation> signers = List.copyOf(signed.getSignerInfos().getSigners());
    // AWS signs with one key; a second signer would only be something added to the message.
    if (signers.size() != 1) {
      throw new UserError(
          AwsCredentialRequestReason.IdentityDocumentMalformed,
          "the PKCS#7 signature must have exactly one signer");
    }
    SignerInformation signer = signers.get(0);
    checkAlgorithms(signer);
    List<X509CertificateHolder> candidates =
        trusted.stream().filter(c -> signer.getSID().match(c)).toList();
    if (candidates.isEmpty()) {
      throw new UserError(
          AwsCredentialRequestReason.IdentityDocumentUnknownSigner,
          "the document is not signed by any of the configured AWS certificates");
    }
    List<X509CertificateHolder> strong =
        candidates.stream().filter(IdentityDocumentVerifier::strongKey).toList();
    if (strong.isEmpty()) {
      throw new UserError(
          AwsCredentialRequestReason.IdentityDocumentWeakSignature,
          "the certificate that signed the document is not an RSA key of at least "
              + MIN_RSA_BITS
              + " bits (use the rsa2048 document and certificate)");
    }
    for (X509CertificateHolder certificate : strong) {
      if (verifies(signer, certificate)) {
        return document(content);
      }
    }
    throw new UserError(
        AwsCredentialRequestReason.IdentityDocumentBadSignature,
        "the document's signature does not verify with the configured AWS certificate (the"
            + " document was changed, or the certificate is not the one that signed it)");
  }

  private static CMSSignedData parse(String pkcs7) {
    if (pkcs7 == null || pkcs7.isBlank()) {
      throw new UserError(
          AwsCredentialRequestReason.IdentityDocumentMissing,
          "no PKCS#7 identity document was given");
    }
    if (pkcs7.length() > MAX_CHARS) {
      throw new UserError(
          AwsCredentialRequestReason.IdentityDocumentTooLarge,
          "the PKCS#7 text is longer than " + MAX_CHARS + " characters");
    }
    String base64 = stripArmour(pkcs7).replaceAll("\\s", "");
    try {
      return new CMSSignedData(Base64.getDecoder().decode(base64));
    } catch (CMSException | RuntimeException e) {
      // RuntimeException: BouncyCastle reports some malformed structures as unchecked ones.
      throw new UserError(
          AwsCredentialRequestReason.IdentityDocumentMalformed,
          "the pkcs7 value is not base64 of a PKCS#7 SignedData");
    }
  }

  /** Instance metadata serves the base64 bare; accept it wrapped in PEM armour too. */
  private static String stripArmour(String text) {
    String begin = "-----BEGIN PKCS7-----";
    String end = "-----END PKCS7-----";
    String trimmed = text.strip();
    if (!trimmed.startsWith("-----")) {
      return trimmed;
    }
    if (!trimmed.startsWith(begin) || !trimmed.endsWith(end)) {
      throw new UserError(
          AwsCredentialRequestReason.IdentityDocumentMalformed,
          "PEM armour other than BEGIN PKCS7 / END PKCS7");
    }
    return trimmed.substring(begin.length(), trimmed.length() - end.length());
  }

  private static void checkAlgorithms(SignerInformation signer) {
    String digest = signer.getDigestAlgOID();
    if (!STRONG_DIGESTS.contains(digest)) {
      throw new UserError(
          AwsCredentialRequestReason.IdentityDocumentWeakSignature,
          "the document is signed with "
              + DIGEST_NAMES.getOrDefault(digest, "digest " + digest)
              + "; only SHA-256 or stronger is accepted (use the rsa2048 document)");
    }
    if (!RSA_SIGNATURES.contains(signer.getEncryptionAlgOID())) {
      throw new UserError(
          AwsCredentialRequestReason.IdentityDocumentWeakSignature,
          "the document is not signed with RSA and SHA-256 or stronger");
    }
  }

  private static boolean verifies(SignerInformation signer, X509CertificateHolder certificate) {
    try {
      return signer.verify(new JcaSimpleSignerInfoVerifierBuilder().build(certificate));
    } catch (CMSException | OperatorCreationException | CertificateException e) {
      return false;
    }
  }

  private static boolean strongKey(X509CertificateHolder certificate) {
    try {
      PublicKey key = new JcaX509CertificateConverter().getCertificate(certificate).getPublicKey();
      return key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() >= MIN_RSA_BITS;
    } catch (CertificateException e) {
      return false;
    }
  }

  private static InstanceIdentityDocument document(byte[] content) {
    if (content.length > MAX_DOCUMENT_BYTES) {
      throw invalid("is larger than " + MAX_DOCUMENT_BYTES + " bytes");
    }
    JsonNode json;
    try {
      json = JSON.readTree(content);
    } catch (IOException e) {
      throw invalid("is not JSON");
    }
    if (json == null || !json.isObject()) {
      throw invalid("is not a JSON object");
    }
    String accountId = required(json, "accountId", ApiPatterns.ACCOUNT_ID);
    String region = required(json, "region", ApiPatterns.REGION);
    String instanceId = required(json, "instanceId", ApiPatterns.INSTANCE_ID);
    return new InstanceIdentityDocument(
        accountId,
        region,
        optional(json, "availabilityZone"),
        instanceId,
        optional(json, "imageId"),
        optional(json, "instanceType"),
        optional(json, "architecture"),
        optional(json, "pendingTime"),
        optional(json, "privateIp"));
  }

  private static String required(JsonNode json, String field, String pattern) {
    JsonNode node = json.get(field);
    if (node == null || !node.isTextual() || !node.textValue().matches(pattern)) {
      throw invalid("has no valid " + field);
    }
    return node.textValue();
  }

  private static String optional(JsonNode json, String field) {
    JsonNode node = json.get(field);
    return node != null && node.isTextual() ? node.textValue() : null;
  }

  private static UserError invalid(String why) {
    return new UserError(
        AwsCredentialRequestReason.IdentityDocumentInvalid, "the signed identity document " + why);
  }
}
