package io.awsauth.operator.api.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Build step (run by the operator's pom after the CRD generator): puts each CRD's printer columns
 * in the order the kind's {@link AdditionalPrinterColumn} annotations are declared. The fabric8
 * generator sorts them by JSON path, which puts AGE first; kubectl shows them in file order.
 */
public final class PrinterColumnOrder {
  private static final String MODEL = "io.awsauth.operator.api.v1alpha1.";
  private static final Pattern KIND = Pattern.compile("(?m)^    kind: \"(\\w+)\"$");
  private static final Pattern NAME = Pattern.compile("^      name: \"([^\"]+)\"$");

  private PrinterColumnOrder() {}

  public static void main(String[] args) throws IOException, ClassNotFoundException {
    try (Stream<Path> files = Files.list(Path.of(args[0]))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
        String text = Files.readString(f);
        Matcher kind = KIND.matcher(text);
        if (kind.find()) {
          List<String> order =
              Arrays.stream(
                      Class.forName(MODEL + kind.group(1))
                          .getAnnotationsByType(AdditionalPrinterColumn.class))
                  .map(AdditionalPrinterColumn::name)
                  .toList();
          Files.writeString(f, reorder(text, order));
        }
      }
    }
  }

  /** The CRD text with the entries of additionalPrinterColumns in {@code order} (by name). */
  static String reorder(String text, List<String> order) {
    List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
    int start = lines.indexOf("  - additionalPrinterColumns:") + 1;
    if (start == 0) {
      return text;
    }
    int end = start;
    List<List<String>> entries = new ArrayList<>();
    while (end < lines.size()
        && (lines.get(end).startsWith("    - ") || lines.get(end).startsWith("      "))) {
      if (lines.get(end).startsWith("    - ")) {
        entries.add(new ArrayList<>());
      }
      entries.get(entries.size() - 1).add(lines.get(end));
      end++;
    }
    entries.sort(Comparator.comparingInt(e -> position(order, e)));
    List<String> out = new ArrayList<>(lines.subList(0, start));
    entries.forEach(out::addAll);
    out.addAll(lines.subList(end, lines.size()));
    return String.join("\n", out);
  }

  private static int position(List<String> order, List<String> entry) {
    for (String line : entry) {
      Matcher m = NAME.matcher(line);
      if (m.matches() && order.contains(m.group(1))) {
        return order.indexOf(m.group(1));
      }
    }
    return order.size();
  }
}
