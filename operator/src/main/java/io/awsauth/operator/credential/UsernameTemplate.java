package io.awsauth.operator.credential;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders AwsAuthConfig's {@code usernameTemplate} into an IAM user name: placeholders {{uid}}
 * (kept whole: it makes the name unique), {{namespace}}, {{name}} and {{role}} (shortened so the
 * name fits IAM's 64 characters), characters outside IAM's set replaced by '-'. A shortened part
 * loses the separators its cut leaves at its end, and a part shortened to nothing takes one
 * adjacent '-' with it, so a cut never leaves "--" or "-." behind.
 */
public final class UsernameTemplate {
  static final int MAX_LENGTH = 64;
  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\{\\{(uid|namespace|name|role)\\}\\}");
  private static final Pattern TRAILING_SEPARATORS = Pattern.compile("[^A-Za-z0-9]+$");

  private UsernameTemplate() {}

  public static String render(
      String template, String uid, String namespace, String name, String role) {
    Map<String, String> values =
        Map.of(
            "uid",
            clean(uid),
            "namespace",
            clean(namespace),
            "name",
            clean(name),
            "role",
            clean(role));
    int fixed = template.length();
    int uids = 0;
    int uses = 0;
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      fixed -= m.group().length();
      if (m.group(1).equals("uid")) {
        uids++;
      } else {
        uses++;
      }
    }
    int budget = MAX_LENGTH - fixed - uids * uid.length();
    int each = uses == 0 ? 0 : Math.max(0, budget / uses);

    StringBuilder out = new StringBuilder();
    boolean dropLeadingDash = false;
    int at = 0;
    m.reset();
    while (m.find()) {
      appendLiteral(out, template.substring(at, m.start()), dropLeadingDash);
      dropLeadingDash = false;
      String value = values.get(m.group(1));
      if (!m.group(1).equals("uid") && value.length() > each) {
        value = TRAILING_SEPARATORS.matcher(value.substring(0, each)).replaceAll("");
        if (value.isEmpty()) {
          // the part is gone: so is one of the dashes around it
          if (out.length() > 0 && out.charAt(out.length() - 1) == '-') {
            out.setLength(out.length() - 1);
          } else {
            dropLeadingDash = true;
          }
        }
      }
      out.append(value);
      at = m.end();
    }
    appendLiteral(out, template.substring(at), dropLeadingDash);
    String rendered = clean(out.toString());
    return rendered.length() <= MAX_LENGTH ? rendered : rendered.substring(0, MAX_LENGTH);
  }

  private static void appendLiteral(StringBuilder out, String literal, boolean dropLeadingDash) {
    out.append(dropLeadingDash && literal.startsWith("-") ? literal.substring(1) : literal);
  }

  /** IAM user names: letters, digits and +=,.@_- only. */
  private static String clean(String s) {
    return s.replaceAll("[^A-Za-z0-9+=,.@_-]", "-");
  }
}
