package io.awsauth.operator.testenv;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP proxy on 127.0.0.1 that records what it forwarded: a plain proxied request ({@code POST
 * http://host:port/path}, as a client sends it to an http destination such as the emulator) is
 * forwarded with its headers (the signed Host included) and answered with {@code Connection:
 * close}; a {@code CONNECT host:port} (https) is recorded and refused with 403, so that nothing
 * leaves the machine. Each connection carries one request.
 */
public final class CountingProxy implements AutoCloseable {
  /** One request seen: {@code CONNECT host:port} or {@code METHOD absolute-uri}, and its Host. */
  public record Seen(String requestLine, String host) {}

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  private CountingProxy() throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  /** A proxy that forwards plain requests and refuses CONNECT (counting both). */
  public static CountingProxy start() {
    try {
      return new CountingProxy();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code http://127.0.0.1:<port>}, for HTTPS_PROXY or HTTP_PROXY. */
  public String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        threads.execute(() -> serve(client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      String head = readHead(in);
      String[] lines = head.split("\r\n");
      String requestLine = lines[0];
      String host = null;
      int contentLength = 0;
      StringBuilder headers = new StringBuilder();
      for (int i = 1; i < lines.length; i++) {
        String line = lines[i];
        int colon = line.indexOf(':');
        if (colon <= 0) {
          continue;
        }
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        if (name.equals("host")) {
          host = value;
        }
        if (name.equals("content-length")) {
          contentLength = Integer.parseInt(value);
        }
        if (!name.equals("connection")
            && !name.equals("proxy-connection")
            && !name.equals("keep-alive")) {
          headers.append(line).append("\r\n");
        }
      }
      seen.add(new Seen(requestLine, host));
      String[] parts = requestLine.split(" ");
      OutputStream out = client.getOutputStream();
      if (parts[0].equals("CONNECT")) {
        out.write(
            "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        return;
      }
      URI target = URI.create(parts[1]);
      byte[] body = in.readNBytes(contentLength);
      try (Socket upstream =
          new Socket(target.getHost(), target.getPort() < 0 ? 80 : target.getPort())) {
        String path =
            target.getRawPath() == null || target.getRawPath().isEmpty()
                ? "/"
                : target.getRawPath();
        if (target.getRawQuery() != null) {
          path += "?" + target.getRawQuery();
        }
        OutputStream up = upstream.getOutputStream();
        up.write(
            (parts[0]
                    + " "
                    + path
                    + " "
                    + parts[2]
                    + "\r\n"
                    + headers
                    + "Connection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        up.write(body);
        up.flush();
        InputStream answer = upstream.getInputStream();
        String answerHead = readHead(answer);
        StringBuilder rewritten = new StringBuilder();
        for (String line : answerHead.split("\r\n")) {
          String lower = line.toLowerCase(Locale.ROOT);
          if (!lower.startsWith("connection:") && !lower.startsWith("keep-alive:")) {
            rewritten.append(line).append("\r\n");
          }
        }
        rewritten.append("Connection: close\r\n\r\n");
        out.write(rewritten.toString().getBytes(StandardCharsets.ISO_8859_1));
        answer.transferTo(out);
      }
    } catch (IOException | RuntimeException e) {
      // the client sees the connection close
    }
  }

  /** The bytes up to the blank line that ends an HTTP head, without it. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed in the head");
      }
      head.write(b);
      matched =
          (b == '\r' && (matched == 0 || matched == 2))
                  || (b == '\n' && (matched == 1 || matched == 3))
              ? matched + 1
              : (b == '\r' ? 1 : 0);
      if (head.size() > 64 * 1024) {
        throw new IOException("head too large");
      }
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    return text.substring(0, text.length() - 4);
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closed anyway
    }
    threads.shutdownNow();
  }
}
