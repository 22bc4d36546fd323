package io.awsauth.operator.authconfig;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The AWS certificates an AwsAuthConfig names in {@code spec.identityDocumentCertificates}: the
 * config owns them (and refuses to be Ready when they do not parse); the EC2 identity verification
 * reads them from the config.
 */
public final class IdentityDocumentCertificates {
  private IdentityDocumentCertificates() {}

  /** X.509 certificates from PEM text (one or several {@code BEGIN CERTIFICATE} blocks). */
  public static List<X509Certificate> parse(String pem) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> certificates = new ArrayList<>();
      for (var c :
          factory.generateCertificates(
              new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        certificates.add((X509Certificate) c);
      }
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("no certificate in the PEM text");
      }
      return certificates;
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not PEM X.509 certificates", e);
    }
  }
}
