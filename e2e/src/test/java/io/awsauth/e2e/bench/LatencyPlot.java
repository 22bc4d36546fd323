package io.awsauth.e2e.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A PNG of the issuance latency distributions (one panel per credential type: the cumulative
 * distribution of the operator's and the baseline's latencies, and the peer's with --peer=vault,
 * log-scaled milliseconds), drawn with java.awt in headless mode so that the benchmark needs no
 * plotting library.
 */
final class LatencyPlot {
  private static final int PANEL_W = 520;
  private static final int PANEL_H = 340;
  private static final Color OPERATOR = new Color(0xd62728);
  private static final Color BASELINE = new Color(0x1f77b4);
  private static final Color VAULT = new Color(0x2ca02c);

  private LatencyPlot() {}

  /** {@code series}: type to [operator ms, baseline ms] or [operator ms, baseline ms, Vault ms]. */
  static void write(Map<String, List<List<Double>>> series, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    if (series.isEmpty()) {
      return;
    }
    int cols = 2;
    int rows = (series.size() + 1) / 2;
    BufferedImage img =
        new BufferedImage(PANEL_W * cols, PANEL_H * rows + 40, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    boolean peer = series.values().stream().anyMatch(s -> s.size() > 2);
    g.drawString(
        "Issuance latency (CDF): operator (red) vs AWS SDK + Secret baseline (blue)"
            + (peer ? " vs Vault (green)" : ""),
        20,
        26);
    int i = 0;
    for (Map.Entry<String, List<List<Double>>> e : series.entrySet()) {
      int x0 = (i % cols) * PANEL_W;
      int y0 = 40 + (i / cols) * PANEL_H;
      List<List<Double>> s = e.getValue();
      panel(g, x0, y0, e.getKey(), s.get(0), s.get(1), s.size() > 2 ? s.get(2) : List.of());
      i++;
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }

  private static void panel(
      Graphics2D g,
      int x0,
      int y0,
      String title,
      List<Double> op,
      List<Double> base,
      List<Double> vault) {
    int left = x0 + 60;
    int right = x0 + PANEL_W - 20;
    int top = y0 + 30;
    int bottom = y0 + PANEL_H - 45;
    List<Double> all = new ArrayList<>(op);
    all.addAll(base);
    all.addAll(vault);
    all.removeIf(v -> v <= 0);
    if (all.isEmpty()) {
      return;
    }
    double lo = Math.log10(Collections.min(all)) - 0.05;
    double hi = Math.log10(Collections.max(all)) + 0.05;
    lo = Math.floor(lo * 2) / 2;
    hi = Math.ceil(hi * 2) / 2;
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(
        title
            + " (n="
            + op.size()
            + " / "
            + base.size()
            + (vault.isEmpty() ? "" : " / " + vault.size())
            + ")",
        left,
        y0 + 20);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    g.setStroke(new BasicStroke(1));
    g.drawRect(left, top, right - left, bottom - top);
    for (double d = lo; d <= hi + 1e-9; d += 0.5) {
      int x = (int) (left + (d - lo) / (hi - lo) * (right - left));
      g.setColor(new Color(0xdddddd));
      g.drawLine(x, top, x, bottom);
      g.setColor(Color.BLACK);
      g.drawString(String.format(Locale.ROOT, "%.0f", Math.pow(10, d)), x - 10, bottom + 15);
    }
    for (int q = 0; q <= 4; q++) {
      int y = bottom - q * (bottom - top) / 4;
      g.setColor(new Color(0xdddddd));
      g.drawLine(left, y, right, y);
      g.setColor(Color.BLACK);
      g.drawString(String.format(Locale.ROOT, "%.2f", q / 4.0), left - 35, y + 4);
    }
    g.drawString("milliseconds (log)", (left + right) / 2 - 45, bottom + 32);
    curve(g, vault, VAULT, lo, hi, left, right, top, bottom);
    curve(g, base, BASELINE, lo, hi, left, right, top, bottom);
    curve(g, op, OPERATOR, lo, hi, left, right, top, bottom);
  }

  private static void curve(
      Graphics2D g,
      List<Double> values,
      Color color,
      double lo,
      double hi,
      int left,
      int right,
      int top,
      int bottom) {
    if (values.isEmpty()) {
      return;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    g.setColor(color);
    g.setStroke(new BasicStroke(2));
    int px = left;
    int py = bottom;
    for (int i = 0; i < sorted.size(); i++) {
      double v = Math.max(sorted.get(i), 1e-3);
      int x = (int) (left + (Math.log10(v) - lo) / (hi - lo) * (right - left));
      int y = (int) (bottom - (double) (i + 1) / sorted.size() * (bottom - top));
      g.drawLine(px, py, x, py);
      g.drawLine(x, py, x, y);
      px = x;
      py = y;
    }
  }
}
