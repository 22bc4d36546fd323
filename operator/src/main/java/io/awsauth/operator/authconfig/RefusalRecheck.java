package io.awsauth.operator.authconfig;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How soon an AwsAuthConfig whose keys AWS refused (InvalidClientTokenId, expired, AccessDenied) is
 * verified again. AWS is eventually consistent: a key created seconds ago, or a policy just
 * attached, is refused until it has propagated. So a refusal is looked at again soon (after 5 s),
 * then less often the longer the same settings (config and Secret version) have been refused, up to
 * every 5 minutes; new settings (a changed config or Secret) start again at 5 s.
 */
final class RefusalRecheck {
  static final Duration FIRST = Duration.ofSeconds(5);
  static final Duration LONGEST = Duration.ofMinutes(5);

  private record Episode(String fingerprint, Instant since) {}

  private final Map<String, Episode> episodes = new ConcurrentHashMap<>();

  /**
   * The delay before config {@code uid} is verified again, AWS having refused it with settings
   * {@code fingerprint} at {@code now}.
   */
  Duration refused(String uid, String fingerprint, Instant now) {
    Episode episode =
        episodes.compute(
            uid,
            (k, previous) ->
                previous != null && previous.fingerprint().equals(fingerprint)
                    ? previous
                    : new Episode(fingerprint, now));
    return after(episode.since(), now);
  }

  /** The config was verified, or is not Ready for another reason: the next refusal starts over. */
  void forget(String uid) {
    episodes.remove(uid);
  }

  /** The delay, the same settings having been refused since {@code refusedSince}. */
  static Duration after(Instant refusedSince, Instant now) {
    Duration refused = Duration.between(refusedSince, now);
    if (refused.compareTo(FIRST) < 0) {
      return FIRST;
    }
    return refused.compareTo(LONGEST) > 0 ? LONGEST : refused;
  }
}
