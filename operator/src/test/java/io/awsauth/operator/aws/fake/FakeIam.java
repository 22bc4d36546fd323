package io.awsauth.operator.aws.fake;

import io.awsauth.operator.aws.AccessKey;
import io.awsauth.operator.aws.IamGateway;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * IAM in memory, for unit tests: users with their keys, inline and managed policies and groups;
 * roles and instance profiles. Behaves as IAM does where the operator relies on it (a taken user
 * name is {@code EntityAlreadyExists}, a missing one {@code NoSuchEntity}, at most two keys per
 * user). Every call goes through {@link #failures()}.
 */
public final class FakeIam implements IamGateway {
  private final String account;
  private final Clock clock;
  private final Failures failures = new Failures();
  private final AtomicInteger ids = new AtomicInteger();

  private final Map<String, FakeUser> users = new LinkedHashMap<>();
  private final Map<String, Role> roles = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> rolePolicies = new LinkedHashMap<>();
  private final Map<String, InstanceProfile> instanceProfiles = new LinkedHashMap<>();

  /** A user and what hangs on it. */
  public static final class FakeUser {
    public User user;
    public final Map<String, AccessKey> keys = new LinkedHashMap<>();
    public final Map<String, String> inlinePolicies = new LinkedHashMap<>();
    public final Set<String> attachedPolicies = new LinkedHashSet<>();
    public final Set<String> groups = new LinkedHashSet<>();
  }

  public FakeIam(String account, Clock clock) {
    this.account = account;
    this.clock = clock;
  }

  public Failures failures() {
    return failures;
  }

  /** The user as the fake holds it, or null. */
  public synchronized FakeUser user(String userName) {
    return users.get(userName);
  }

  public synchronized Set<String> userNames() {
    return Set.copyOf(users.keySet());
  }

  public synchronized void putRole(Role role) {
    roles.put(role.arn().substring(role.arn().lastIndexOf('/') + 1), role);
  }

  public synchronized void putInstanceProfile(String name, InstanceProfile profile) {
    instanceProfiles.put(name, profile);
  }

  private FakeUser existing(String userName, String operation) {
    FakeUser u = users.get(userName);
    if (u == null) {
      throw Failures.terminal("NoSuchEntity", operation + ": user " + userName + " not found");
    }
    return u;
  }

  @Override
  public synchronized Optional<Role> getRole(String roleName) {
    failures.call("iam:GetRole");
    return Optional.ofNullable(roles.get(roleName));
  }

  @Override
  public synchronized void deleteRole(String roleName) {
    failures.call("iam:DeleteRole");
    roles.remove(roleName);
    rolePolicies.remove(roleName);
  }

  @Override
  public synchronized Optional<InstanceProfile> getInstanceProfile(String name) {
    failures.call("iam:GetInstanceProfile");
    return Optional.ofNullable(instanceProfiles.get(name));
  }

  @Override
  public synchronized void createRole(
      String roleName, String path, String trustPolicy, Map<String, String> tags) {
    failures.call("iam:CreateRole");
    if (roles.containsKey(roleName)) {
      throw Failures.terminal("EntityAlreadyExists", "role " + roleName + " exists");
    }
    roles.put(
        roleName,
        new Role(
            "arn:aws:iam::" + account + ":role" + path + roleName,
            "AROA" + id(),
            trustPolicy,
            Map.copyOf(tags)));
  }

  @Override
  public synchronized void updateAssumeRolePolicy(String roleName, String trustPolicy) {
    failures.call("iam:UpdateAssumeRolePolicy");
    Role r = roles.get(roleName);
    if (r == null) {
      throw Failures.terminal("NoSuchEntity", "role " + roleName + " not found");
    }
    roles.put(roleName, new Role(r.arn(), r.roleId(), trustPolicy, r.tags()));
  }

  @Override
  public synchronized void putRolePolicy(String roleName, String policyName, String policy) {
    failures.call("iam:PutRolePolicy");
    Map<String, String> policies =
        rolePolicies.computeIfAbsent(roleName, k -> new LinkedHashMap<>());
    // AWS: a role's inline policies hold at most 10,240 characters together (whitespace aside)
    int size = nonWhitespace(policy);
    for (var e : policies.entrySet()) {
      size += e.getKey().equals(policyName) ? 0 : nonWhitespace(e.getValue());
    }
    if (size > 10_240) {
      throw Failures.terminal(
          "LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role " + roleName);
    }
    policies.put(policyName, policy);
  }

  private static int nonWhitespace(String s) {
    return (int) s.chars().filter(c -> !Character.isWhitespace(c)).count();
  }

  @Override
  public synchronized void deleteRolePolicy(String roleName, String policyName) {
    failures.call("iam:DeleteRolePolicy");
    rolePolicies.getOrDefault(roleName, new LinkedHashMap<>()).remove(policyName);
  }

  @Override
  public synchronized Optional<String> getRolePolicy(String roleName, String policyName) {
    failures.call("iam:GetRolePolicy");
    if (!roles.containsKey(roleName)) {
      throw Failures.terminal("NoSuchEntity", "role " + roleName + " not found");
    }
    return Optional.ofNullable(rolePolicies.getOrDefault(roleName, Map.of()).get(policyName));
  }

  /** The role's inline policy as the fake holds it, or null. */
  public synchronized String rolePolicy(String roleName, String policyName) {
    return rolePolicies.getOrDefault(roleName, Map.of()).get(policyName);
  }

  @Override
  public synchronized Optional<String> getUserPolicy(String userName, String policyName) {
    failures.call("iam:GetUserPolicy");
    return Optional.ofNullable(existing(userName, "GetUserPolicy").inlinePolicies.get(policyName));
  }

  @Override
  public synchronized Optional<User> getUser(String userName) {
    failures.call("iam:GetUser");
    return Optional.ofNullable(users.get(userName)).map(u -> u.user);
  }

  @Override
  public synchronized User createUser(
      String userName,
      String path,
      Optional<String> permissionsBoundaryArn,
      Map<String, String> tags) {
    failures.call("iam:CreateUser");
    if (users.containsKey(userName)) {
      throw Failures.terminal("EntityAlreadyExists", "user " + userName + " exists");
    }
    FakeUser u = new FakeUser();
    u.user =
        new User(
            userName,
            "arn:aws:iam::" + account + ":user" + path + userName,
            "AIDA" + id(),
            clock.instant(),
            Map.copyOf(tags));
    users.put(userName, u);
    return u.user;
  }

  @Override
  public synchronized void deleteUser(String userName) {
    failures.call("iam:DeleteUser");
    FakeUser u = users.get(userName);
    if (u == null) {
      return;
    }
    if (!u.keys.isEmpty()
        || !u.inlinePolicies.isEmpty()
        || !u.attachedPolicies.isEmpty()
        || !u.groups.isEmpty()) {
      throw Failures.terminal(
          "DeleteConflict", "user " + userName + " still has keys, policies or groups");
    }
    users.remove(userName);
  }

  @Override
  public synchronized List<User> listUsers() {
    failures.call("iam:ListUsers");
    return users.values().stream()
        .map(
            u ->
                new User(
                    u.user.userName(), u.user.arn(), u.user.userId(), u.user.created(), Map.of()))
        .toList();
  }

  @Override
  public synchronized Map<String, String> listUserTags(String userName) {
    failures.call("iam:ListUserTags");
    return existing(userName, "ListUserTags").user.tags();
  }

  @Override
  public synchronized void putUserPolicy(String userName, String policyName, String policy) {
    failures.call("iam:PutUserPolicy");
    existing(userName, "PutUserPolicy").inlinePolicies.put(policyName, policy);
  }

  @Override
  public synchronized void deleteUserPolicy(String userName, String policyName) {
    failures.call("iam:DeleteUserPolicy");
    existing(userName, "DeleteUserPolicy").inlinePolicies.remove(policyName);
  }

  @Override
  public synchronized List<String> listUserPolicies(String userName) {
    failures.call("iam:ListUserPolicies");
    return List.copyOf(existing(userName, "ListUserPolicies").inlinePolicies.keySet());
  }

  @Override
  public synchronized void attachUserPolicy(String userName, String policyArn) {
    failures.call("iam:AttachUserPolicy");
    existing(userName, "AttachUserPolicy").attachedPolicies.add(policyArn);
  }

  @Override
  public synchronized void detachUserPolicy(String userName, String policyArn) {
    failures.call("iam:DetachUserPolicy");
    existing(userName, "DetachUserPolicy").attachedPolicies.remove(policyArn);
  }

  @Override
  public synchronized List<String> listAttachedUserPolicies(String userName) {
    failures.call("iam:ListAttachedUserPolicies");
    return List.copyOf(existing(userName, "ListAttachedUserPolicies").attachedPolicies);
  }

  @Override
  public synchronized void addUserToGroup(String userName, String groupName) {
    failures.call("iam:AddUserToGroup");
    existing(userName, "AddUserToGroup").groups.add(groupName);
  }

  @Override
  public synchronized void removeUserFromGroup(String userName, String groupName) {
    failures.call("iam:RemoveUserFromGroup");
    existing(userName, "RemoveUserFromGroup").groups.remove(groupName);
  }

  @Override
  public synchronized List<String> listGroupsForUser(String userName) {
    failures.call("iam:ListGroupsForUser");
    return List.copyOf(existing(userName, "ListGroupsForUser").groups);
  }

  @Override
  public synchronized List<AccessKey> listAccessKeys(String userName) {
    failures.call("iam:ListAccessKeys");
    return existing(userName, "ListAccessKeys").keys.values().stream()
        .map(k -> new AccessKey(k.userName(), k.accessKeyId(), null, k.status(), k.created()))
        .toList();
  }

  @Override
  public synchronized AccessKey createAccessKey(String userName) {
    failures.call("iam:CreateAccessKey");
    FakeUser u = existing(userName, "CreateAccessKey");
    if (u.keys.size() >= 2) {
      throw Failures.terminal("LimitExceeded", "user " + userName + " has two access keys");
    }
    String n = id();
    AccessKey key =
        new AccessKey(userName, "AKIAFAKE" + n, "secret-" + n, "Active", clock.instant());
    u.keys.put(key.accessKeyId(), key);
    return key;
  }

  @Override
  public synchronized void deleteAccessKey(String userName, String accessKeyId) {
    failures.call("iam:DeleteAccessKey");
    if (existing(userName, "DeleteAccessKey").keys.remove(accessKeyId) == null) {
      throw Failures.terminal("NoSuchEntity", "access key not found");
    }
  }

  /** The ARN of a user of this fake account. */
  public String userArn(String userName) {
    return "arn:aws:iam::" + account + ":user/" + userName;
  }

  private String id() {
    return String.format("%012d", ids.incrementAndGet());
  }
}
