package io.awsauth.operator.credential;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders AwsAuthConfig's {@code usernameTemplate} into an IAM user name: placeholders {{uid}}
 * (kept whole: it makes the name unique), {{namespace}}, {{name}} and {{role}} (shortened so the
 * name fits IAM's 64 characters), characters outside IAM's set replaced by '-'.
 */
public final class UsernameTemplate {
  static final int MAX_LENGTH = 64;
  private static final String UID = "{{uid}}";

  private UsernameTemplate() {}

  public static String render(
      String template, String uid, String namespace, String name, String role) {
    Map<String, String> shortened = new LinkedHashMap<>();
    shortened.put("{{namespace}}", clean(namespace));
    shortened.put("{{name}}", clean(name));
    shortened.put("{{role}}", clean(role));
    String fixed = template;
    for (String placeholder : shortened.keySet()) {
      fixed = fixed.replace(placeholder, "");
    }
    fixed = fixed.replace(UID, "");
    int uses = 0;
    for (String placeholder : shortened.keySet()) {
      uses += occurrences(template, placeholder);
    }
    int budget = MAX_LENGTH - fixed.length() - occurrences(template, UID) * uid.length();
    int each = uses == 0 ? 0 : Math.max(0, budget / uses);
    String out = template.replace(UID, clean(uid));
    for (Map.Entry<String, String> e : shortened.entrySet()) {
      String value = e.getValue();
      out = out.replace(e.getKey(), value.length() <= each ? value : value.substring(0, each));
    }
    out = clean(out);
    return out.length() <= MAX_LENGTH ? out : out.substring(0, MAX_LENGTH);
  }

  private static int occurrences(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
  }

  /** IAM user names: letters, digits and +=,.@_- only. */
  private static String clean(String s) {
    return s.replaceAll("[^A-Za-z0-9+=,.@_-]", "-");
  }
}
