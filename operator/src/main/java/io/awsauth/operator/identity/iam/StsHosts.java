package io.awsauth.operator.identity.iam;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.aws.Partition;
import io.awsauth.operator.identity.SafeText;
import io.awsauth.operator.status.UserError;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which hosts a signed GetCallerIdentity proof may be signed for, and the one endpoint it is sent
 * to, as Vault's server does it: a proof signed for {@code https://sts.amazonaws.com/} (what {@code
 * vault login -method=aws} makes) or a regional STS host keeps its signed Host and is sent to the
 * configured {@code endpoints.sts} (a regional endpoint, a VPC endpoint, a proxy), because the
 * signature covers the Host and cannot be re-aimed.
 *
 * <p>The accepted hosts are explicit and never widened by the client: {@code stsAllowedHosts} when
 * set, else the partition's global STS host (partition {@code aws} only), the STS host of the
 * config's region, and the endpoint's own host. With {@code useStsRegionFromClient} (Vault's
 * use_sts_region_from_client) the STS host of the region the proof is signed for is accepted too,
 * and, when {@code endpoints.sts} is unset, the proof is sent to that region's STS endpoint: a host
 * the operator builds from the region name of its own partition, never one the client wrote. In
 * every other case the proof goes to {@code endpoints.sts}, else to the partition's default
 * endpoint.
 *
 * @param endpoint where proofs are sent: {@code endpoints.sts}, or the partition's default
 * @param configured whether {@code endpoints.sts} is set
 * @param allowed the accepted hosts, lower case, {@code host} or {@code host:port} (443 omitted)
 * @param partition the partition of the config's region ({@link Partition#ofRegion}); null without
 *     a region
 */
public record StsHosts(
    StsEndpoint endpoint,
    boolean configured,
    Set<String> allowed,
    boolean regionFromClient,
    Partition partition) {

  public StsHosts {
    allowed = Set.copyOf(allowed);
  }

  /** A proof's URL accepted: where it is sent, the path it must have, the region it must sign. */
  record Accepted(StsEndpoint destination, String path, String signingRegion) {}

  /**
   * The hosts of an AwsAuthConfig.
   *
   * @param endpointsSts {@code endpoints.sts}, null or blank when unset
   * @param region the config's region
   * @param stsAllowedHosts {@code stsAllowedHosts}, null when unset
   * @throws IllegalArgumentException when {@code endpoints.sts} is not an http(s) URL
   */
  public static StsHosts of(
      String endpointsSts,
      String region,
      List<String> stsAllowedHosts,
      Boolean useStsRegionFromClient) {
    Partition partition = region == null ? null : Partition.ofRegion(region);
    boolean configured = endpointsSts != null && !endpointsSts.isBlank();
    StsEndpoint endpoint =
        configured ? StsEndpoint.of(endpointsSts) : defaultEndpoint(partition, region);
    Set<String> allowed = new LinkedHashSet<>();
    if (stsAllowedHosts == null) {
      if (partition != null) {
        partition.globalStsHost().ifPresent(allowed::add);
        allowed.add(partition.stsHost(region));
      }
      allowed.add(endpoint.authority());
    } else {
      for (String host : stsAllowedHosts) {
        allowed.add(normalized(host));
      }
    }
    return new StsHosts(
        endpoint, configured, allowed, Boolean.TRUE.equals(useStsRegionFromClient), partition);
  }

  /**
   * Where a proof goes when {@code endpoints.sts} is unset: the partition's global endpoint, else
   * (aws-cn, aws-us-gov, ...) the STS endpoint of the config's region; Vault's global default
   * without a region.
   */
  static StsEndpoint defaultEndpoint(Partition partition, String region) {
    if (partition == null) {
      return StsEndpoint.GLOBAL;
    }
    return StsEndpoint.of(
        "https://" + partition.globalStsHost().orElseGet(() -> partition.stsHost(region)));
  }

  /**
   * The destination of a proof signed for {@code url}, or a {@link UserError} ({@code
   * ProofWrongEndpoint}) when its host is not accepted. The URL is the proof's own: it decides
   * nothing but whether the proof is refused.
   */
  Accepted accept(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (url.getHost() == null
        || !(scheme.equals("https") || scheme.equals("http"))
        || url.getRawUserInfo() != null
        || url.getRawFragment() != null) {
      throw notAccepted(url);
    }
    if (endpoint.sameOrigin(url) && allowed.contains(endpoint.authority())) {
      return new Accepted(endpoint, endpoint.path(), null);
    }
    if (scheme.equals("https")) {
      String host = url.getHost().toLowerCase(Locale.ROOT);
      int port = url.getPort() < 0 ? 443 : url.getPort();
      if (allowed.contains(port == 443 ? host : host + ":" + port)) {
        return new Accepted(endpoint, "/", null);
      }
      String region = port == 443 ? regionOf(host) : null;
      if (region != null) {
        StsEndpoint destination =
            configured ? endpoint : StsEndpoint.of("https://" + partition.stsHost(region));
        return new Accepted(destination, "/", region);
      }
    }
    throw notAccepted(url);
  }

  /** With useStsRegionFromClient: the region of {@code sts.<region>.<suffix>} of the partition. */
  private String regionOf(String host) {
    if (!regionFromClient || partition == null || !host.startsWith("sts.")) {
      return null;
    }
    int dot = host.indexOf('.', "sts.".length());
    if (dot < 0) {
      return null;
    }
    String region = host.substring("sts.".length(), dot);
    return Partition.ofRegion(region).equals(partition) && partition.stsHost(region).equals(host)
        ? region
        : null;
  }

  private UserError notAccepted(URI url) {
    return new UserError(
        AwsCredentialRequestReason.ProofWrongEndpoint,
        "the proof is signed for "
            + SafeText.of(url.getScheme() + "://" + url.getRawAuthority())
            + ", not for an STS host this AwsAuthConfig accepts ("
            + describe()
            + "); it was not sent");
  }

  /** The accepted hosts for a message: at most five, then how many more. */
  String describe() {
    List<String> hosts = allowed.stream().sorted().toList();
    String shown =
        hosts.stream().limit(5).collect(Collectors.joining(", "))
            + (hosts.size() > 5 ? " and " + (hosts.size() - 5) + " more" : "");
    String what = (hosts.isEmpty() ? "no host" : shown) + " (stsAllowedHosts)";
    if (regionFromClient && partition != null) {
      what += ", or the STS host of the region it is signed for in " + partition.id();
    }
    return what;
  }

  /** {@code Host} or {@code host:port} in lower case, without the default port 443. */
  static String normalized(String host) {
    String lower = host.strip().toLowerCase(Locale.ROOT);
    return lower.endsWith(":443") ? lower.substring(0, lower.length() - 4) : lower;
  }
}
