package io.awsauth.operator.credential;

import io.awsauth.operator.api.v1alpha1.AwsCredentialRequest;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestReason;
import io.awsauth.operator.api.v1alpha1.AwsCredentialRequestSpec;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.Durations;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.aws.Arns;
import io.awsauth.operator.status.UserError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one lease will be: its type, length, role and session name. A pure function of the request,
 * its role and what is known about the operator's credentials; problems are {@link UserError}s,
 * found before any AWS call.
 */
public record LeaseTerms(
    CredentialType type,
    Duration ttl,
    Optional<String> shortenedBecause,
    Optional<String> roleArn,
    String sessionName,
    String federationName) {

  /** Vault's default lease for IAM users (its system default TTL, 768h). */
  static final Duration IAM_USER_DEFAULT_TTL = Duration.ofHours(768);

  static final Duration STS_DEFAULT_TTL = Duration.ofHours(1);
  static final Duration STS_MIN_TTL = Duration.ofMinutes(15);
  static final Duration ASSUME_ROLE_MAX_TTL = Duration.ofHours(12);
  static final Duration CHAINED_ROLE_MAX_TTL = Duration.ofHours(1);
  static final Duration TOKEN_MAX_TTL = Duration.ofHours(36);
  private static final int MAX_SESSION_NAME = 64;
  private static final int MAX_FEDERATION_NAME = 32;

  /**
   * @param operatorAccountId the account of the operator's own identity
   * @param operatorUsesSessionCredentials whether that identity is itself an assumed role or a
   *     session: then every AssumeRole is a chained one
   */
  public static LeaseTerms of(
      AwsCredentialRequest request,
      VaultAwsRoleSpec role,
      String operatorAccountId,
      boolean operatorUsesSessionCredentials) {
    AwsCredentialRequestSpec spec = request.getSpec();
    Optional<String> roleArn = chooseRoleArn(spec, role);
    boolean chained =
        roleArn.isPresent()
            && (operatorUsesSessionCredentials
                || !Objects.equals(Arns.accountId(roleArn.get()), operatorAccountId));

    Duration requested =
        spec.ttl != null
            ? Durations.parse(spec.ttl)
            : role.defaultTtl != null
                ? Durations.parse(role.defaultTtl)
                : role.credentialType == CredentialType.IAM_USER
                    ? IAM_USER_DEFAULT_TTL
                    : STS_DEFAULT_TTL;
    Duration ttl = requested;
    Optional<String> shortened = Optional.empty();
    if (role.maxTtl != null && ttl.compareTo(Durations.parse(role.maxTtl)) > 0) {
      ttl = Durations.parse(role.maxTtl);
      shortened = Optional.of("the role's maxTtl is " + role.maxTtl);
    }
    Optional<Duration> awsMax = awsMaximum(role.credentialType, chained);
    if (awsMax.isPresent() && ttl.compareTo(awsMax.get()) > 0) {
      ttl = awsMax.get();
      shortened =
          Optional.of(
              chained
                  ? "AWS limits a chained sts:AssumeRole (from another role's session) to 1h"
                  : "AWS allows at most " + Durations.format(awsMax.get()) + " for this type");
    }
    if (role.credentialType != CredentialType.IAM_USER && ttl.compareTo(STS_MIN_TTL) < 0) {
      throw new UserError(
          AwsCredentialRequestReason.TtlOutOfRange,
          "ttl "
              + Durations.format(ttl)
              + " is shorter than the 15m that AWS requires for "
              + role.credentialType.wireName()
              + " credentials");
    }
    if (ttl.isZero()) {
      throw new UserError(AwsCredentialRequestReason.TtlOutOfRange, "ttl must be longer than 0s");
    }
    String session =
        spec.roleSessionName != null
            ? spec.roleSessionName
            : sanitize(
                "aao-"
                    + request.getMetadata().getNamespace()
                    + "-"
                    + request.getMetadata().getName(),
                MAX_SESSION_NAME);
    String federation =
        federationName(request.getMetadata().getNamespace(), request.getMetadata().getName());
    return new LeaseTerms(role.credentialType, ttl, shortened, roleArn, session, federation);
  }

  private static Optional<String> chooseRoleArn(
      AwsCredentialRequestSpec spec, VaultAwsRoleSpec role) {
    List<String> arns = role.roleArns == null ? List.of() : role.roleArns;
    if (role.credentialType != CredentialType.ASSUMED_ROLE) {
      if (spec.roleArn != null) {
        throw new UserError(
            AwsCredentialRequestReason.RoleArnNotInRole,
            "spec.roleArn is only used with assumed_role roles; this role issues "
                + role.credentialType.wireName());
      }
      return Optional.empty();
    }
    if (spec.roleArn == null) {
      if (arns.size() == 1) {
        return Optional.of(arns.get(0));
      }
      throw new UserError(
          AwsCredentialRequestReason.RoleArnRequired,
          "the role has " + arns.size() + " roleArns: choose one with spec.roleArn " + arns);
    }
    if (!arns.contains(spec.roleArn)) {
      throw new UserError(
          AwsCredentialRequestReason.RoleArnNotInRole,
          "spec.roleArn " + spec.roleArn + " is not one of the role's " + arns);
    }
    return Optional.of(spec.roleArn);
  }

  private static Optional<Duration> awsMaximum(CredentialType type, boolean chained) {
    return switch (type) {
      case IAM_USER -> Optional.empty();
      case ASSUMED_ROLE -> Optional.of(chained ? CHAINED_ROLE_MAX_TTL : ASSUME_ROLE_MAX_TTL);
      case FEDERATION_TOKEN, SESSION_TOKEN -> Optional.of(TOKEN_MAX_TTL);
    };
  }

  /**
   * The federated user of a federation_token lease: {@code <namespace>-<name>}, the request it
   * belongs to as CloudTrail shows it; longer than AWS's 32 characters, cut and ended with a hash
   * of both names, so that two requests never share a federated user name.
   */
  static String federationName(String namespace, String name) {
    return fitted(
        sanitize(namespace + "-" + name, Integer.MAX_VALUE),
        MAX_FEDERATION_NAME,
        namespace + "/" + name);
  }

  /**
   * {@code name} when it has at most {@code max} characters; else cut, ended with {@code -} and 8
   * hex digits of SHA-256({@code hashed}), so that two long names that share a start stay apart.
   */
  static String fitted(String name, int max, String hashed) {
    return name.length() <= max ? name : name.substring(0, max - 9) + "-" + sha256Hex(hashed, 4);
  }

  /** The first {@code bytes} bytes of SHA-256({@code text}), in hex. */
  static String sha256Hex(String text, int bytes) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Keeps the characters STS accepts in names ([\w+=,.@-]) and cuts to {@code max}. */
  static String sanitize(String name, int max) {
    String clean = name.replaceAll("[^A-Za-z0-9+=,.@_-]", "-");
    return clean.length() <= max ? clean : clean.substring(0, max);
  }

  /** A short fingerprint of the spec fields a lease is issued for: a change re-issues. */
  public static String fingerprint(AwsCredentialRequestSpec spec) {
    String joined =
        String.join(
                "\n",
                String.valueOf(spec.roleRef),
                String.valueOf(spec.roleArn),
                String.valueOf(spec.roleSessionName),
                String.valueOf(spec.ttl))
            // (only when set, so that leases issued before the field existed keep their
            // fingerprint: the Secret's config names the mount path)
            + (spec.mountPath == null ? "" : "\n" + spec.mountPath);
    return sha256Hex(joined, 8);
  }
}
