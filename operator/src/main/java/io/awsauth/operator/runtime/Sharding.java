package io.awsauth.operator.runtime;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which AwsCredentialRequests this operator reconciles when requests are split across Deployments
 * (docs/sharding.md): every shard is given the same list of shard names ({@code aao.shard.names})
 * and its own ({@code aao.shard.name}). A request belongs to the shard its label {@value #LABEL}
 * names; the first shard also takes every request without the label or naming no listed shard, so
 * that each request belongs to exactly one shard. The first shard alone reconciles the
 * cluster-scoped kinds (AwsAuthConfig, VaultAwsRole, StsRoleBinding) and runs the cluster-wide
 * sweeps; each shard holds a Lease of its own.
 *
 * <p>Not sharded (no name): one operator reconciles everything, as before.
 */
public record Sharding(Optional<String> name, List<String> names) {
  /** The label of a request that names its shard. */
  public static final String LABEL = "awsauth.io/shard";

  /** A label value (what the API server accepts), not empty. */
  private static final Pattern LABEL_VALUE =
      Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

  public Sharding {
    names = List.copyOf(names);
  }

  /** One operator for everything. */
  public static Sharding none() {
    return new Sharding(Optional.empty(), List.of());
  }

  /**
   * The shard {@code name} of {@code names}; both empty: not sharded.
   *
   * @throws IllegalArgumentException when the two do not describe one shard of a valid list
   */
  public static Sharding of(Optional<String> name, List<String> names) {
    Optional<String> shard = name.map(String::trim).filter(n -> !n.isEmpty());
    List<String> all = new ArrayList<>();
    names.stream().map(String::trim).filter(n -> !n.isEmpty()).forEach(all::add);
    if (shard.isEmpty()) {
      if (!all.isEmpty()) {
        throw new IllegalArgumentException(
            "aao.shard.names is set ("
                + all
                + ") but aao.shard.name, this replica's shard, is not");
      }
      return none();
    }
    if (all.isEmpty()) {
      throw new IllegalArgumentException(
          "aao.shard.name is " + shard.get() + " but aao.shard.names, every shard, is not set");
    }
    for (String n : all) {
      if (!LABEL_VALUE.matcher(n).matches()) {
        throw new IllegalArgumentException(
            "shard name '" + n + "' is not a label value (at most 63 of [A-Za-z0-9-_.])");
      }
    }
    if (new HashSet<>(all).size() != all.size()) {
      throw new IllegalArgumentException("aao.shard.names lists a shard twice: " + all);
    }
    if (!all.contains(shard.get())) {
      throw new IllegalArgumentException(
          "aao.shard.name " + shard.get() + " is not one of aao.shard.names " + all);
    }
    return new Sharding(shard, all);
  }

  public boolean sharded() {
    return name.isPresent();
  }

  /** Whether this is the first shard (or there are no shards): it takes the unlabelled requests. */
  public boolean first() {
    return name.isEmpty() || name.get().equals(names.get(0));
  }

  /**
   * Whether this operator reconciles the cluster-scoped kinds and runs the cluster-wide sweeps
   * (orphaned IAM users, deny-policy pruning): the first shard only, so that one writer keeps their
   * status and one sweeper lists IAM.
   */
  public boolean runsClusterWork() {
    return first();
  }

  /**
   * The label selector of this shard's requests; empty: every request (not sharded, or one shard).
   */
  public Optional<String> requestSelector() {
    if (name.isEmpty() || names.size() == 1) {
      return Optional.empty();
    }
    if (!first()) {
      return Optional.of(LABEL + "=" + name.get());
    }
    return Optional.of(LABEL + " notin (" + String.join(",", names.subList(1, names.size())) + ")");
  }

  /**
   * Whether a request with these labels is this shard's (what {@link #requestSelector} selects).
   */
  public boolean owns(Map<String, String> labels) {
    if (name.isEmpty()) {
      return true;
    }
    String value = labels == null ? null : labels.get(LABEL);
    if (value != null && !value.equals(names.get(0)) && names.contains(value)) {
      return value.equals(name.get());
    }
    return first();
  }

  /** {@code selector} narrowed to this shard's requests (label selectors AND by a comma). */
  public Optional<String> narrow(String selector) {
    Optional<String> own = requestSelector();
    if (selector == null || selector.isBlank()) {
      return own;
    }
    return Optional.of(own.map(s -> selector + "," + s).orElse(selector));
  }

  /** The Lease a replica of this shard competes for: one per shard, so shards never wait. */
  public String leaseName(String base) {
    return name.map(n -> base + "-" + n).orElse(base);
  }

  @Override
  public String toString() {
    return name.map(n -> "shard " + n + " of " + names).orElse("not sharded");
  }
}
