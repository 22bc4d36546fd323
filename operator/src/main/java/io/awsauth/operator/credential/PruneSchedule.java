package io.awsauth.operator.credential;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * When each deny policy next has a statement to drop ({@link SessionDenials#nextPrune}), so that a
 * statement goes soon after its credential expires, not at the next sweep. One entry per holder
 * (the role or IAM user holding the policy), with the AwsAuthConfig that writes it; a later time
 * never replaces an earlier one. In memory: after a restart, the first sweep fills it again.
 */
final class PruneSchedule {
  /** A holder whose policy is due, and the AwsAuthConfig that reaches it. */
  record Due(String holder, String configName) {}

  private record Entry(String configName, Instant at) {}

  private final Map<String, Entry> next = new HashMap<>();

  /** Prune {@code holder} at {@code at}, or earlier if it already is. */
  synchronized void at(String holder, String configName, Instant at) {
    next.merge(
        holder, new Entry(configName, at), (old, now) -> now.at().isBefore(old.at()) ? now : old);
  }

  /** Removes and returns the holders due at {@code now}, earliest first. */
  synchronized List<Due> takeDue(Instant now) {
    List<Map.Entry<String, Entry>> due = new ArrayList<>();
    for (Iterator<Map.Entry<String, Entry>> it = next.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Entry> e = it.next();
      if (!e.getValue().at().isAfter(now)) {
        due.add(e);
        it.remove();
      }
    }
    due.sort(Map.Entry.comparingByValue((a, b) -> a.at().compareTo(b.at())));
    return due.stream().map(e -> new Due(e.getKey(), e.getValue().configName())).toList();
  }

  /** When {@code holder} is due, if it is scheduled. */
  synchronized Optional<Instant> when(String holder) {
    return Optional.ofNullable(next.get(holder)).map(Entry::at);
  }

  synchronized int size() {
    return next.size();
  }
}
