package io.awsauth.operator.identity.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.identity.BindingDecision;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ec2BindingsTest {
  private static final String PROFILE = "arn:aws:iam::111111111111:instance-profile/nodes/eks-node";
  private static final String ROLE = "arn:aws:iam::111111111111:role/nodes/eks-node-role";

  private static Ec2Instance instance(String state) {
    return new Ec2Instance(
        "111111111111",
        "us-east-1",
        "i-0123456789abcdef0",
        state,
        "vpc-0a1b2c3d",
        "subnet-0a1b2c3d",
        "ami-0a1b2c3d",
        PROFILE,
        List.of(ROLE));
  }

  private static RoleBindings with(Consumer<RoleBindings> set) {
    RoleBindings b = new RoleBindings();
    set.accept(b);
    return b;
  }

  private static String deniedBinding(BindingDecision decision) {
    return ((BindingDecision.Denied) decision).binding();
  }

  @Test
  void runningInstanceMatchingEveryList() {
    RoleBindings b =
        with(
            r -> {
              r.accountIds = List.of("111111111111");
              r.regions = List.of("eu-west-1", "us-east-1");
              r.vpcIds = List.of("vpc-0a1b2c3d");
              r.subnetIds = List.of("subnet-0a1b2c3d");
              r.amiIds = List.of("ami-0a1b2c3d");
              r.ec2InstanceIds = List.of("i-0123456789abcdef0");
              r.iamInstanceProfileArns =
                  List.of("arn:aws:iam::111111111111:instance-profile/nodes/*");
              r.iamRoleArns = List.of(ROLE);
            });
    assertThat(Ec2Bindings.match(b, instance("running")).allowed()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"pending", "stopping", "stopped", "shutting-down", "terminated", ""})
  void onlyRunningInstancesAreAdmitted(String state) {
    BindingDecision decision = Ec2Bindings.match(new RoleBindings(), instance(state));
    assertThat(deniedBinding(decision)).isEqualTo("instance.state");
    assertThat(Ec2Bindings.match(null, instance(state)).allowed()).isFalse();
  }

  @Test
  void eachListIsCheckedAndNamedWhenItFails() {
    Ec2Instance i = instance("running");
    assertThat(
            deniedBinding(Ec2Bindings.match(with(r -> r.accountIds = List.of("222222222222")), i)))
        .isEqualTo("bindings.accountIds");
    assertThat(deniedBinding(Ec2Bindings.match(with(r -> r.regions = List.of("us-east-2")), i)))
        .isEqualTo("bindings.regions");
    assertThat(deniedBinding(Ec2Bindings.match(with(r -> r.vpcIds = List.of("vpc-ffffffff")), i)))
        .isEqualTo("bindings.vpcIds");
    assertThat(
            deniedBinding(
                Ec2Bindings.match(with(r -> r.subnetIds = List.of("subnet-ffffffff")), i)))
        .isEqualTo("bindings.subnetIds");
    assertThat(deniedBinding(Ec2Bindings.match(with(r -> r.amiIds = List.of("ami-ffffffff")), i)))
        .isEqualTo("bindings.amiIds");
    assertThat(
            deniedBinding(
                Ec2Bindings.match(with(r -> r.ec2InstanceIds = List.of("i-0fffffffffffffff0")), i)))
        .isEqualTo("bindings.ec2InstanceIds");
    assertThat(
            deniedBinding(
                Ec2Bindings.match(
                    with(
                        r ->
                            r.iamInstanceProfileArns =
                                List.of("arn:aws:iam::111111111111:instance-profile/other")),
                    i)))
        .isEqualTo("bindings.iamInstanceProfileArns");
    assertThat(
            deniedBinding(
                Ec2Bindings.match(
                    with(r -> r.iamRoleArns = List.of("arn:aws:iam::111111111111:role/other")), i)))
        .isEqualTo("bindings.iamRoleArns");
  }

  @Test
  void oneFailingListDeniesEvenWhenOthersMatch() {
    RoleBindings b =
        with(
            r -> {
              r.regions = List.of("us-east-1");
              r.vpcIds = List.of("vpc-0a1b2c3d");
              r.amiIds = List.of("ami-ffffffff");
            });
    assertThat(Ec2Bindings.match(b, instance("running")))
        .isEqualTo(
            new BindingDecision.Denied(
                "bindings.amiIds", "ami-0a1b2c3d does not match any of [ami-ffffffff]"));
  }

  @Test
  void instanceProfileArnsAreExactOrPrefixWithAStar() {
    Ec2Instance i = instance("running");
    for (String ok :
        List.of(
            PROFILE,
            "arn:aws:iam::111111111111:instance-profile/nodes/*",
            "arn:aws:iam::111111111111:instance-profile/nodes/eks*",
            "arn:aws:iam::111111111111:instance-profile/*")) {
      assertThat(Ec2Bindings.match(with(r -> r.iamInstanceProfileArns = List.of(ok)), i).allowed())
          .as(ok)
          .isTrue();
    }
    for (String no :
        List.of(
            // Without a star, a prefix is not enough (Vault's current rule).
            "arn:aws:iam::111111111111:instance-profile/nodes/eks",
            "arn:aws:iam::111111111111:instance-profile/eks-node",
            "arn:aws-us-gov:iam::111111111111:instance-profile/*",
            "arn:aws:iam::222222222222:instance-profile/*",
            "arn:aws:iam::111111111111:role/*")) {
      assertThat(Ec2Bindings.match(with(r -> r.iamInstanceProfileArns = List.of(no)), i).allowed())
          .as(no)
          .isFalse();
    }
  }

  @Test
  void roleArnsMatchAnyRoleOfTheProfile() {
    Ec2Instance i =
        new Ec2Instance(
            "111111111111",
            "us-east-1",
            "i-0123456789abcdef0",
            "running",
            null,
            null,
            null,
            PROFILE,
            List.of("arn:aws:iam::111111111111:role/a", ROLE));
    assertThat(
            Ec2Bindings.match(
                    with(r -> r.iamRoleArns = List.of("arn:aws:iam::111111111111:role/nodes/*")), i)
                .allowed())
        .isTrue();
    assertThat(
            Ec2Bindings.match(
                    with(
                        r ->
                            r.iamRoleArns =
                                List.of("arn:aws:iam::111111111111:role/eks-node-role")),
                    i)
                .allowed())
        .isFalse();
  }

  @Test
  void anInstanceWithoutProfileFailsProfileAndRoleBindings() {
    Ec2Instance bare =
        new Ec2Instance(
            "111111111111",
            "us-east-1",
            "i-0123456789abcdef0",
            "running",
            "vpc-0a1b2c3d",
            "subnet-0a1b2c3d",
            "ami-0a1b2c3d",
            null,
            null);
    assertThat(
            deniedBinding(
                Ec2Bindings.match(
                    with(
                        r ->
                            r.iamInstanceProfileArns =
                                List.of("arn:aws:iam::111111111111:instance-profile/*")),
                    bare)))
        .isEqualTo("bindings.iamInstanceProfileArns");
    BindingDecision roles =
        Ec2Bindings.match(
            with(r -> r.iamRoleArns = List.of("arn:aws:iam::111111111111:role/*")), bare);
    assertThat(roles)
        .isEqualTo(
            new BindingDecision.Denied(
                "bindings.iamRoleArns", "the instance has no instance profile role"));
    assertThat(Ec2Bindings.match(with(r -> r.vpcIds = List.of()), bare).allowed()).isTrue();
  }

  @Test
  void missingFactsAreDeniedWhenTheirListIsSet() {
    Ec2Instance noVpc =
        new Ec2Instance(
            "111111111111",
            "us-east-1",
            "i-0123456789abcdef0",
            "running",
            null,
            null,
            null,
            null,
            List.of());
    assertThat(
            deniedBinding(Ec2Bindings.match(with(r -> r.vpcIds = List.of("vpc-0a1b2c3d")), noVpc)))
        .isEqualTo("bindings.vpcIds");
  }

  @Test
  void idsCompareExactly() {
    Ec2Instance i = instance("running");
    assertThat(Ec2Bindings.match(with(r -> r.vpcIds = List.of("VPC-0A1B2C3D")), i).allowed())
        .isFalse();
    assertThat(
            Ec2Bindings.match(with(r -> r.ec2InstanceIds = List.of("i-0123456789abcdef")), i)
                .allowed())
        .isFalse();
  }
}
