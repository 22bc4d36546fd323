package io.awsauth.operator.identity.iam;

import java.util.regex.Pattern;

/**
 * What an AWS lookup about a principal is cached under: its account and its unique ID ({@code
 * AIDA...} for a user, {@code AROA...} for a role). Never a name: a user or role that is deleted
 * and created again under the same name gets a new unique ID, so an answer cached for the old one
 * can never be served for the new one.
 */
public record PrincipalKey(String accountId, String uniqueId) {
  private static final Pattern ACCOUNT = Pattern.compile("^[0-9]{12}$");

  /** AWS unique IDs are upper-case letters and digits; emulators use the same alphabet. */
  private static final Pattern UNIQUE_ID = Pattern.compile("^[A-Za-z0-9]{1,128}$");

  public PrincipalKey {
    if (accountId == null || !ACCOUNT.matcher(accountId).matches()) {
      throw new IllegalArgumentException("account ID must be 12 digits");
    }
    if (uniqueId == null || !UNIQUE_ID.matcher(uniqueId).matches()) {
      throw new IllegalArgumentException("unique ID must be letters and digits");
    }
  }

  /**
   * The key of a GetCallerIdentity answer: its {@code UserId} is the unique ID, followed for a
   * session by {@code :<session name>}, which is not part of the principal.
   */
  public static PrincipalKey ofCaller(String accountId, String userId) {
    if (userId == null) {
      throw new IllegalArgumentException("unique ID must be letters and digits");
    }
    int colon = userId.indexOf(':');
    return new PrincipalKey(accountId, colon < 0 ? userId : userId.substring(0, colon));
  }
}
