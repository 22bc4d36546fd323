package io.awsauth.operator.identity.ec2;

import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.identity.BindingDecision;
import io.awsauth.operator.identity.BindingMatcher;
import io.awsauth.operator.identity.SafeText;
import java.util.List;

/**
 * A role's bindings against the EC2 instance behind a request, by {@link BindingMatcher}'s rules.
 */
public final class Ec2Bindings {
  private Ec2Bindings() {}

  /** The EC2 instance behind the request's node (authType ec2); it must be running. */
  public static BindingDecision match(RoleBindings bindings, Ec2Instance instance) {
    if (!Ec2Instance.RUNNING.equals(instance.state())) {
      return new BindingDecision.Denied(
          "instance.state",
          "instance "
              + SafeText.of(instance.instanceId())
              + " is "
              + SafeText.of(instance.state())
              + ", not running");
    }
    if (bindings == null) {
      return BindingDecision.ALLOWED;
    }
    return BindingMatcher.check(
            "bindings.accountIds", bindings.accountIds, instance.accountId(), String::equals)
        .and(
            () ->
                BindingMatcher.check(
                    "bindings.regions", bindings.regions, instance.region(), String::equals))
        .and(
            () ->
                BindingMatcher.check(
                    "bindings.vpcIds", bindings.vpcIds, instance.vpcId(), String::equals))
        .and(
            () ->
                BindingMatcher.check(
                    "bindings.subnetIds", bindings.subnetIds, instance.subnetId(), String::equals))
        .and(
            () ->
                BindingMatcher.check(
                    "bindings.amiIds", bindings.amiIds, instance.amiId(), String::equals))
        .and(
            () ->
                BindingMatcher.check(
                    "bindings.ec2InstanceIds",
                    bindings.ec2InstanceIds,
                    instance.instanceId(),
                    String::equals))
        .and(
            () ->
                BindingMatcher.check(
                    "bindings.iamInstanceProfileArns",
                    bindings.iamInstanceProfileArns,
                    instance.iamInstanceProfileArn(),
                    BindingMatcher::boundArn))
        .and(() -> instanceRoles(bindings.iamRoleArns, instance.iamRoleArns()));
  }

  private static BindingDecision instanceRoles(List<String> bound, List<String> roleArns) {
    if (BindingMatcher.unset(bound)) {
      return BindingDecision.ALLOWED;
    }
    if (roleArns.isEmpty()) {
      return new BindingDecision.Denied(
          "bindings.iamRoleArns", "the instance has no instance profile role");
    }
    for (String role : roleArns) {
      if (bound.stream().anyMatch(b -> BindingMatcher.boundArn(b, role))) {
        return BindingDecision.ALLOWED;
      }
    }
    return BindingMatcher.denied("bindings.iamRoleArns", String.join(", ", roleArns), bound);
  }
}
