#!/usr/bin/env python3
"""moto_server with fidelity patches: the AWS emulator of e2e/local-env.

Run with the python of the moto venv, like moto_server:

    python moto_server.py -H 127.0.0.1 -p PORT [--seed NAME=ACCOUNT_ID ... --seed-out FILE]

It imports moto 5.2.5, applies the patches below (monkeypatches of moto's IAM/STS code, no
fork), optionally seeds accounts in process (moto_bootstrap.seed_in_process, also re-run after
every POST /moto-api/reset), turns authentication/authorization ON (unless the environment sets
INITIAL_NO_AUTH_ACTION_COUNT; `POST /moto-api/reset-auth` with body `inf` turns it off) and then
runs moto.server.main: same werkzeug app, same URLs, same /moto-api/ endpoints.
MOTO_IAM_LOAD_MANAGED_POLICIES defaults to true (AWS managed policies exist).

Patches (each restores an AWS behaviour; the AWS document it follows is named in its comment):
  1. Errors of IAM/STS auth checks use the awsQuery envelope (ErrorResponse/Error), so the AWS
     SDK for Java reads their codes.
  2. Request authorization: one evaluator for identity policies, role permissions boundaries,
     session policies, role trust policies (cross-account too) with Principal/Condition, policy
     variables; IAM user/role operations get their resource ARN; session tags need
     sts:TagSession.
  3. AssumeRole: trust policy enforced, DurationSeconds range, session policies, packed size.
  4. GetFederationToken / GetSessionToken: real, unique, usable temporary credentials.
  5. Temporary credentials expire; GetSessionToken/GetFederationToken credentials are refused
     by IAM and most of STS.
  6. Cost: O(1) lookups of keys and sessions; no IAM backends made for unused partitions.
  7. DescribeInstances: IamInstanceProfile.Id is the instance profile's ID (as iam:GetInstanceProfile
     returns it), not the association's ID.
"""
import argparse
import datetime
import functools
import json
import math
import os
import re
import sys
import threading
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

import moto.iam.access_control as access_control  # noqa: E402
import moto.iam.models as iam_models  # noqa: E402
import moto.server  # noqa: E402
from moto import settings  # noqa: E402
from moto.core import DEFAULT_ACCOUNT_ID  # noqa: E402
from moto.core.exceptions import _RESTError  # noqa: E402
from moto.core.responses import ActionResult  # noqa: E402
from moto.core.utils import utcnow  # noqa: E402
from moto.iam.models import iam_backends  # noqa: E402
from moto.iam.responses import IamResponse  # noqa: E402
from moto.iam.utils import generate_access_key_id_from_account_id, random_alphanumeric  # noqa: E402
from moto.moto_api._internal.models import MotoAPIBackend  # noqa: E402
from moto.sts.models import STSBackend  # noqa: E402
from moto.sts.responses import TokenResponse  # noqa: E402
from moto.sts.utils import random_session_token  # noqa: E402

import moto_bootstrap  # noqa: E402

ALLOW, DENY = "allow", "deny"


# =============================================================================================
# Patch 1: awsQuery error envelope for IAM/STS authentication and authorization errors.
# AWS doc: "Common Errors" (STS/IAM API Reference). Query APIs answer
# <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>; moto's
# auth errors use <ErrorResponse><Errors><Error>, in which the AWS SDK for Java v2 finds no
# error code at all (boto3 reads both).
# =============================================================================================
QUERY_XMLNS = {
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
}


class QueryError(_RESTError):
    def __init__(self, service, code, message, status=403):
        super().__init__(code, message)
        self.code = status
        ns = QUERY_XMLNS.get(service)
        self.description = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            "<ErrorResponse%s><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
            "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
            % (' xmlns="%s"' % ns if ns else "", _xml(code), _xml(message))
        )


def _xml(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _raise_signature_does_not_match(self):
    if self._service in QUERY_XMLNS:
        raise QueryError(
            self._service,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check "
            "your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        )
    _orig_raise_signature(self)


def _raise_invalid_access_key(self, reason):
    if self._service in QUERY_XMLNS:
        raise QueryError(self._service, "InvalidClientTokenId", "The security token included in the request is invalid.")
    _orig_raise_invalid(self, reason)


def _raise_access_denied(self):
    if self._service in QUERY_XMLNS:
        raise QueryError(
            self._service, "AccessDenied", "User: %s is not authorized to perform: %s" % (self._access_key.arn, self._action)
        )
    _orig_raise_denied(self)


# =============================================================================================
# Sessions: every credential set STS issues here, indexed by access key id (O(1) lookups).
# =============================================================================================
@dataclass
class Session:
    kind: str  # "assumed-role" | "federated-user" | "session-token"
    account: str
    partition: str
    access_key_id: str
    secret: str
    token: str
    expiration: datetime.datetime
    arn: str  # what GetCallerIdentity says
    user_id: str
    user_name: str = None  # federated-user / session-token: the IAM user behind it
    role_name: str = None  # assumed-role
    role_arn: str = None
    session_policies: list = None  # parsed documents; None = no session policy


SESSIONS = {}
_lock = threading.Lock()


def _register(s):
    with _lock:
        SESSIONS[s.access_key_id] = s


def _new_key_material(account):
    return generate_access_key_id_from_account_id(account, prefix="ASIA", total_length=20), random_alphanumeric(40)


# =============================================================================================
# Callers (principals) as the evaluator sees them.
# =============================================================================================
@dataclass
class Caller:
    kind: str  # "user" | "assumed-role" | "federated-user" | "session-token"
    account: str
    partition: str
    arn: str  # the principal's ARN as AWS reports it (user ARN, assumed-role/federated-user ARN)
    user_id: str
    user_name: str = None
    role_name: str = None
    role_arn: str = None

    @property
    def principal_arn(self):
        # aws:PrincipalArn: the role ARN for role sessions, else the caller ARN.
        return self.role_arn if self.kind == "assumed-role" else self.arn

    @property
    def backend(self):
        return iam_backends[self.account][self.partition]


class _AccessKeyBase:
    """What moto's IAMRequestBase needs (arn, create_credentials) plus what our evaluator needs."""

    def __init__(self, caller, key_id, secret, token=None, session=None):
        self.caller = caller
        self.arn = caller.arn
        self.session = session
        self._creds = (key_id, secret, token)

    def create_credentials(self):
        from botocore.credentials import Credentials

        return Credentials(*self._creds)

    def collect_policies(self):  # kept for moto code that may call it
        return identity_policies(self.caller)


def _user_caller(backend, user, kind="user"):
    return Caller(kind, backend.account_id, backend.partition, user.arn, user.id, user_name=user.name)


def _session_caller(s):
    if s.kind == "session-token":
        return Caller("session-token", s.account, s.partition, s.arn, s.user_id, user_name=s.user_name)
    if s.kind == "federated-user":
        return Caller("federated-user", s.account, s.partition, s.arn, s.user_id, user_name=s.user_name)
    return Caller("assumed-role", s.account, s.partition, s.arn, s.user_id, role_name=s.role_name, role_arn=s.role_arn)


class ExpiredTokenError(_RESTError):
    code = 403

    def __init__(self, service):
        super().__init__("ExpiredToken", "The security token included in the request is expired")
        if service in QUERY_XMLNS:
            self.description = QueryError(service, "ExpiredToken", self.message).description


def _create_access_key(account_id, partition, access_key_id, headers):
    """Replaces access_control.create_access_key: O(1) lookup, inactive keys refused, sessions.

    AWS doc "Managing access keys for IAM users": an Inactive key can't sign requests.
    AWS doc "Temporary security credentials in IAM": they need their session token and stop
    working at their expiration (ExpiredToken)."""
    token = headers.get("X-Amz-Security-Token")
    s = SESSIONS.get(access_key_id)
    if s is not None:
        if token != s.token:
            raise access_control.CreateAccessKeyFailure(reason="InvalidToken")
        if utcnow() >= s.expiration:
            service = _scope_service(headers)
            raise ExpiredTokenError(service)
        return _AccessKeyBase(_session_caller(s), s.access_key_id, s.secret, s.token, session=s)
    backend = iam_backends[account_id][partition]
    key = backend.access_keys.get(access_key_id)
    if key is not None and key.user_name is not None:
        user = backend.users.get(key.user_name)
        if user is None or key.status != "Active":
            raise access_control.CreateAccessKeyFailure(reason="InvalidId")
        if token is not None:
            raise access_control.CreateAccessKeyFailure(reason="InvalidToken")
        return _AccessKeyBase(_user_caller(backend, user), key.access_key_id, key.secret_access_key)
    # Anything else (e.g. AssumeRoleWithWebIdentity sessions): moto's own lookup.
    k = _orig_create_access_key(account_id, partition, access_key_id, headers)
    if isinstance(k, access_control.IAMUserAccessKey):
        user = backend.users[k._owner_user_name]
        caller = _user_caller(backend, user)
    else:
        role_arn = "arn:%s:iam::%s:role/%s" % (partition, account_id, k._owner_role_name)
        caller = Caller("assumed-role", account_id, partition, k.arn, "", role_name=k._owner_role_name, role_arn=role_arn)
    c = k.create_credentials()
    return _AccessKeyBase(caller, c.access_key, c.secret_key, c.token)


def _scope_service(headers):
    m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", headers.get("Authorization", ""))
    return m.group(1) if m else ""


# =============================================================================================
# Patch 2: the policy evaluator.
# AWS doc: "Policy evaluation logic" (explicit Deny wins; else an Allow is needed in every
# applicable policy type: identity policies, the role's permissions boundary, session policies)
# and "Cross-account policy evaluation logic" (a role trust policy AND the caller's identity
# policies must allow sts:AssumeRole; within one account a trust policy naming the caller's
# ARN suffices). "IAM JSON policy elements: Condition operators" for the Condition block.
# Limits: moto passes "*" as the resource of most operations (it does not know their ARNs);
# then an Allow statement applies whatever its Resource, a Deny statement only if its Resource
# is "*". Supported operators: String*, Arn*, Bool, Null (with IfExists; ForAnyValue/ForAllValues
# treated like single-valued); a statement with any other operator does not apply.
# =============================================================================================
@functools.lru_cache(maxsize=4096)
def _parse_doc(doc):
    return json.loads(doc)


def _doc(p):
    """A policy document (parsed) from what moto stores: str, dict with policy_document, Policy."""
    if isinstance(p, dict) and "Statement" in p:
        return p
    if isinstance(p, str):
        return _parse_doc(p)
    if isinstance(p, dict):
        return _doc(p["policy_document"])
    for v in p.versions:
        if v.is_default:
            return _doc(v.document)
    return {"Statement": []}


def _as_list(v):
    return v if isinstance(v, list) else [v]


@functools.lru_cache(maxsize=8192)
def _wild_re(pattern, ignore_case):
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(rx, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _wild(pattern, value, ignore_case=False):
    return isinstance(pattern, str) and _wild_re(pattern, ignore_case).fullmatch(value) is not None


def _cond_string(op, expected, actual):
    if op in ("StringEquals", "ArnEquals"):
        return actual in expected
    if op == "StringEqualsIgnoreCase":
        return actual.lower() in [e.lower() for e in expected]
    if op in ("StringLike", "ArnLike"):
        return any(_wild(e, actual) for e in expected)
    return None


_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _conditions_hold(conditions, ctx):
    for raw_op, pairs in (conditions or {}).items():
        op = raw_op.split(":", 1)[-1]  # ForAnyValue:/ForAllValues: prefixes
        if_exists = op.endswith("IfExists")
        if if_exists:
            op = op[: -len("IfExists")]
        for key, expected in pairs.items():
            expected = [str(e).lower() if isinstance(e, bool) else str(e) for e in _as_list(expected)]
            actual = ctx.get(key.lower())
            if op == "Null":
                if (actual is None) != (expected[0].lower() == "true"):
                    return False
                continue
            if actual is None:
                if if_exists or op in _NEGATED:
                    continue
                return False
            if op == "Bool":
                ok = actual.lower() in [e.lower() for e in expected]
            elif op in _NEGATED:
                ok = not _cond_string(_NEGATED[op], expected, actual)
            else:
                ok = _cond_string(op, expected, actual)
                if ok is None:
                    return False  # unsupported operator: the statement does not apply
            if not ok:
                return False
    return True


def _principal_matches(value, caller):
    """'specific' / 'account' when one Principal AWS value names the caller, else None.

    AWS doc "AWS JSON policy elements: Principal": account id or :root ARN = the account
    (its IAM policies must then allow too), user ARN, role ARN (= any session of that role),
    assumed-role / federated-user session ARN, "*" = everyone."""
    if value == "*":
        return "specific"
    if re.fullmatch(r"\d{12}", value):
        return "account" if value == caller.account else None
    m = re.fullmatch(r"arn:[^:]+:(iam|sts)::(\d{12}):(.+)", value)
    if not m or m.group(2) != caller.account:
        return None
    service, resource = m.group(1), m.group(3)
    if service == "iam" and resource == "root":
        return "account"
    if service == "iam" and resource.startswith("user/"):
        return "specific" if caller.kind in ("user", "session-token") and value == caller.arn else None
    if service == "iam" and resource.startswith("role/"):
        return "specific" if caller.kind == "assumed-role" and value == caller.role_arn else None
    if service == "sts":
        return "specific" if value == caller.arn else None
    return None


def _statement_principal(st, caller):
    if "NotPrincipal" in st:
        p = st["NotPrincipal"]
        values = _as_list(p.get("AWS", [])) if isinstance(p, dict) else _as_list(p)
        return None if any(_principal_matches(v, caller) for v in values) else "account"
    p = st.get("Principal")
    if p is None:
        return None
    values = ["*"] if p == "*" else _as_list(p.get("AWS", [])) if isinstance(p, dict) else []
    best = None
    for v in values:
        m = _principal_matches(v, caller)
        if m == "specific":
            return m
        best = best or m
    return best


def _subst(pattern, ctx):
    """Policy variables in a Resource (AWS doc "IAM policy elements: Variables and tags"):
    ${aws:username} etc. A variable with no value (and no default) matches nothing."""
    if not isinstance(pattern, str) or "${" not in pattern:
        return pattern

    def value(m):
        key, _, default = m.group(1).partition(",")
        if key in ("*", "?", "$"):
            return key
        v = ctx.get(key.strip().lower())
        if v is None:
            default = default.strip()
            if len(default) >= 2 and default[0] == default[-1] == "'":
                return default[1:-1]
            raise KeyError(key)
        return v

    try:
        return re.sub(r"\$\{([^}]*)\}", value, pattern)
    except KeyError:
        return None


def _statement_applies(st, action, resource, ctx):
    if "NotAction" in st:
        if any(_wild(a, action, True) for a in _as_list(st["NotAction"])):
            return False
    elif not any(_wild(a, action, True) for a in _as_list(st.get("Action", []))):
        return False
    if resource is not None:
        deny = st.get("Effect") == "Deny"
        if "NotResource" in st:
            if resource == "*":
                if deny:
                    return False
            elif any(_wild(_subst(r, ctx), resource) for r in _as_list(st["NotResource"])):
                return False
        elif "Resource" in st:
            patterns = [_subst(r, ctx) for r in _as_list(st["Resource"])]
            if resource == "*":
                if deny and "*" not in patterns:
                    return False
            elif not any(_wild(r, resource) for r in patterns):
                return False
    return _conditions_hold(st.get("Condition"), ctx)


def evaluate(docs, action, resource, ctx):
    """ALLOW, DENY or None (no statement applies) for identity-style policies."""
    allowed = False
    for doc in docs:
        for st in _as_list(doc.get("Statement", [])):
            if _statement_applies(st, action, resource, ctx):
                if st.get("Effect") == "Deny":
                    return DENY
                allowed = allowed or st.get("Effect") == "Allow"
    return ALLOW if allowed else None


def evaluate_trust(doc, caller, action, ctx):
    """DENY, None, or how the trust policy's Allow matched the caller: 'specific'/'account'."""
    best = None
    for st in _as_list(doc.get("Statement", [])):
        match = _statement_principal(st, caller)
        if match is None or not _statement_applies(st, action, None, ctx):
            continue
        if st.get("Effect") == "Deny":
            return DENY
        if st.get("Effect") == "Allow":
            best = "specific" if match == "specific" else best or match
    return best


def identity_policies(caller):
    """The caller's identity-based policies, read live (AWS evaluates the current policies)."""
    b = caller.backend
    docs = []
    if caller.kind == "assumed-role":
        role = _role_by_name(b, caller.role_name)
        if role is None:
            return docs
        docs += [_doc(p) for p in role.policies.values()]
        docs += [_doc(p) for p in role.managed_policies.values()]
        return docs
    user = b.users.get(caller.user_name)
    if user is None:
        return docs
    docs += [_doc(p) for p in user.policies.values()]
    docs += [_doc(p) for p in user.managed_policies.values()]
    for g in b.groups.values():
        if user in g.users:
            docs += [_doc(p) for p in g.policies.values()]
            docs += [_doc(p) for p in g.managed_policies.values()]
    return docs


def boundary_policies(caller):
    """The role's permissions boundary as a list of one document, or None."""
    if caller.kind != "assumed-role":
        return None
    role = _role_by_name(caller.backend, caller.role_name)
    arn = role and role.permissions_boundary_arn
    if not arn:
        return None
    pol = caller.backend.managed_policies.get(arn)
    return [_doc(pol)] if pol is not None else []


def _role_by_name(backend, name):
    for r in backend.roles.values():
        if r.name == name:
            return r
    return None


def _role_by_arn(arn, partition):
    m = re.fullmatch(r"arn:[^:]+:iam::(\d{12}):role/(?:.*/)?([^/]+)", arn or "")
    if not m:
        return None
    role = _role_by_name(iam_backends[m.group(1)][partition], m.group(2))
    return role if role is not None and role.arn == arn else None


def _context(caller, region, request_data):
    ctx = {
        "aws:principalarn": caller.principal_arn,
        "aws:principalaccount": caller.account,
        "aws:principaltype": {
            "user": "User",
            "session-token": "User",
            "assumed-role": "AssumedRole",
            "federated-user": "FederatedUser",
        }[caller.kind],
        "aws:userid": caller.user_id,
        "aws:requestedregion": region,
        "aws:securetransport": "false",
    }
    if caller.user_name and caller.kind in ("user", "session-token"):
        ctx["aws:username"] = caller.user_name
    for param, key in (("ExternalId", "sts:externalid"), ("RoleSessionName", "sts:rolesessionname")):
        v = request_data.get(param)
        if v:
            ctx[key] = v[0] if isinstance(v, list) else v
    return ctx


def _session_creds_denied(service, op):
    return QueryError(service, "AccessDenied", "Cannot call %s with session credentials" % op)


def check_action_permitted(self, resource):
    """Replaces IAMRequestBase.check_action_permitted (runs when authentication is on)."""
    key = self._access_key
    caller = key.caller
    action = self._action
    service, _, op = action.partition(":")

    # AWS doc "GetSessionToken" / "GetFederationToken" (STS API Reference, Permissions): their
    # credentials can't call IAM (AWS answers InvalidClientTokenId) nor STS, except
    # GetCallerIdentity (and AssumeRole for GetSessionToken credentials).
    if caller.kind in ("session-token", "federated-user"):
        if service == "iam":
            raise QueryError("iam", "InvalidClientTokenId", "The security token included in the request is invalid")
        allowed_sts = ("GetCallerIdentity", "AssumeRole") if caller.kind == "session-token" else ("GetCallerIdentity",)
        if service == "sts" and op not in allowed_sts:
            if op in ("GetFederationToken", "GetSessionToken"):
                raise _session_creds_denied(service, op)
            raise QueryError(service, "AccessDenied", "User: %s is not authorized to perform: %s" % (caller.arn, action))
    if action == "sts:GetCallerIdentity":
        return  # always allowed (AWS doc "GetCallerIdentity": no permissions required)
    if service == "sts" and op in ("GetFederationToken", "GetSessionToken") and caller.kind != "user":
        raise _session_creds_denied(service, op)
    if action == "sts:GetSessionToken":
        return  # AWS doc "Permissions for GetSessionToken": no permissions are required

    ctx = _context(caller, self._region, self._data)
    verdict = evaluate(identity_policies(caller), action, resource, ctx)
    assume = action == "sts:AssumeRole"
    role = _role_by_arn(resource, caller.partition) if assume else None
    trust = None
    if assume and role is not None:
        trust = evaluate_trust(_doc(role.assume_role_policy_document), caller, action, ctx)
        # Same account + a trust policy naming the caller itself: no identity Allow needed.
        if verdict is None and trust == "specific" and role.account_id == caller.account:
            verdict = ALLOW
    if verdict == ALLOW:
        boundary = boundary_policies(caller)
        if boundary is not None and evaluate(boundary, action, resource, ctx) != ALLOW:
            verdict = None
    if verdict == ALLOW and key.session is not None and key.session.session_policies is not None:
        if evaluate(key.session.session_policies, action, resource, ctx) != ALLOW:
            verdict = None
    if assume and (role is None or trust in (None, DENY)):
        verdict = None
    # AWS doc "Passing session tags in AWS STS": passing Tags needs sts:TagSession in the
    # caller's identity policies and, for AssumeRole, in the role's trust policy. IAM calls that
    # create a tagged user or role need iam:TagUser / iam:TagRole instead (AWS doc "Permissions
    # required to tag IAM resources").
    tagged = verdict == ALLOW and any(k.startswith("Tags.member.") for k in self._data)
    if tagged and service == "iam" and op in ("CreateUser", "CreateRole"):
        tag_action = "iam:TagUser" if op == "CreateUser" else "iam:TagRole"
        if evaluate(identity_policies(caller), tag_action, resource, ctx) != ALLOW:
            raise QueryError(
                service,
                "AccessDenied",
                "User: %s is not authorized to perform: %s on resource: %s" % (caller.arn, tag_action, resource),
            )
        tagged = False
    if tagged:
        tag_verdict = evaluate(identity_policies(caller), "sts:TagSession", resource, ctx)
        if assume:
            tag_trust = evaluate_trust(_doc(role.assume_role_policy_document), caller, "sts:TagSession", ctx)
            if tag_verdict is None and tag_trust == "specific" and role.account_id == caller.account:
                tag_verdict = ALLOW
            if tag_trust in (None, DENY):
                tag_verdict = None
        if tag_verdict != ALLOW:
            raise QueryError(
                service,
                "AccessDenied",
                "User: %s is not authorized to perform: sts:TagSession on resource: %s" % (caller.arn, resource),
            )
    if verdict != ALLOW:
        # AWS: "User: <arn> is not authorized to perform: <action> on resource: <arn>".
        if service in QUERY_XMLNS and resource != "*":
            raise QueryError(
                service,
                "AccessDenied",
                "User: %s is not authorized to perform: %s on resource: %s" % (caller.arn, action, resource),
            )
        self._raise_access_denied()


# =============================================================================================
# Patches 3 and 4: STS operations.
# =============================================================================================
MAX_PACKED_POLICY = 2048


class STSError(_RESTError):
    def __init__(self, code, message, status=400):
        super().__init__(code, message)
        self.code = status
        self.description = QueryError("sts", code, message, status).description


def _validation(msg):
    return STSError("ValidationError", msg)


def _duration(self, default, low, high, high_msg=None):
    d = self._get_int_param("DurationSeconds", None)
    if d is None:
        return default
    if d < low:
        raise _validation(
            "1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: "
            "Member must have value greater than or equal to %d" % (d, low)
        )
    if d > high:
        raise _validation(
            high_msg
            or "1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: "
            "Member must have value less than or equal to %d" % (d, high)
        )
    return d


def _session_policies(self, policy_account):
    """Inline Policy + PolicyArns -> (list of parsed docs or None, PackedPolicySize or None).

    AWS doc "Session policies" / STS API Reference "AssumeRole", "GetFederationToken": the
    inline policy plaintext may be at most 2,048 characters and is packed; a request whose
    packed policies exceed the limit fails with PackedPolicyTooLarge. Here the packed size is
    the policy length without whitespace (plus 128 per managed policy ARN)."""
    policy = self._get_param("Policy")
    arns = [a.get("arn") if isinstance(a, dict) else a for a in (self._get_param("PolicyArns") or [])]
    if policy is None and not arns:
        return None, None
    docs = []
    packed = 0
    if policy is not None:
        packed = len(re.sub(r"\s+", "", policy))
        if packed > MAX_PACKED_POLICY:
            raise STSError(
                "PackedPolicyTooLarge",
                "Packed policy consumes %d%% of allotted space, please use smaller policy."
                % math.ceil(100.0 * packed / MAX_PACKED_POLICY),
            )
        if len(policy) > MAX_PACKED_POLICY:
            raise _validation(
                "1 validation error detected: Value at 'policy' failed to satisfy constraint: "
                "Member must have length less than or equal to %d" % MAX_PACKED_POLICY
            )
        try:
            doc = json.loads(policy)
            _as_list(doc["Statement"])
        except (ValueError, KeyError, TypeError):
            raise STSError("MalformedPolicyDocument", "The policy is not in the valid JSON format.")
        docs.append(doc)
    backend = iam_backends[policy_account][self.partition]
    for arn in arns:
        pol = backend.managed_policies.get(arn)
        if pol is None:
            raise STSError("MalformedPolicyDocument", "Managed policy %s does not exist." % arn)
        docs.append(_doc(pol))
        packed += 128
    if packed > MAX_PACKED_POLICY:
        raise STSError(
            "PackedPolicyTooLarge",
            "Packed policy consumes %d%% of allotted space, please use smaller policy."
            % math.ceil(100.0 * packed / MAX_PACKED_POLICY),
        )
    return docs, max(1, math.ceil(100.0 * packed / MAX_PACKED_POLICY))


def _request_caller(self):
    """The caller of an STS request, or None (unknown key; only possible with auth off)."""
    kid = self.access_key
    s = SESSIONS.get(kid)
    if s is not None:
        return _session_caller(s)
    backend = iam_backends[self.current_account][self.partition]
    key = backend.access_keys.get(kid)
    if key is not None and key.user_name in backend.users:
        return _user_caller(backend, backend.users[key.user_name])
    return None


def _expiry(duration):
    return (utcnow() + datetime.timedelta(seconds=duration)).replace(microsecond=0)


def _credentials(s):
    return {
        "AccessKeyId": s.access_key_id,
        "SecretAccessKey": s.secret,
        "SessionToken": s.token,
        "Expiration": s.expiration,
    }


def _check_name(value, param, low, high):
    if value is None or not (low <= len(value) <= high) or not re.fullmatch(r"[\w+=,.@-]+", value):
        raise _validation(
            "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must "
            "have length between %d and %d and match pattern [\\w+=,.@-]*" % (value, param, low, high)
        )


def assume_role(self):
    """AWS doc STS API Reference "AssumeRole": the role must exist and trust the caller (checked
    by check_action_permitted when auth is on); DurationSeconds 900..the role's
    MaxSessionDuration, at most 3600 when a role session assumes a role ("role chaining");
    session policies (Policy, PolicyArns) narrow the session's permissions."""
    role_arn = self._get_param("RoleArn")
    session_name = self._get_param("RoleSessionName")
    _check_name(session_name, "roleSessionName", 2, 64)
    caller = _request_caller(self)
    role = _role_by_arn(role_arn, self.partition)
    high, high_msg = 43200, None
    if role is not None:
        high = int(role.max_session_duration or 3600)
        high_msg = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    if caller is not None and caller.kind == "assumed-role":
        high, high_msg = min(high, 3600), "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    duration = _duration(self, 3600, 900, high, high_msg)
    role_account = re.match(r"arn:[^:]+:iam::(\d{12}):", role_arn or "")
    docs, packed = _session_policies(self, role_account.group(1) if role_account else self.current_account)
    r = self.backend.assume_role(
        region_name=self.region,
        role_session_name=session_name,
        role_arn=role_arn,
        policy=self._get_param("Policy"),
        duration=duration,
        external_id=self._get_param("ExternalId"),
    )
    s = Session(
        kind="assumed-role",
        account=r.account_id,
        partition=self.partition,
        access_key_id=r.access_key_id,
        secret=r.secret_access_key,
        token=r.session_token,
        expiration=r.expiration.replace(microsecond=0),
        arn=r.arn,
        user_id=r.user_id,
        role_name=role.name if role is not None else role_arn.split("/")[-1],
        role_arn=role.arn if role is not None else role_arn,
        session_policies=docs,
    )
    _register(s)
    result = {"Credentials": _credentials(s), "AssumedRoleUser": {"AssumedRoleId": s.user_id, "Arn": s.arn}}
    if packed is not None:
        result["PackedPolicySize"] = packed
    return ActionResult(result)


def get_federation_token(self):
    """AWS doc STS API Reference "GetFederationToken": callable only with an IAM user's
    long-term keys; DurationSeconds 900..129600 (default 43200); the federated user
    (arn:aws:sts::ACCOUNT:federated-user/NAME) gets the intersection of the user's identity
    policies and the session policies, and NO permissions without a session policy ("Permissions
    for GetFederationToken")."""
    caller = _request_caller(self)
    if caller is not None and caller.kind != "user":
        raise _session_creds_denied("sts", "GetFederationToken")
    name = self._get_param("Name")
    _check_name(name, "name", 2, 32)
    duration = _duration(self, 43200, 900, 129600)
    account = caller.account if caller is not None else self.current_account
    docs, packed = _session_policies(self, account)
    kid, secret = _new_key_material(account)
    s = Session(
        kind="federated-user",
        account=account,
        partition=self.partition,
        access_key_id=kid,
        secret=secret,
        token=random_session_token(),
        expiration=_expiry(duration),
        arn="arn:%s:sts::%s:federated-user/%s" % (self.partition, account, name),
        user_id="%s:%s" % (account, name),
        user_name=caller.user_name if caller is not None else None,
        session_policies=docs if docs is not None else [],
    )
    _register(s)
    result = {
        "Credentials": _credentials(s),
        "FederatedUser": {"FederatedUserId": s.user_id, "Arn": s.arn},
    }
    if packed is not None:
        result["PackedPolicySize"] = packed
    return ActionResult(result)


def get_session_token(self):
    """AWS doc STS API Reference "GetSessionToken": callable only with an IAM user's long-term
    keys; DurationSeconds 900..129600 (default 43200); the credentials act as that user (same
    ARN, the user's policies)."""
    caller = _request_caller(self)
    if caller is not None and caller.kind != "user":
        raise _session_creds_denied("sts", "GetSessionToken")
    duration = _duration(self, 43200, 900, 129600)
    account = caller.account if caller is not None else self.current_account
    kid, secret = _new_key_material(account)
    s = Session(
        kind="session-token",
        account=account,
        partition=self.partition,
        access_key_id=kid,
        secret=secret,
        token=random_session_token(),
        expiration=_expiry(duration),
        arn=caller.arn if caller is not None else "arn:%s:iam::%s:user/moto" % (self.partition, account),
        user_id=caller.user_id if caller is not None else "AIDAMOTOFALLBACKUSER",
        user_name=caller.user_name if caller is not None else None,
    )
    _register(s)
    return ActionResult({"Credentials": _credentials(s)})


def _determine_resource(self):
    # AWS doc "Actions, resources, and condition keys for AWS STS": GetFederationToken acts on
    # arn:aws:sts::ACCOUNT:federated-user/NAME.
    action = self.querystring.get("Action", [""])[0]
    if action == "GetFederationToken":
        return "arn:%s:sts::%s:federated-user/%s" % (self.partition, self.current_account, self.querystring.get("Name", [""])[0])
    return _orig_determine_resource(self)


# AWS doc "Actions, resources, and condition keys for AWS Identity and Access Management": user
# operations act on arn:aws:iam::ACCOUNT:user/PATH/NAME (the caller's own user when UserName is
# omitted), role operations on arn:aws:iam::ACCOUNT:role/PATH/NAME also before the role exists.
# moto only resolves existing roles, so policies like "Resource": "arn:aws:iam::*:user/${aws:username}"
# could not be evaluated.
_SELF_USER_ACTIONS = {"CreateAccessKey", "DeleteAccessKey", "ListAccessKeys", "UpdateAccessKey", "GetUser"}


def _iam_determine_resource(self):
    resource = _orig_iam_determine_resource(self)
    if resource != "*":
        return resource
    data = self.data
    path = (data.get("Path") or ["/"])[0]
    if "RoleName" in data:
        return "arn:%s:iam::%s:role%s%s" % (self.partition, self.current_account, path, data["RoleName"][0])
    backend = iam_backends[self.current_account][self.partition]
    name = (data.get("UserName") or [None])[0]
    if name is None and (data.get("Action") or [""])[0] in _SELF_USER_ACTIONS:
        key = backend.access_keys.get(self.access_key)
        name = key.user_name if key is not None else None
    if name is None:
        return "*"
    user = backend.users.get(name)
    if user is not None:
        return user.arn
    return "arn:%s:iam::%s:user%s%s" % (self.partition, self.current_account, path, name)


def get_caller_identity(self, access_key_id, region):
    s = SESSIONS.get(access_key_id)
    if s is not None:
        return s.user_id, s.arn, s.account
    backend = iam_backends[self.account_id][self.partition]
    key = backend.access_keys.get(access_key_id)
    if key is not None and key.user_name in backend.users:
        user = backend.users[key.user_name]
        return user.id, user.arn, user.account_id
    return _orig_get_caller_identity(self, access_key_id, region)


def get_access_key_info(self, access_key_id):
    s = SESSIONS.get(access_key_id)
    if s is not None:
        return {"Account": s.account}
    return _orig_get_access_key_info(self, access_key_id)


# =============================================================================================
# Patch 6: cost. moto's get_account_id_from touches iam_backends[account][partition] for every
# partition, creating (with managed policies loaded: ~0.1 s, ~10 MB each) IAM backends nobody
# uses; session keys are found in SESSIONS.
# =============================================================================================
def get_account_id_from(access_key):
    s = SESSIONS.get(access_key)
    if s is not None:
        return s.account
    for account_id, account in list(iam_backends.items()):
        for backend in list(account.values()):
            if access_key in backend.access_keys:
                return account_id
    return DEFAULT_ACCOUNT_ID


# =============================================================================================
# Seeds survive POST /moto-api/reset.
# =============================================================================================
# 7. EC2 API reference, IamInstanceProfile: "Id: The ID of the instance profile." moto puts the
#    association ID (iip-assoc-...) there, so a client that checks the profile it resolves by name
#    against the instance's profile ID (a profile deleted and re-created under the same name is
#    another one) could never match.
def _association_init(self, ec2_backend, association_id, instance, iam_instance_profile):
    _orig_association_init(self, ec2_backend, association_id, instance, iam_instance_profile)
    ec2_backend.modify_instance_attribute(
        instance.id,
        "iam_instance_profile",
        {"Arn": iam_instance_profile.arn, "Id": iam_instance_profile.id},
    )


# =============================================================================================
SEED = {"accounts": [], "out": None}


def _reset(self):
    _orig_reset(self)
    SESSIONS.clear()
    if SEED["accounts"]:
        moto_bootstrap.seed_in_process(SEED["accounts"], SEED["out"])


def apply_patches():
    global _orig_raise_signature, _orig_raise_invalid, _orig_raise_denied, _orig_create_access_key
    global _orig_determine_resource, _orig_get_caller_identity, _orig_get_access_key_info, _orig_reset
    global _orig_iam_determine_resource, _orig_association_init
    IAMRequest = access_control.IAMRequest
    _orig_raise_signature = IAMRequest._raise_signature_does_not_match
    _orig_raise_invalid = IAMRequest._raise_invalid_access_key
    _orig_raise_denied = IAMRequest._raise_access_denied
    IAMRequest._raise_signature_does_not_match = _raise_signature_does_not_match
    IAMRequest._raise_invalid_access_key = _raise_invalid_access_key
    IAMRequest._raise_access_denied = _raise_access_denied

    _orig_create_access_key = access_control.create_access_key
    access_control.create_access_key = _create_access_key
    access_control.IAMRequestBase.check_action_permitted = check_action_permitted

    _orig_iam_determine_resource = IamResponse._determine_resource
    IamResponse._determine_resource = _iam_determine_resource
    _orig_determine_resource = TokenResponse._determine_resource
    TokenResponse._determine_resource = _determine_resource
    TokenResponse.assume_role = assume_role
    TokenResponse.get_federation_token = get_federation_token
    TokenResponse.get_session_token = get_session_token

    _orig_get_caller_identity = STSBackend.get_caller_identity
    _orig_get_access_key_info = STSBackend.get_access_key_info
    STSBackend.get_caller_identity = get_caller_identity
    STSBackend.get_access_key_info = get_access_key_info

    from moto.ec2.models.iam_instance_profile import IamInstanceProfileAssociation

    _orig_association_init = IamInstanceProfileAssociation.__init__
    IamInstanceProfileAssociation.__init__ = _association_init

    iam_models.get_account_id_from = get_account_id_from  # looked up at call time by moto
    _orig_reset = MotoAPIBackend.reset
    MotoAPIBackend.reset = _reset


def main(argv=None):
    p = argparse.ArgumentParser(description="moto_server with fidelity patches", add_help=False)
    p.add_argument("--seed", action="append", default=[], metavar="NAME=ACCOUNT_ID")
    p.add_argument("--seed-out", default=None, metavar="FILE")
    args, moto_argv = p.parse_known_args(argv if argv is not None else sys.argv[1:])
    apply_patches()
    if args.seed:
        SEED["accounts"] = moto_bootstrap.parse_accounts(args.seed)
        SEED["out"] = args.seed_out
        moto_bootstrap.seed_in_process(SEED["accounts"], SEED["out"], log=lambda m: print(m, file=sys.stderr, flush=True))
    # Authentication and authorization on from the first request, unless the env says otherwise.
    settings.INITIAL_NO_AUTH_ACTION_COUNT = float(os.environ.get("INITIAL_NO_AUTH_ACTION_COUNT", "0"))
    print(
        "moto_server.py: fidelity patches applied; auth %s"
        % ("on" if settings.INITIAL_NO_AUTH_ACTION_COUNT == 0 else "after %s requests" % settings.INITIAL_NO_AUTH_ACTION_COUNT),
        file=sys.stderr,
        flush=True,
    )
    moto.server.main(moto_argv)


if __name__ == "__main__":
    main()
