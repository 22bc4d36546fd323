package io.awsauth.operator.api.v1alpha1;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The duration format of this API ({@link ApiPatterns#DURATION}): {@code 1h30m}, {@code 15m}. */
public final class Durations {
  private static final Pattern PART = Pattern.compile("([0-9]+)([hms])");

  private Durations() {}

  public static Duration parse(String text) {
    if (text == null || !text.matches(ApiPatterns.DURATION)) {
      throw new IllegalArgumentException("not a duration (like 15m or 1h30m): " + text);
    }
    Duration d = Duration.ZERO;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "h" -> d.plusHours(n);
            case "m" -> d.plusMinutes(n);
            default -> d.plusSeconds(n);
          };
    }
    return d;
  }

  /** The shortest text of this format for {@code d}: {@code 1h30m}, {@code 45s}. */
  public static String format(Duration d) {
    long s = d.getSeconds();
    StringBuilder b = new StringBuilder();
    if (s >= 3600) {
      b.append(s / 3600).append('h');
      s %= 3600;
    }
    if (s >= 60) {
      b.append(s / 60).append('m');
      s %= 60;
    }
    if (s > 0 || b.length() == 0) {
      b.append(s).append('s');
    }
    return b.toString();
  }
}
