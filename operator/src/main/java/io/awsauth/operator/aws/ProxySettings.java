package io.awsauth.operator.aws;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The HTTP proxy every AWS call of the operator goes through, the IAM-proof sender's included: the
 * {@code HTTPS_PROXY}, {@code HTTP_PROXY} and {@code NO_PROXY} environment variables (either case,
 * as curl and Go read them), or the JVM's {@code https.proxyHost}/{@code https.proxyPort}, {@code
 * http.proxyHost}/{@code http.proxyPort} and {@code http.nonProxyHosts} system properties, which
 * win when set. An https destination uses the https proxy, an http one (an emulator) the http
 * proxy; neither falls back to the other.
 *
 * <p>{@code NO_PROXY} is a comma-separated list of {@code *}, host names (a name also covers its
 * subdomains; a leading dot is allowed), IP addresses and IPv4 CIDR blocks, each optionally with
 * {@code :port}; {@code http.nonProxyHosts} is {@code |}-separated with {@code *} wildcards.
 * Nothing is exempt unless listed: loopback addresses are proxied too when a proxy is set, unlike
 * Go's default, so that what is configured is what happens.
 */
public record ProxySettings(Optional<Proxy> https, Optional<Proxy> http, List<String> noProxy) {
  public static final ProxySettings NONE =
      new ProxySettings(Optional.empty(), Optional.empty(), List.of());

  /** A proxy to connect to: {@code http} (CONNECT for https destinations) or {@code https}. */
  public record Proxy(String scheme, String host, int port) {
    @Override
    public String toString() {
      return scheme + "://" + host + ":" + port;
    }
  }

  public ProxySettings {
    noProxy = List.copyOf(noProxy);
  }

  /** The operator's own environment and system properties. */
  public static ProxySettings fromEnvironment() {
    return from(System.getenv(), System.getProperties());
  }

  /**
   * @throws IllegalArgumentException when a proxy variable or property is not a proxy URL; its
   *     value is not repeated (it may hold a password)
   */
  public static ProxySettings from(Map<String, String> env, Properties properties) {
    Optional<Proxy> https = property(properties, "https").or(() -> variable(env, "HTTPS_PROXY"));
    Optional<Proxy> http = property(properties, "http").or(() -> variable(env, "HTTP_PROXY"));
    List<String> noProxy = new ArrayList<>();
    String nonProxyHosts = properties.getProperty("http.nonProxyHosts");
    if (nonProxyHosts != null && !nonProxyHosts.isBlank()) {
      for (String entry : nonProxyHosts.split("\\|")) {
        if (!entry.isBlank()) {
          noProxy.add(entry.strip().toLowerCase(Locale.ROOT));
        }
      }
    } else {
      String list = value(env, "NO_PROXY");
      if (list != null) {
        for (String entry : list.split(",")) {
          if (!entry.isBlank()) {
            noProxy.add(entry.strip().toLowerCase(Locale.ROOT));
          }
        }
      }
    }
    return new ProxySettings(https, http, noProxy);
  }

  /** The proxy for a call to {@code scheme://host:port}, or empty for a direct connection. */
  public Optional<Proxy> proxyFor(String scheme, String host, int port) {
    Optional<Proxy> proxy = "https".equalsIgnoreCase(scheme) ? https : http;
    if (proxy.isEmpty() || exempt(host.toLowerCase(Locale.ROOT), port)) {
      return Optional.empty();
    }
    return proxy;
  }

  private boolean exempt(String host, int port) {
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    for (String entry : noProxy) {
      if (entry.equals("*")) {
        return true;
      }
      String name = entry;
      int colon = entry.lastIndexOf(':');
      if (colon > 0
          && entry.indexOf(':') == colon
          && entry.substring(colon + 1).matches("[0-9]{1,5}")) {
        if (Integer.parseInt(entry.substring(colon + 1)) != port) {
          continue;
        }
        name = entry.substring(0, colon);
      }
      if (name.startsWith("[") && name.endsWith("]")) {
        name = name.substring(1, name.length() - 1);
      }
      if (name.contains("*")) {
        // http.nonProxyHosts: * matches any characters.
        if (bare.matches(("\\Q" + name + "\\E").replace("*", "\\E.*\\Q"))) {
          return true;
        }
      } else if (name.contains("/")) {
        if (inCidr(bare, name)) {
          return true;
        }
      } else {
        String domain = name.startsWith(".") ? name.substring(1) : name;
        if (bare.equals(domain) || bare.endsWith("." + domain)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean inCidr(String host, String cidr) {
    int slash = cidr.indexOf('/');
    Long network = ipv4(cidr.substring(0, slash));
    Long address = ipv4(host);
    String bits = cidr.substring(slash + 1);
    if (network == null || address == null || !bits.matches("[0-9]{1,2}")) {
      return false;
    }
    int prefix = Integer.parseInt(bits);
    if (prefix > 32) {
      return false;
    }
    long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    return (network & mask) == (address & mask);
  }

  private static Long ipv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    long value = 0;
    for (String part : parts) {
      if (!part.matches("[0-9]{1,3}") || Integer.parseInt(part) > 255) {
        return null;
      }
      value = value * 256 + Integer.parseInt(part);
    }
    return value;
  }

  private static Optional<Proxy> property(Properties properties, String scheme) {
    String host = properties.getProperty(scheme + ".proxyHost");
    if (host == null || host.isBlank()) {
      return Optional.empty();
    }
    String port = properties.getProperty(scheme + ".proxyPort");
    int number;
    try {
      number = port == null || port.isBlank() ? 80 : Integer.parseInt(port.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(scheme + ".proxyPort is not a port number");
    }
    if (number < 1 || number > 65535) {
      throw new IllegalArgumentException(scheme + ".proxyPort is not a port number");
    }
    return Optional.of(new Proxy("http", host.strip(), number));
  }

  private static Optional<Proxy> variable(Map<String, String> env, String name) {
    String text = value(env, name);
    if (text == null) {
      return Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(text.contains("://") ? text.strip() : "http://" + text.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(name + " is not a proxy URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException(name + " is not an http:// or https:// proxy URL");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          name + " names a user: proxy authentication is not supported");
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return Optional.of(new Proxy(scheme, uri.getHost(), port));
  }

  /** The variable in upper case, else lower case (curl reads only lower-case http_proxy). */
  private static String value(Map<String, String> env, String upper) {
    String value = env.get(upper);
    if (value == null || value.isBlank()) {
      value = env.get(upper.toLowerCase(Locale.ROOT));
    }
    return value == null || value.isBlank() ? null : value;
  }
}
