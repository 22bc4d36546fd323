package io.awsauth.operator.identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A small bounded cache for AWS lookups: every entry lives at most {@code ttl} (so a renamed,
 * re-pathed or deleted principal is seen again within that time) and at most {@code maxSize}
 * entries are kept, the least recently used going first. Only found answers are cached; a miss is
 * asked again next time. Time comes from the injected {@link Clock} so tests need not sleep.
 * Thread-safe: reconciles run concurrently.
 */
public final class ExpiringCache<K, V> {
  private record Entry<V>(V value, Instant expiresAt) {}

  private final Clock clock;
  private final Duration ttl;
  private final Map<K, Entry<V>> entries;

  public ExpiringCache(Clock clock, Duration ttl, int maxSize) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive");
    }
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize must be at least 1");
    }
    this.clock = clock;
    this.ttl = ttl;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
            return size() > maxSize;
          }
        };
  }

  public synchronized Optional<V> get(K key) {
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(entry.expiresAt())) {
      entries.remove(key);
      return Optional.empty();
    }
    return Optional.of(entry.value());
  }

  public synchronized void put(K key, V value) {
    entries.put(key, new Entry<>(value, clock.instant().plus(ttl)));
  }

  /**
   * The cached value, or the loader's answer, which is cached when present. The loader runs outside
   * the lock (it calls AWS); two concurrent misses may both load, and the later answer wins.
   */
  public Optional<V> get(K key, Function<K, Optional<V>> loader) {
    Optional<V> cached = get(key);
    if (cached.isPresent()) {
      return cached;
    }
    Optional<V> loaded = loader.apply(key);
    loaded.ifPresent(v -> put(key, v));
    return loaded;
  }

  public synchronized void invalidate(K key) {
    entries.remove(key);
  }

  public synchronized void clear() {
    entries.clear();
  }

  /** Entries held, expired ones included until they are next read. */
  public synchronized int size() {
    return entries.size();
  }
}
