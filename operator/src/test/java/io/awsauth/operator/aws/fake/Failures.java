package io.awsauth.operator.aws.fake;

import io.awsauth.operator.api.v1alpha1.AwsReason;
import io.awsauth.operator.aws.AwsFailure;
import io.awsauth.operator.aws.sdk.AwsErrors;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The failure switches and call counts of the fakes, per operation ({@code iam:CreateUser}, {@code
 * sts:AssumeRole}, ...): a test makes an operation fail once, a few times or until cleared, and
 * asserts how often an operation was called.
 */
public final class Failures {
  private final Map<String, Deque<AwsFailure>> queued = new HashMap<>();
  private final Map<String, AwsFailure> always = new HashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  /** The next call of {@code operation} throws {@code failure} (queued after earlier ones). */
  public synchronized Failures once(String operation, AwsFailure failure) {
    queued.computeIfAbsent(operation, k -> new ArrayDeque<>()).add(failure);
    return this;
  }

  /** Every call of {@code operation} throws {@code failure} until {@link #clear}. */
  public synchronized Failures always(String operation, AwsFailure failure) {
    always.put(operation, failure);
    return this;
  }

  public synchronized void clear() {
    queued.clear();
    always.clear();
  }

  /** How often {@code operation} was called, failed calls included. */
  public int calls(String operation) {
    AtomicInteger n = calls.get(operation);
    return n == null ? 0 : n.get();
  }

  /** How many calls were made of the operations whose names start with {@code prefix} ("iam:"). */
  public int callsOf(String prefix) {
    return calls.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToInt(e -> e.getValue().get())
        .sum();
  }

  /** Counts the call, then throws when a switch is on for it. */
  synchronized void call(String operation) {
    calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
    Deque<AwsFailure> next = queued.get(operation);
    if (next != null && !next.isEmpty()) {
      throw next.poll();
    }
    AwsFailure failure = always.get(operation);
    if (failure != null) {
      throw failure;
    }
  }

  /** A throttling error, as {@code AwsErrors} classifies it: transient. */
  public static AwsFailure throttled(String operation) {
    return new AwsFailure(
        operation,
        AwsFailure.Kind.TRANSIENT,
        "Throttling",
        AwsReason.AwsUnavailable,
        operation + ": Rate exceeded",
        null);
  }

  /** An AccessDenied error, terminal. */
  public static AwsFailure accessDenied(String operation) {
    return new AwsFailure(
        operation,
        AwsFailure.Kind.TERMINAL,
        "AccessDenied",
        AwsReason.AccessDenied,
        operation + ": not authorized",
        null);
  }

  static AwsFailure terminal(String code, String message) {
    return new AwsFailure(
        AwsFailure.Kind.TERMINAL, code, AwsErrors.terminalReason(code), message, null);
  }
}
