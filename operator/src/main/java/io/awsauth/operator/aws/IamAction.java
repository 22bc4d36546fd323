package io.awsauth.operator.aws;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every AWS action the operator calls, and whose identity needs it: the operator's own principal
 * (config/iam/operator-policy.json) or the remote Role-to-Assume of a StsRoleBinding
 * (config/iam/role-to-assume-policy.json). The SDK adapters name one of these for every call, so
 * the policy documents can be checked against what the code really does.
 */
public enum IamAction {
  STS_GET_CALLER_IDENTITY("sts:GetCallerIdentity", Scope.NONE),
  // The operator assumes Roles-to-Assume, and issues assumed_role credentials from its own
  // identity or, for roles in another account, from that account's Role-to-Assume.
  STS_ASSUME_ROLE("sts:AssumeRole", Scope.BOTH),
  // Implied by sts:AssumeRole and sts:GetFederationToken with session tags (sessionTags).
  STS_TAG_SESSION("sts:TagSession", Scope.BOTH),
  // Implied by sts:AssumeRole with a SourceIdentity: every assumed_role session names who holds it.
  STS_SET_SOURCE_IDENTITY("sts:SetSourceIdentity", Scope.BOTH),
  STS_GET_FEDERATION_TOKEN("sts:GetFederationToken", Scope.OPERATOR),
  STS_GET_SESSION_TOKEN("sts:GetSessionToken", Scope.NONE),

  IAM_GET_USER("iam:GetUser", Scope.BOTH),
  IAM_GET_ROLE("iam:GetRole", Scope.BOTH),
  IAM_GET_INSTANCE_PROFILE("iam:GetInstanceProfile", Scope.BOTH),
  EC2_DESCRIBE_INSTANCES("ec2:DescribeInstances", Scope.BOTH),

  // Issued IAM users (iam_user), and the operator's own key (root rotation) and its own
  // sts:AssumeRole allowance.
  IAM_CREATE_USER("iam:CreateUser", Scope.OPERATOR),
  // Implied by iam:CreateUser with tags: every issued user carries ownership tags.
  IAM_TAG_USER("iam:TagUser", Scope.OPERATOR),
  IAM_DELETE_USER("iam:DeleteUser", Scope.OPERATOR),
  IAM_LIST_USERS("iam:ListUsers", Scope.OPERATOR),
  IAM_LIST_USER_TAGS("iam:ListUserTags", Scope.OPERATOR),
  IAM_LIST_USER_POLICIES("iam:ListUserPolicies", Scope.OPERATOR),
  IAM_ATTACH_USER_POLICY("iam:AttachUserPolicy", Scope.OPERATOR),
  IAM_DETACH_USER_POLICY("iam:DetachUserPolicy", Scope.OPERATOR),
  IAM_LIST_ATTACHED_USER_POLICIES("iam:ListAttachedUserPolicies", Scope.OPERATOR),
  IAM_ADD_USER_TO_GROUP("iam:AddUserToGroup", Scope.OPERATOR),
  IAM_REMOVE_USER_FROM_GROUP("iam:RemoveUserFromGroup", Scope.OPERATOR),
  IAM_LIST_GROUPS_FOR_USER("iam:ListGroupsForUser", Scope.OPERATOR),
  // Implied by iam:CreateUser with a permissions boundary.
  IAM_PUT_USER_PERMISSIONS_BOUNDARY("iam:PutUserPermissionsBoundary", Scope.OPERATOR),
  IAM_LIST_ACCESS_KEYS("iam:ListAccessKeys", Scope.OPERATOR),
  IAM_CREATE_ACCESS_KEY("iam:CreateAccessKey", Scope.OPERATOR),
  IAM_DELETE_ACCESS_KEY("iam:DeleteAccessKey", Scope.OPERATOR),
  IAM_PUT_USER_POLICY("iam:PutUserPolicy", Scope.OPERATOR),
  IAM_DELETE_USER_POLICY("iam:DeleteUserPolicy", Scope.OPERATOR),
  // Revoking federation_token sessions: the deny policy on the operator's own user.
  IAM_GET_USER_POLICY("iam:GetUserPolicy", Scope.OPERATOR),
  // Revoking assumed_role sessions: the deny policy aws-auth-operator-revocations on the role, in
  // the role's account (through the StsRoleBinding's Role-to-Assume for another account).
  IAM_GET_ROLE_POLICY("iam:GetRolePolicy", Scope.BOTH),

  // Managing the trust of a Role-to-Assume (with the binding's admin credentials).
  IAM_CREATE_ROLE("iam:CreateRole", Scope.ADMIN),
  IAM_UPDATE_ASSUME_ROLE_POLICY("iam:UpdateAssumeRolePolicy", Scope.ADMIN),
  // (also the binding's admin credentials, for trust.manage's inline policy on the Role-to-Assume)
  IAM_PUT_ROLE_POLICY("iam:PutRolePolicy", Scope.ALL),
  IAM_DELETE_ROLE_POLICY("iam:DeleteRolePolicy", Scope.ALL),
  IAM_DELETE_ROLE("iam:DeleteRole", Scope.ADMIN),
  IAM_TAG_ROLE("iam:TagRole", Scope.ADMIN);

  /** Whose policy must allow the action. */
  public enum Scope {
    /** Always allowed (sts:GetCallerIdentity) or allowed to any principal with credentials. */
    NONE,
    /** The operator's own principal, in its own account. */
    OPERATOR,
    /** The operator's principal and the Role-to-Assume in every remote account. */
    BOTH,
    /** Only the administrator credentials of a binding with trust.manage. */
    ADMIN,
    /**
     * The operator's principal, the Role-to-Assume in every remote account and the administrator
     * credentials of a binding with trust.manage.
     */
    ALL
  }

  private final String action;
  private final Scope scope;

  IamAction(String action, Scope scope) {
    this.action = action;
    this.scope = scope;
  }

  public String action() {
    return action;
  }

  public Scope scope() {
    return scope;
  }

  public static Set<String> actionsFor(Scope... scopes) {
    Set<Scope> wanted = EnumSet.copyOf(Arrays.asList(scopes));
    return Arrays.stream(values())
        .filter(a -> wanted.contains(a.scope))
        .map(IamAction::action)
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }
}
