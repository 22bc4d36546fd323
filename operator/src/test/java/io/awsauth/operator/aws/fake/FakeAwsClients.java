package io.awsauth.operator.aws.fake;

import io.awsauth.operator.aws.AwsClientSettings;
import io.awsauth.operator.aws.AwsClients;
import io.awsauth.operator.aws.AwsCredentials;
import io.awsauth.operator.aws.Ec2Gateway;
import io.awsauth.operator.aws.IamGateway;
import io.awsauth.operator.aws.StsGateway;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * One AWS account in memory behind the {@link AwsClients} port, the way Flink's test {@code
 * FlinkService} stands in for a cluster: whatever the settings, calls reach the same {@link
 * FakeIam}, {@link FakeSts} and {@link FakeEc2}. It remembers which credentials each call was made
 * with, so that a test can check that a fresh key was proven with that key.
 */
public final class FakeAwsClients implements AwsClients {
  public static final String ACCOUNT = "111122223333";

  private final FakeIam iam;
  private final FakeSts sts;
  private final FakeEc2 ec2 = new FakeEc2();
  private final List<AwsCredentials> usedCredentials = new CopyOnWriteArrayList<>();
  private final List<FakeRoleSession> sessions = new CopyOnWriteArrayList<>();

  public FakeAwsClients(Clock clock) {
    this.iam = new FakeIam(ACCOUNT, clock);
    this.sts = new FakeSts(ACCOUNT, "arn:aws:iam::" + ACCOUNT + ":user/operator", clock);
  }

  public FakeIam fakeIam() {
    return iam;
  }

  public FakeSts fakeSts() {
    return sts;
  }

  public FakeEc2 fakeEc2() {
    return ec2;
  }

  /** The credentials of every client asked for, in order. */
  public List<AwsCredentials> usedCredentials() {
    return List.copyOf(usedCredentials);
  }

  public List<FakeRoleSession> roleSessions() {
    return List.copyOf(sessions);
  }

  @Override
  public StsGateway sts(AwsClientSettings settings) {
    usedCredentials.add(settings.credentials());
    return sts;
  }

  @Override
  public IamGateway iam(AwsClientSettings settings) {
    usedCredentials.add(settings.credentials());
    return iam;
  }

  @Override
  public Ec2Gateway ec2(AwsClientSettings settings, String region) {
    usedCredentials.add(settings.credentials());
    return ec2;
  }

  @Override
  public <T> T withSts(AwsClientSettings settings, Function<StsGateway, T> call) {
    usedCredentials.add(settings.credentials());
    return call.apply(sts);
  }

  @Override
  public AwsCredentials.RoleSession assumedRole(
      AwsClientSettings base, String roleArn, String sessionName, Optional<String> externalId) {
    FakeRoleSession session = new FakeRoleSession(roleArn);
    sessions.add(session);
    return session;
  }

  /** A role session; records whether it was closed. */
  public static final class FakeRoleSession implements AwsCredentials.RoleSession {
    private final String roleArn;
    private volatile boolean closed;

    FakeRoleSession(String roleArn) {
      this.roleArn = roleArn;
    }

    @Override
    public String roleArn() {
      return roleArn;
    }

    public boolean closed() {
      return closed;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
