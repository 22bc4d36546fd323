package io.awsauth.operator.testenv;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.RoleBindings;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import software.amazon.awssdk.services.iam.IamClient;

/** The roles the reliability suites issue from: one of every credential type. */
public final class SuiteRoles {
  /** The inline policy of the suites' roles (session_token takes none). */
  public static final String EC2_ALL =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\","
          + "\"Resource\":\"*\"}]}";

  private SuiteRoles() {}

  /**
   * An IAM role in account A that the account trusts: what assumed_role requests assume. Returns
   * its ARN.
   */
  public static String targetRole(TestEnvironment env, String name, int maxSessionSeconds) {
    try (IamClient iam = Aws.iam(env, env.accountA())) {
      iam.createRole(
          r ->
              r.roleName(name)
                  .maxSessionDuration(maxSessionSeconds)
                  .assumeRolePolicyDocument(
                      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                          + "\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:root\"},"
                          // (as docs/api.md asks of a target role: the operator names the
                          // session's holder, SourceIdentity and tags)
                          + "\"Action\":[\"sts:AssumeRole\",\"sts:SetSourceIdentity\","
                          + "\"sts:TagSession\"]}]}"));
    }
    return "arn:aws:iam::111111111111:role/" + name;
  }

  /**
   * Creates one VaultAwsRole per credential type, named by {@code name}, labelled, bound to
   * namespace {@code namespace}, issuing through {@code authConfig}: an ec2:* inline policy (not
   * for session_token) and {@code targetRoleArn} for assumed_role; {@code customize} adds to a
   * role's spec before it is created. Returns the names by type.
   */
  public static Map<CredentialType, String> everyType(
      KubernetesClient client,
      Function<CredentialType, String> name,
      Map<String, String> labels,
      String authConfig,
      String namespace,
      String targetRoleArn,
      BiConsumer<CredentialType, VaultAwsRoleSpec> customize) {
    Map<CredentialType, String> roles = new EnumMap<>(CredentialType.class);
    for (CredentialType type : CredentialType.values()) {
      VaultAwsRole role = new VaultAwsRole();
      role.setMetadata(
          new ObjectMetaBuilder().withName(name.apply(type)).withLabels(labels).build());
      VaultAwsRoleSpec spec = new VaultAwsRoleSpec();
      spec.credentialType = type;
      spec.authConfigRef = authConfig;
      spec.bindings = new RoleBindings();
      spec.bindings.namespaces = List.of(namespace);
      if (type != CredentialType.SESSION_TOKEN) {
        try {
          spec.policyDocument = (ObjectNode) new ObjectMapper().readTree(EC2_ALL);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new UncheckedIOException(e);
        }
      }
      if (type == CredentialType.ASSUMED_ROLE) {
        spec.roleArns = List.of(targetRoleArn);
      }
      customize.accept(type, spec);
      role.setSpec(spec);
      client.resource(role).create();
      roles.put(type, role.getMetadata().getName());
    }
    return roles;
  }
}
