package io.awsauth.operator.aws.fake;

import io.awsauth.operator.aws.CallerIdentity;
import io.awsauth.operator.aws.SessionCredentials;
import io.awsauth.operator.aws.StsGateway;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * STS in memory, for unit tests: every call issues fresh temporary credentials ({@code
 * ASIAFAKE...}) expiring after the asked duration; the caller is {@code callerArn}. Every call goes
 * through {@link #failures()}.
 */
public final class FakeSts implements StsGateway {
  private final String account;
  private final Clock clock;
  private final Failures failures = new Failures();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile String callerArn;
  private final List<RoleSession> assumed = new CopyOnWriteArrayList<>();

  public FakeSts(String account, String callerArn, Clock clock) {
    this.account = account;
    this.callerArn = callerArn;
    this.clock = clock;
  }

  public Failures failures() {
    return failures;
  }

  /** Every sts:AssumeRole asked, refused ones included, in order. */
  public List<RoleSession> assumeRoleRequests() {
    return List.copyOf(assumed);
  }

  public void setCallerArn(String arn) {
    this.callerArn = arn;
  }

  @Override
  public CallerIdentity getCallerIdentity() {
    failures.call("sts:GetCallerIdentity");
    return new CallerIdentity(account, callerArn, "AIDAFAKECALLER");
  }

  @Override
  public IssuedSession assumeRole(RoleSession request) {
    assumed.add(request);
    failures.call("sts:AssumeRole");
    String roleName = request.roleArn().substring(request.roleArn().lastIndexOf('/') + 1);
    String accountOfRole = request.roleArn().split(":")[4];
    return new IssuedSession(
        session(request.durationSeconds()),
        "arn:aws:sts::"
            + accountOfRole
            + ":assumed-role/"
            + roleName
            + "/"
            + request.sessionName());
  }

  @Override
  public IssuedSession getFederationToken(
      String name,
      Optional<String> policy,
      List<String> policyArns,
      Map<String, String> tags,
      int durationSeconds) {
    failures.call("sts:GetFederationToken");
    return new IssuedSession(
        session(durationSeconds), "arn:aws:sts::" + account + ":federated-user/" + name);
  }

  @Override
  public SessionCredentials getSessionToken(int durationSeconds) {
    failures.call("sts:GetSessionToken");
    return session(durationSeconds);
  }

  private SessionCredentials session(int seconds) {
    String n = String.format("%012d", ids.incrementAndGet());
    return new SessionCredentials(
        "ASIAFAKE" + n, "secret-" + n, "token-" + n, clock.instant().plusSeconds(seconds));
  }
}
