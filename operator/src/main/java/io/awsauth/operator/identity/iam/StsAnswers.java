package io.awsauth.operator.identity.iam;

import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.identity.SafeText;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads STS's XML answer to a forwarded proof. The document must be XML from its first byte with a
 * {@code GetCallerIdentityResponse} or {@code ErrorResponse} root (in STS's namespace when one is
 * declared); anything else (JSON, HTML, a reflected body) is refused rather than searched for a
 * matching element, which is how CVE-2020-16250's forged answer got through. DTDs are refused
 * outright, so no entity, internal or external, is ever expanded.
 */
public final class StsAnswers {
  public static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
  static final int MAX_CHARS = 64 * 1024;

  private static final Pattern ACCOUNT = Pattern.compile("^[0-9]{12}$");
  private static final Pattern USER_ID = Pattern.compile("^[A-Za-z0-9]{1,128}(:[!-~]{1,128})?$");
  private static final Pattern ARN =
      Pattern.compile("^arn:[a-z-]{1,32}:(iam|sts)::([0-9]{12}):.+$");
  private static final Pattern ERROR_CODE = Pattern.compile("^[A-Za-z0-9.]{1,64}$");
  private static final Pattern ACCESS_KEY_ID = Pattern.compile("(AKIA|ASIA)[A-Z0-9]{12,}");

  private StsAnswers() {}

  /**
   * The answer, or an {@link IllegalArgumentException} when it is not a well-formed STS answer (the
   * message never quotes the body).
   */
  public static StsAnswer parse(String xml) {
    if (xml == null || xml.length() > MAX_CHARS) {
      throw new IllegalArgumentException("STS answer is missing or too large");
    }
    Element root = document(xml).getDocumentElement();
    if (root.getNamespaceURI() != null && !NAMESPACE.equals(root.getNamespaceURI())) {
      throw new IllegalArgumentException("STS answer is in an unexpected XML namespace");
    }
    return switch (root.getLocalName()) {
      case "GetCallerIdentityResponse" -> identified(root);
      case "ErrorResponse" -> refused(root);
      default -> throw new IllegalArgumentException("STS answer is not GetCallerIdentityResponse");
    };
  }

  private static StsAnswer identified(Element root) {
    Element result = onlyChild(root, "GetCallerIdentityResult");
    String account = text(result, "Account");
    String arn = text(result, "Arn");
    String userId = text(result, "UserId");
    var arnParts = ARN.matcher(arn);
    if (!ACCOUNT.matcher(account).matches()
        || !USER_ID.matcher(userId).matches()
        || !arnParts.matches()
        || !arnParts.group(2).equals(account)) {
      throw new IllegalArgumentException(
          "STS answer's Account, Arn and UserId are malformed or disagree");
    }
    return new StsAnswer.Identified(new CallerIdentity(account, arn, userId));
  }

  /** Refusals are read leniently (emulators nest them differently): it is a refusal either way. */
  private static StsAnswer refused(Element root) {
    String code = firstDescendantText(root, "Code");
    String message = firstDescendantText(root, "Message");
    return new StsAnswer.Refused(
        ERROR_CODE.matcher(code).matches() ? code : "Unknown", scrub(message));
  }

  /** The first line, without what STS quotes of the request, without access key IDs, short. */
  static String scrub(String message) {
    String firstLine = message.strip().lines().findFirst().orElse("");
    int canonical = firstLine.indexOf("The Canonical String");
    if (canonical >= 0) {
      firstLine = firstLine.substring(0, canonical).strip();
    }
    return SafeText.of(ACCESS_KEY_ID.matcher(firstLine).replaceAll("<access key>"));
  }

  private static Document document(String xml) {
    try {
      DocumentBuilder builder = factory().newDocumentBuilder();
      builder.setErrorHandler(THROWING);
      builder.setEntityResolver(
          (publicId, systemId) -> {
            throw new SAXException("external entities are not allowed");
          });
      return builder.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    } catch (SAXException | IOException e) {
      throw new IllegalArgumentException("STS answer is not well-formed XML without a DTD");
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser cannot be made safe", e);
    }
  }

  private static DocumentBuilderFactory factory() throws ParserConfigurationException {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
    factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    factory.setXIncludeAware(false);
    factory.setExpandEntityReferences(false);
    return factory;
  }

  /** Parse errors end the parse instead of being printed to stderr. */
  private static final ErrorHandler THROWING =
      new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {}

        @Override
        public void error(SAXParseException e) throws SAXException {
          throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
          throw e;
        }
      };

  private static Element onlyChild(Element parent, String name) {
    List<Element> found = children(parent, name);
    if (found.size() != 1) {
      throw new IllegalArgumentException("STS answer must have exactly one " + name);
    }
    return found.get(0);
  }

  private static String text(Element parent, String name) {
    return optionalText(parent, name)
        .orElseThrow(() -> new IllegalArgumentException("STS answer has no " + name));
  }

  private static Optional<String> optionalText(Element parent, String name) {
    List<Element> found = children(parent, name);
    if (found.size() > 1) {
      throw new IllegalArgumentException("STS answer has more than one " + name);
    }
    return found.stream().findFirst().map(e -> e.getTextContent().strip());
  }

  private static String firstDescendantText(Element root, String name) {
    Node found = root.getElementsByTagNameNS("*", name).item(0);
    return found == null ? "" : found.getTextContent().strip();
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(e.getLocalName())) {
        found.add(e);
      }
    }
    return found;
  }
}
