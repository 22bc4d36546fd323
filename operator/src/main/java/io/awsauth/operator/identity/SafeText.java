package io.awsauth.operator.identity;

/**
 * Values that come from requests, AWS answers or bindings are quoted in condition messages; this
 * keeps such a value on one line and short, so a crafted name cannot forge extra lines or flood a
 * status.
 */
public final class SafeText {
  public static final int MAX_CHARS = 200;

  private SafeText() {}

  public static String of(String value) {
    if (value == null) {
      return "<none>";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_CHARS) + 1);
    for (int i = 0; i < value.length() && out.length() < MAX_CHARS; i++) {
      char c = value.charAt(i);
      out.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
    }
    if (value.length() > MAX_CHARS) {
      out.append('…');
    }
    return out.toString();
  }
}
