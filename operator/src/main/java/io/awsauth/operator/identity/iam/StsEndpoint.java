package io.awsauth.operator.identity.iam;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * An STS endpoint as a URL's origin and path: the AwsAuthConfig's {@code endpoints.sts} (or the
 * partition's default), the one place a validated proof is sent ({@link StsHosts}). Fixing the
 * destination is what keeps the operator from being a proxy to wherever a proof points.
 */
public record StsEndpoint(String scheme, String host, int port, String path) {
  public static final StsEndpoint GLOBAL = of("https://sts.amazonaws.com");

  /** The endpoint of a URL such as {@code https://sts.us-east-1.amazonaws.com}. */
  public static StsEndpoint of(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalArgumentException("STS endpoint is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new IllegalArgumentException("STS endpoint must be an http or https URL");
    }
    if (uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "STS endpoint must be scheme://host[:port][/path] without user, query or fragment");
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return new StsEndpoint(
        scheme, uri.getHost().toLowerCase(Locale.ROOT), effectivePort(scheme, uri.getPort()), path);
  }

  /** Where a validated proof is sent. */
  public URI uri() {
    return URI.create(scheme + "://" + authority() + path);
  }

  /** host, with {@code :port} only when it is not the scheme's default, as SDKs sign it. */
  public String authority() {
    return port == effectivePort(scheme, -1) ? host : host + ":" + port;
  }

  /**
   * Whether the URL has this endpoint's scheme, host and port (the default port written or not).
   */
  boolean sameOrigin(URI uri) {
    return uri.getScheme() != null
        && uri.getScheme().toLowerCase(Locale.ROOT).equals(scheme)
        && uri.getHost() != null
        && uri.getHost().equalsIgnoreCase(host)
        && effectivePort(scheme, uri.getPort()) == port;
  }

  /** Whether a Host header value ({@code host} or {@code host:port}) names this endpoint. */
  boolean isHost(String hostHeader) {
    return parseHostHeader(hostHeader)
        .filter(h -> h.host().equalsIgnoreCase(host) && h.port() == port)
        .isPresent();
  }

  private record HostAndPort(String host, int port) {}

  private Optional<HostAndPort> parseHostHeader(String value) {
    int colon = value.lastIndexOf(':');
    boolean bracketed = value.startsWith("[");
    // An IPv6 literal is bracketed; a colon inside the brackets is not a port separator.
    if (colon < 0 || (bracketed && colon < value.lastIndexOf(']'))) {
      return Optional.of(new HostAndPort(value, effectivePort(scheme, -1)));
    }
    String portText = value.substring(colon + 1);
    if (!portText.matches("[0-9]{1,5}")) {
      return Optional.empty();
    }
    return Optional.of(new HostAndPort(value.substring(0, colon), Integer.parseInt(portText)));
  }

  private static int effectivePort(String scheme, int port) {
    if (port >= 0) {
      return port;
    }
    return scheme.equals("https") ? 443 : 80;
  }
}
