package io.awsauth.operator.trust;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.awsauth.operator.api.v1alpha1.CredentialType;
import io.awsauth.operator.api.v1alpha1.TrustGap;
import io.awsauth.operator.api.v1alpha1.VaultAwsRole;
import io.awsauth.operator.api.v1alpha1.VaultAwsRoleSpec;
import io.awsauth.operator.aws.Arns;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Whether a target role's trust policy lets a principal say who holds the sessions it opens of the
 * role: sts:SetSourceIdentity and sts:TagSession beside sts:AssumeRole. Pure: read off the policy
 * document, the way IAM matches principals and actions.
 *
 * <p>An Allow's conditions are taken to hold: the check answers whether some statement could allow
 * the action (a condition the request does not meet is AWS's to refuse; the operator then issues
 * without the identity and says so on the request). A Deny that takes in the principal and the
 * action counts whatever its conditions. An Allow with {@code NotPrincipal} is not read as
 * admitting anyone; a Deny with {@code NotPrincipal} applies to every principal it does not name.
 */
public final class SessionIdentityTrust {
  /** The condition, on VaultAwsRoles and StsRoleBindings, this check sets. */
  public static final String CONDITION = "SessionIdentity";

  /** The actions that name the holder of a session, in the order a message lists them. */
  public static final List<String> ACTIONS = List.of("sts:SetSourceIdentity", "sts:TagSession");

  private SessionIdentityTrust() {}

  /**
   * What an StsRoleBinding shows of the target roles in its account: the gaps that the assumed_role
   * VaultAwsRoles of its AwsAuthConfig found there (once per roleArn, in order), or empty when none
   * of them names a role in the account.
   */
  public static Optional<List<TrustGap>> gapsIn(
      String accountId, String configName, Collection<VaultAwsRole> roles) {
    boolean targeted = false;
    Map<String, TrustGap> gaps = new TreeMap<>();
    for (VaultAwsRole role : roles) {
      if (!accountsOf(role, configName).contains(accountId)) {
        continue;
      }
      targeted = true;
      if (role.getStatus() != null && role.getStatus().sessionIdentityGaps != null) {
        for (TrustGap gap : role.getStatus().sessionIdentityGaps) {
          if (accountId.equals(Arns.accountId(gap.roleArn))) {
            gaps.putIfAbsent(gap.roleArn, gap);
          }
        }
      }
    }
    return targeted ? Optional.of(List.copyOf(gaps.values())) : Optional.empty();
  }

  /** The accounts of an assumed_role VaultAwsRole's roleArns, when it is on {@code configName}. */
  public static Set<String> accountsOf(VaultAwsRole role, String configName) {
    VaultAwsRoleSpec spec = role.getSpec();
    if (spec == null
        || spec.credentialType != CredentialType.ASSUMED_ROLE
        || spec.roleArns == null
        || !configName.equals(spec.authConfigRef)) {
      return Set.of();
    }
    return spec.roleArns.stream().map(Arns::accountId).collect(Collectors.toSet());
  }

  /**
   * The actions of {@link #ACTIONS} that {@code trustPolicy} does not allow {@code principalArn}
   * (an IAM user or role ARN, as a trust policy names it): empty when sessions can carry the
   * workload's identity.
   *
   * @throws IllegalArgumentException when the document is not a JSON policy
   */
  public static List<String> missing(String trustPolicy, String principalArn) {
    JsonNode doc;
    try {
      doc = TrustPolicies.JSON.readTree(trustPolicy);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the trust policy is not valid JSON", e);
    }
    List<JsonNode> statements = new ArrayList<>();
    JsonNode s = doc.path("Statement");
    if (s.isArray()) {
      s.forEach(statements::add);
    } else if (s.isObject()) {
      statements.add(s);
    }
    List<String> missing = new ArrayList<>();
    for (String action : ACTIONS) {
      boolean allowed = false;
      boolean denied = false;
      for (JsonNode statement : statements) {
        if (!appliesTo(statement, principalArn) || !covers(statement, action)) {
          continue;
        }
        if ("Deny".equals(statement.path("Effect").asText())) {
          denied = true;
        } else if ("Allow".equals(statement.path("Effect").asText())) {
          allowed = true;
        }
      }
      if (!allowed || denied) {
        missing.add(action);
      }
    }
    return List.copyOf(missing);
  }

  /** Whether the statement's Principal (or, for a Deny, NotPrincipal) takes in the principal. */
  private static boolean appliesTo(JsonNode statement, String principalArn) {
    if (statement.has("Principal")) {
      return names(statement.get("Principal"), principalArn);
    }
    if (statement.has("NotPrincipal") && "Deny".equals(statement.path("Effect").asText())) {
      return !names(statement.get("NotPrincipal"), principalArn);
    }
    return false;
  }

  /**
   * Whether a principal element names the principal: {@code "*"}, or its AWS entry is {@code "*"},
   * the principal's own ARN (paths aside), or its account (the account ID or its root ARN).
   */
  private static boolean names(JsonNode principal, String principalArn) {
    if (principal.isTextual()) {
      return "*".equals(principal.asText());
    }
    List<String> aws = new ArrayList<>();
    JsonNode entry = principal.path("AWS");
    if (entry.isTextual()) {
      aws.add(entry.asText());
    } else if (entry.isArray()) {
      entry.forEach(e -> aws.add(e.asText()));
    }
    String account = accountOf(principalArn);
    String self = withoutPath(principalArn);
    for (String name : aws) {
      if (name.equals("*")
          || name.equals(account)
          || (name.endsWith(":root") && account.equals(accountOf(name)))
          || withoutPath(name).equals(self)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the statement's Action (or NotAction) takes in the action, IAM's wildcards honoured.
   */
  private static boolean covers(JsonNode statement, String action) {
    if (statement.has("Action")) {
      return anyMatches(statement.get("Action"), action);
    }
    if (statement.has("NotAction")) {
      return !anyMatches(statement.get("NotAction"), action);
    }
    return false;
  }

  private static boolean anyMatches(JsonNode patterns, String action) {
    List<String> list = new ArrayList<>();
    if (patterns.isTextual()) {
      list.add(patterns.asText());
    } else if (patterns.isArray()) {
      patterns.forEach(p -> list.add(p.asText()));
    }
    String lower = action.toLowerCase(Locale.ROOT);
    for (String p : list) {
      if (glob(p.toLowerCase(Locale.ROOT)).matcher(lower).matches()) {
        return true;
      }
    }
    return false;
  }

  /** IAM's action wildcards: {@code *} any run of characters, {@code ?} one character. */
  private static Pattern glob(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }

  private static String accountOf(String arn) {
    String[] parts = arn.split(":", 6);
    return parts.length == 6 ? parts[4] : "";
  }

  /** A user or role ARN without its path: IAM names are unique in an account, paths aside. */
  private static String withoutPath(String arn) {
    String[] parts = arn.split(":", 6);
    if (parts.length < 6) {
      return arn;
    }
    String resource = parts[5];
    int slash = resource.indexOf('/');
    int last = resource.lastIndexOf('/');
    if (slash < 0) {
      return arn;
    }
    return String.join(":", parts[0], parts[1], parts[2], parts[3], parts[4], "")
        + resource.substring(0, slash)
        + resource.substring(last);
  }
}
