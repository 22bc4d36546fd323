package io.awsauth.operator.identity.ec2;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's {@code spec.providerID} as the AWS cloud provider writes it, {@code
 * aws:///<availability-zone>/<instance-id>}, with the region the zone belongs to.
 *
 * <p>Only that form is accepted. The zone-less {@code aws:////i-...} and bare instance IDs carry no
 * region, and Fargate's {@code aws:///<zone>/fargate-<ip>} is no EC2 instance, so authType ec2
 * cannot verify them.
 */
public record NodeProviderId(String availabilityZone, String region, String instanceId) {

  /**
   * A zone is its region plus a suffix: a letter ({@code us-east-1a}), or a Local Zone or
   * Wavelength Zone name ({@code us-west-2-lax-1a}, {@code us-east-1-wl1-bos-wlz-1}).
   */
  private static final Pattern PROVIDER_ID =
      Pattern.compile(
          "^aws:///(?<zone>(?<region>[a-z]{2}(?:-[a-z]+)+-[0-9]+)(?:[a-z]|(?:-[a-z0-9]+)+))"
              + "/(?<instance>i-[0-9a-f]{8,17})$");

  public static Optional<NodeProviderId> parse(String providerId) {
    if (providerId == null || providerId.length() > 256) {
      return Optional.empty();
    }
    Matcher m = PROVIDER_ID.matcher(providerId);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new NodeProviderId(m.group("zone"), m.group("region"), m.group("instance")));
  }
}
