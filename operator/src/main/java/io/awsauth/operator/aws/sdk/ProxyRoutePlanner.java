package io.awsauth.operator.aws.sdk;

import io.awsauth.operator.aws.ProxySettings;
import org.apache.http.HttpException;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.impl.conn.DefaultRoutePlanner;
import org.apache.http.protocol.HttpContext;

/**
 * Routes Apache HttpClient connections (the AWS SDK clients' and the IAM-proof sender's) through
 * the proxy {@link ProxySettings} names for each destination: https through an HTTP CONNECT tunnel,
 * http as a plain proxied request; a destination listed in NO_PROXY, or with no proxy set,
 * directly.
 */
public final class ProxyRoutePlanner extends DefaultRoutePlanner {
  private final ProxySettings settings;

  public ProxyRoutePlanner(ProxySettings settings) {
    super(null);
    this.settings = settings;
  }

  @Override
  protected HttpHost determineProxy(HttpHost target, HttpRequest request, HttpContext context)
      throws HttpException {
    int port =
        target.getPort() >= 0
            ? target.getPort()
            : "https".equalsIgnoreCase(target.getSchemeName()) ? 443 : 80;
    return settings
        .proxyFor(target.getSchemeName(), target.getHostName(), port)
        .map(p -> new HttpHost(p.host(), p.port(), p.scheme()))
        .orElse(null);
  }
}
