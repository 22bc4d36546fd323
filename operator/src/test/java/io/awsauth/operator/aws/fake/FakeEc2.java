package io.awsauth.operator.aws.fake;

import io.awsauth.operator.aws.Ec2Gateway;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** EC2 in memory, for unit tests: the instances a test puts. */
public final class FakeEc2 implements Ec2Gateway {
  private final Failures failures = new Failures();
  private final Map<String, Instance> instances = new ConcurrentHashMap<>();

  public Failures failures() {
    return failures;
  }

  public void put(Instance instance) {
    instances.put(instance.instanceId(), instance);
  }

  public void remove(String instanceId) {
    instances.remove(instanceId);
  }

  @Override
  public Optional<Instance> describeInstance(String instanceId) {
    failures.call("ec2:DescribeInstances");
    return Optional.ofNullable(instances.get(instanceId));
  }
}
