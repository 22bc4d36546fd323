#!/usr/bin/env python3
"""moto_server with fidelity patches: the AWS emulator of e2e/local-env.

Run with the python of the moto venv, like moto_server:

    python moto_server.py -H 127.0.0.1 -p PORT [--seed NAME=ACCOUNT_ID[@REGION] ... --seed-out FILE]

It imports moto 5.2.5, applies the patches below (monkeypatches of moto's IAM/STS code, no
fork), optionally seeds accounts in process (moto_bootstrap.seed_in_process, also re-run after
every POST /moto-api/reset), turns authentication/authorization ON (unless the environment sets
INITIAL_NO_AUTH_ACTION_COUNT; `POST /moto-api/reset-auth` with body `inf` turns it off) and then
runs moto.server.main: same werkzeug app, same URLs, same /moto-api/ endpoints.
MOTO_IAM_LOAD_MANAGED_POLICIES defaults to true (AWS managed policies exist).

Patches (each restores an AWS behaviour; the AWS document it follows is named in its comment):
  1. Errors of IAM/STS auth checks use the awsQuery envelope (ErrorResponse/Error), so the AWS
     SDK for Java reads their codes.
  2. Request authorization: one evaluator for identity policies, user and role permissions
     boundaries, session policies, role trust policies (cross-account too) with Principal/
     Condition (String*, Arn*, Bool, Null, Numeric*, Date*; the keys in KNOWN_CONDITION_KEYS),
     policy variables; fail closed on what it cannot evaluate (a Deny refuses the call); IAM
     user/role operations get their resource ARN; session tags need sts:TagSession, a source
     identity sts:SetSourceIdentity.
  3. AssumeRole: trust policy enforced, DurationSeconds range, session policies, packed size.
  4. GetFederationToken / GetSessionToken: real, unique, usable temporary credentials.
  5. Temporary credentials expire; GetSessionToken/GetFederationToken credentials are refused
     by IAM and most of STS.
  6. Cost: O(1) lookups of keys and sessions; no IAM backends made for unused partitions.
  7. DescribeInstances: IamInstanceProfile.Id is the instance profile's ID (as iam:GetInstanceProfile
     returns it), not the association's ID.
  8. Permissions boundaries of IAM users: kept (CreateUser, Put/DeleteUserPermissionsBoundary,
     GetUser) and enforced.
  9. Trust policies naming users/roles that do not exist are refused (MalformedPolicyDocument
     "Invalid principal in policy"); a re-created principal is not trusted.
 10. Signatures more than 15 minutes off the server's clock are refused.
 11. Time: propagation delays of IAM changes and throttling (see Patch 11 below).
 12. Inline policy quotas: PutRolePolicy / PutUserPolicy refuse (LimitExceeded) a policy that would
     make the entity's inline policies exceed 10,240 (role) / 2,048 (user) characters together,
     whitespace not counted.
 13. AssumeRoleWithWebIdentity verifies the token (RS256 signature against the issuer's JWKS,
     iss = an OIDC provider of the role's account, aud = one of its client IDs, exp) and the
     role's trust policy (Principal Federated, <provider-url>:aud/:sub conditions); fail closed.
e2e/env/README.md lists every rule with the MotoFidelityIT test that asserts it.
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
from moto.core.responses import ActionResult, EmptyResult  # noqa: E402
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


class Ec2Error(_RESTError):
    """EC2's error envelope (EC2 API Reference "Error codes": Response/Errors/Error, RequestID)."""

    def __init__(self, code, message, status=400):
        super().__init__(code, message)
        self.code = status
        self.description = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            "<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors>"
            "<RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>" % (_xml(code), _xml(message))
        )


def _denied(service, message):
    """AccessDenied (IAM/STS, 403), EC2's UnauthorizedOperation (403)."""
    if service == "ec2":
        return Ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation. " + message, 403)
    return QueryError(service, "AccessDenied", message)


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
    if self._service == "ec2":
        raise _denied("ec2", "User: %s is not authorized to perform: %s" % (self._access_key.arn, self._action))
    if self._service in QUERY_XMLNS:
        raise QueryError(
            self._service, "AccessDenied", "User: %s is not authorized to perform: %s" % (self._access_key.arn, self._action)
        )
    _orig_raise_denied(self)


# AWS doc "Signature Version 4: elements of a request signature" / "Troubleshoot signature
# errors": a request signed more than 15 minutes before (or after) the server's time is refused:
# STS/IAM answer SignatureDoesNotMatch "Signature expired: <X-Amz-Date> is now earlier than
# <now - 15 min> (<now> - 15 min.)" (or "Signature not yet current: ... is still later than ...
# (<now> + 15 min.)"), EC2 answers RequestExpired.
SIGNATURE_SKEW = datetime.timedelta(minutes=15)


def _check_signature(self):
    _orig_check_signature(self)
    stamp = self._headers.get("X-Amz-Date") or ""
    try:
        signed = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
    except ValueError:
        return  # moto already failed a request without X-Amz-Date
    now = utcnow().replace(microsecond=0)
    fmt = "%Y%m%dT%H%M%SZ"
    if signed < now - SIGNATURE_SKEW:
        msg = "Signature expired: %s is now earlier than %s (%s - 15 min.)" % (
            stamp, (now - SIGNATURE_SKEW).strftime(fmt), now.strftime(fmt))
    elif signed > now + SIGNATURE_SKEW:
        msg = "Signature not yet current: %s is still later than %s (%s + 15 min.)" % (
            stamp, (now + SIGNATURE_SKEW).strftime(fmt), now.strftime(fmt))
    else:
        return
    if self._service == "ec2":
        raise Ec2Error("RequestExpired", "Request has expired.")
    raise QueryError(self._service, "SignatureDoesNotMatch", msg)


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
    issued: datetime.datetime = None  # aws:TokenIssueTime
    source_identity: str = None  # aws:SourceIdentity (kept through role chaining)
    tags: dict = None  # session tags: aws:PrincipalTag/* (over the role's own tags)


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
    session: Session = None  # temporary credentials: the STS session behind them

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
    if s.kind in ("session-token", "federated-user"):
        return Caller(s.kind, s.account, s.partition, s.arn, s.user_id, user_name=s.user_name, session=s)
    return Caller(
        "assumed-role", s.account, s.partition, s.arn, s.user_id, role_name=s.role_name, role_arn=s.role_arn, session=s
    )


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
        if user is None or key.status != "Active" or _pending(NEW_KEYS, access_key_id):
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
# Fail closed: moto passes "*" as the resource of most operations (it does not know their
# ARNs); then an Allow statement applies whatever its Resource, and a Deny statement whose
# Resource is not "*" fails the call (it might apply on AWS). Operators: String*, Arn*, Bool,
# Null, Numeric*, Date* (with IfExists, ForAnyValue/ForAllValues); keys: KNOWN_CONDITION_KEYS.
# Any other operator or key (IpAddress, BinaryEquals, aws:SourceIp, ...): an Allow statement
# holding it does not apply, a Deny statement holding it fails the call (Unevaluable).
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


class Unevaluable(Exception):
    """A Condition this emulator cannot evaluate (operator or key). Fail closed: an Allow
    statement holding it does not apply; a Deny statement holding it (whose Action and Resource
    match) fails the call (check_action_permitted answers AccessDenied and says why)."""


# Condition keys this emulator knows: present with AWS's value, or absent exactly when AWS has
# no value (AWS doc "AWS global condition context keys", "Actions, resources, and condition
# keys for AWS STS"). Any other key (aws:SourceIp, aws:MultiFactorAuthPresent, aws:RequestTag/*,
# service keys such as s3:prefix or iam:PermissionsBoundary, ...) is Unevaluable.
KNOWN_CONDITION_KEYS = {
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principaltype",
    "aws:userid",
    "aws:username",
    "aws:requestedregion",
    "aws:securetransport",
    "aws:currenttime",
    "aws:epochtime",
    "aws:tokenissuetime",
    "aws:sourceidentity",
    "aws:viaawsservice",
    "aws:principalisawsservice",
    "sts:externalid",
    "sts:rolesessionname",
    "sts:sourceidentity",
}
KNOWN_CONDITION_KEY_PREFIXES = ("aws:principaltag/",)


def _known_key(key):
    k = key.lower()
    return (
        k in KNOWN_CONDITION_KEYS
        or any(k.startswith(p) and len(k) > len(p) for p in KNOWN_CONDITION_KEY_PREFIXES)
        or _oidc_key(k)
    )


def _number(v):
    try:
        return float(v)
    except ValueError:
        raise Unevaluable("%r is not a number" % v)


def _date(v):
    """AWS doc "Condition operators: Date": ISO 8601 dates/times or epoch seconds."""
    v = str(v).strip()
    try:
        if re.fullmatch(r"-?\d+(\.\d+)?", v):
            return datetime.datetime.fromtimestamp(float(v), datetime.timezone.utc)
        d = datetime.datetime.fromisoformat(v[:-1] + "+00:00" if v.endswith("Z") else v)
    except ValueError:
        raise Unevaluable("%r is not a date" % v)
    return d if d.tzinfo is not None else d.replace(tzinfo=datetime.timezone.utc)


_COMPARE = {
    "Equals": lambda a, e: a == e,
    "LessThan": lambda a, e: a < e,
    "LessThanEquals": lambda a, e: a <= e,
    "GreaterThan": lambda a, e: a > e,
    "GreaterThanEquals": lambda a, e: a >= e,
}


def _match(op, expected, actual):
    """Whether one context value matches one of the expected values (positive operators)."""
    if op == "StringEquals":
        return actual in expected
    if op == "StringEqualsIgnoreCase":
        return actual.lower() in [e.lower() for e in expected]
    if op in ("StringLike", "ArnEquals", "ArnLike"):  # ArnEquals takes wildcards too (AWS doc)
        return any(_wild(e, actual) for e in expected)
    if op == "Bool":
        return actual.lower() in [e.lower() for e in expected]
    for family, convert in (("Numeric", _number), ("Date", _date)):
        if op.startswith(family) and op[len(family) :] in _COMPARE:
            cmp = _COMPARE[op[len(family) :]]
            a = convert(actual)
            return any(cmp(a, convert(e)) for e in expected)
    raise Unevaluable("operator %s" % op)


_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
}


def _cond_value(e):
    return str(e).lower() if isinstance(e, bool) else str(e)


def _conditions_hold(conditions, ctx):
    """AWS doc "IAM JSON policy elements: Condition operators" and "Multivalued context keys":
    all operator blocks and all keys must hold (AND), any value of a key (OR). A key absent from
    the request: Null true; ...IfExists, negated operators (StringNotEquals, ...) and
    ForAllValues hold; everything else (ForAnyValue included) does not. Raises Unevaluable for
    operators or keys this emulator does not know (IpAddress, BinaryEquals, aws:SourceIp, ...)."""
    if not isinstance(conditions or {}, dict):
        raise Unevaluable("Condition %r" % (conditions,))
    for raw_op, pairs in (conditions or {}).items():
        qualifier, _, op = raw_op.rpartition(":")
        if qualifier not in ("", "ForAnyValue", "ForAllValues") or not isinstance(pairs, dict):
            raise Unevaluable("operator %s" % raw_op)
        if_exists = op.endswith("IfExists") and op != "Null"
        base = op[: -len("IfExists")] if if_exists else op
        negated = base in _NEGATED
        positive = _NEGATED.get(base, base)
        for key, expected in pairs.items():
            if not _known_key(key):
                raise Unevaluable("key %s" % key)
            expected = [_cond_value(e) for e in _as_list(expected)]
            actual = ctx.get(key.lower())
            if base == "Null":
                if (actual is None) != (expected[0].lower() == "true"):
                    return False
                continue
            if actual is None:
                if positive not in _KNOWN_OPERATORS:
                    raise Unevaluable("operator %s" % raw_op)
                if if_exists or negated or qualifier == "ForAllValues":
                    continue
                return False
            values = actual if isinstance(actual, list) else [actual]
            results = [_match(positive, expected, v) != negated for v in values]
            if not (all(results) if qualifier == "ForAllValues" else any(results)):
                return False
    return True


_KNOWN_OPERATORS = {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "Bool"} | {
    family + c for family in ("Numeric", "Date") for c in _COMPARE
}


def _principal_matches(value, caller, ids=None):
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
        named = caller.kind in ("user", "session-token") and value == caller.arn
        return "specific" if named and _still_the_trusted_principal(ids, value) else None
    if service == "iam" and resource.startswith("role/"):
        named = caller.kind == "assumed-role" and value == caller.role_arn
        return "specific" if named and _still_the_trusted_principal(ids, value) else None
    if service == "sts":
        return "specific" if value == caller.arn else None
    return None


def _statement_principal(st, caller, ids=None):
    if "NotPrincipal" in st:
        p = st["NotPrincipal"]
        values = _as_list(p.get("AWS", [])) if isinstance(p, dict) else _as_list(p)
        return None if any(_principal_matches(v, caller, ids) for v in values) else "account"
    p = st.get("Principal")
    if p is None:
        return None
    values = ["*"] if p == "*" else _as_list(p.get("AWS", [])) if isinstance(p, dict) else []
    best = None
    for v in values:
        m = _principal_matches(v, caller, ids)
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
    deny = st.get("Effect") == "Deny"
    unknown_resource = None  # a Deny naming resources of an operation whose resource moto does not know
    if resource is not None:
        if "NotResource" in st:
            if resource == "*":
                unknown_resource = deny and "NotResource"
            elif any(_wild(_subst(r, ctx), resource) for r in _as_list(st["NotResource"])):
                return False
        elif "Resource" in st:
            patterns = [_subst(r, ctx) for r in _as_list(st["Resource"])]
            if resource == "*":
                unknown_resource = deny and "*" not in patterns and "Resource %s" % json.dumps(st["Resource"])
            elif not any(_wild(r, resource) for r in patterns):
                return False
    sid = " (Sid %s)" % st["Sid"] if "Sid" in st else ""
    try:
        holds = _conditions_hold(st.get("Condition"), ctx)
    except Unevaluable as e:
        if deny:
            raise Unevaluable("%s in a Deny statement%s" % (e, sid))
        return False
    if holds and unknown_resource:
        raise Unevaluable(
            "%s in a Deny statement%s: the emulator does not know the resource of %s" % (unknown_resource, sid, action)
        )
    return holds


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


def evaluate_trust(doc, caller, action, ctx, ids=None):
    """DENY, None, or how the trust policy's Allow matched the caller: 'specific'/'account'."""
    best = None
    for st in _as_list(doc.get("Statement", [])):
        match = _statement_principal(st, caller, ids)
        if match is None or not _statement_applies(st, action, None, ctx):
            continue
        if st.get("Effect") == "Deny":
            return DENY
        if st.get("Effect") == "Allow":
            best = "specific" if match == "specific" else best or match
    return best


def identity_policies(caller):
    """The caller's identity-based policies, read live (AWS evaluates the current policies), or
    the previous ones while a change is still propagating (Patch 11)."""
    kind, name = ("role", caller.role_name) if caller.kind == "assumed-role" else ("user", caller.user_name)
    pending = PENDING_POLICIES.get((caller.account, kind, name))
    if pending is not None:
        if _time.monotonic() < pending[1]:
            return pending[0]
        PENDING_POLICIES.pop((caller.account, kind, name), None)
    return _live_policies(caller.backend, kind, name)


def boundary_policies(caller):
    """The permissions boundary of the role, or of the IAM user (also behind its GetSessionToken
    and GetFederationToken sessions), as a list of one document, or None. AWS doc "Permissions
    boundaries for IAM entities": users and roles can have one."""
    b = caller.backend
    if caller.kind == "assumed-role":
        entity = _role_by_name(b, caller.role_name)
    else:
        entity = b.users.get(caller.user_name)
    arn = entity and getattr(entity, "permissions_boundary_arn", None)
    if not arn:
        return None
    pol = b.managed_policies.get(arn)
    return [_doc(pol)] if pol is not None else []


def principal_tags(caller):
    """aws:PrincipalTag/*: the user's or role's tags, session tags over them (AWS doc "Passing
    session tags in AWS STS": a session tag wins over a role tag with the same key)."""
    b = caller.backend
    tags = {}
    if caller.kind == "assumed-role":
        role = _role_by_name(b, caller.role_name)
        for t in (role.tags if role is not None else None) or []:
            tags[t["Key"].lower()] = t["Value"]
    elif caller.kind in ("user", "session-token"):
        user = b.users.get(caller.user_name)
        if user is not None:
            for t in b.tagger.list_tags_for_resource(user.arn)["Tags"]:
                tags[t["Key"].lower()] = t["Value"]
    if caller.session is not None and caller.session.tags:
        for k, v in caller.session.tags.items():
            tags[k.lower()] = v
    return tags


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
        "aws:viaawsservice": "false",
        "aws:principalisawsservice": "false",
    }
    now = utcnow().replace(tzinfo=datetime.timezone.utc)
    ctx["aws:currenttime"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    ctx["aws:epochtime"] = str(int(now.timestamp()))
    s = caller.session
    if s is not None:
        # AWS doc "Global condition context keys": aws:TokenIssueTime is present only for
        # temporary credentials; aws:SourceIdentity only when the session has one.
        ctx["aws:tokenissuetime"] = s.issued.strftime("%Y-%m-%dT%H:%M:%SZ")
        if s.source_identity:
            ctx["aws:sourceidentity"] = s.source_identity
    for k, v in principal_tags(caller).items():
        ctx["aws:principaltag/" + k] = v
    if caller.user_name and caller.kind in ("user", "session-token"):
        ctx["aws:username"] = caller.user_name
    for param, key in (
        ("ExternalId", "sts:externalid"),
        ("RoleSessionName", "sts:rolesessionname"),
        ("SourceIdentity", "sts:sourceidentity"),
    ):
        v = request_data.get(param)
        if v:
            ctx[key] = v[0] if isinstance(v, list) else v
    return ctx


def _session_creds_denied(service, op):
    return QueryError(service, "AccessDenied", "Cannot call %s with session credentials" % op)


def _permitted(key, action, resource, ctx, assume, role):
    """Whether every applicable policy allows action and none denies it (AWS doc "Policy
    evaluation logic"): identity policies (or, for AssumeRole within one account, a trust policy
    naming the caller), the permissions boundary, the session policies, and for AssumeRole the
    role's trust policy."""
    caller = key.caller
    verdict = evaluate(identity_policies(caller), action, resource, ctx)
    trust = None
    if assume and role is not None and _pending(NEW_ROLES, role.arn):
        role = None  # a new role is not assumable until it has propagated
    if assume and role is not None:
        doc, ids = trust_in_effect(role)
        trust = evaluate_trust(_doc(doc), caller, action, ctx, ids)
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
    return verdict == ALLOW


def check_action_permitted(self, resource):
    """Replaces IAMRequestBase.check_action_permitted (runs when authentication is on)."""
    _throttle(self.account_id, self._action, self._service)
    op = self._action.partition(":")[2]
    if self._service == "iam" and op.startswith(("Get", "List")):
        name = (self._data.get("UserName") or [None])[0]
        if name is not None and _pending(NEW_USERS, (self.account_id, name)):
            raise QueryError("iam", "NoSuchEntity", "The user with name %s cannot be found." % name, status=404)
    try:
        _check_action_permitted(self, resource)
    except Unevaluable as e:
        # Fail closed: a Deny this emulator cannot evaluate might apply on AWS.
        caller = self._access_key.caller
        msg = "User: %s is not authorized to perform: %s%s because the AWS emulator cannot evaluate %s (e2e/env/README.md)" % (
            caller.arn,
            self._action,
            " on resource: %s" % resource if resource != "*" else "",
            e,
        )
        print("moto_server.py: fail closed: %s" % msg, file=sys.stderr, flush=True)
        raise _denied(self._service, msg)


def _check_action_permitted(self, resource):
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
    assume = action == "sts:AssumeRole"
    role = _role_by_arn(resource, caller.partition) if assume else None
    verdict = ALLOW if _permitted(key, action, resource, ctx, assume, role) else None
    # AWS doc "Passing session tags in AWS STS": passing Tags needs sts:TagSession in the
    # caller's identity policies and, for AssumeRole, in the role's trust policy. IAM calls that
    # create a tagged user or role need iam:TagUser / iam:TagRole instead (AWS doc "Permissions
    # required to tag IAM resources"). AWS doc "Monitor and control actions taken with assumed
    # roles": passing SourceIdentity (or assuming a role from a session that has one) needs
    # sts:SetSourceIdentity the same way.
    extra = []
    if verdict == ALLOW and any(k.startswith("Tags.member.") for k in self._data):
        if service == "iam" and op in ("CreateUser", "CreateRole"):
            extra.append("iam:TagUser" if op == "CreateUser" else "iam:TagRole")
        else:
            extra.append("sts:TagSession")
    if verdict == ALLOW and assume and (self._data.get("SourceIdentity") or (key.session and key.session.source_identity)):
        extra.append("sts:SetSourceIdentity")
    for extra_action in extra:
        if not _permitted(key, extra_action, resource, ctx, assume, role):
            raise QueryError(
                service,
                "AccessDenied",
                "User: %s is not authorized to perform: %s on resource: %s" % (caller.arn, extra_action, resource),
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
    inline policy plaintext may be at most 2,048 characters (Length Constraints of Policy: a
    longer one is a ValidationError, whitespace counted), and is packed with the managed policy
    ARNs and session tags; a request whose packed form exceeds its own limit fails with
    PackedPolicyTooLarge even when the plaintext fits. AWS's packing is not emulated: the packed
    size here is an estimate (the policy length without whitespace plus 128 per managed policy
    ARN, plus the length of each session tag's key and value), so PackedPolicyTooLarge comes
    only from managed policy ARNs and session tags."""
    policy = self._get_param("Policy")
    arns = [a.get("arn") if isinstance(a, dict) else a for a in (self._get_param("PolicyArns") or [])]
    tags = _request_tags(self) or {}
    # Session tags are packed with the policies (AWS: "The plaintext session tag keys can't
    # exceed 128 characters and the values can't exceed 256 characters"; at most 50 tags).
    if len(tags) > 50:
        raise _validation(
            "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must "
            "have length less than or equal to 50"
        )
    for k, v in tags.items():
        if not (1 <= len(k) <= 128) or len(v) > 256 or k.lower().startswith("aws:"):
            raise _validation(
                "1 validation error detected: Value '%s' at 'tags' failed to satisfy constraint: "
                "keys 1..128 characters not starting with aws:, values at most 256" % k
            )
    if len({k.lower() for k in tags}) != len(tags):
        raise STSError("InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    source_identity = self._get_param("SourceIdentity")
    if source_identity is not None:
        _check_name(source_identity, "sourceIdentity", 2, 64)
        if source_identity.lower().startswith("aws:"):
            raise _validation("SourceIdentity cannot start with 'aws:'")
    packed = sum(len(k) + len(v) for k, v in tags.items())
    if policy is None and not arns:
        _check_packed(packed)
        return None, None
    docs = []
    if policy is not None:
        # The API's length constraint on the plaintext comes first, whitespace or not.
        if len(policy) > MAX_PACKED_POLICY:
            raise _validation(
                "1 validation error detected: Value at 'policy' failed to satisfy constraint: "
                "Member must have length less than or equal to %d" % MAX_PACKED_POLICY
            )
        packed += len(re.sub(r"\s+", "", policy))
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
    _check_packed(packed)
    return docs, max(1, math.ceil(100.0 * packed / MAX_PACKED_POLICY))


def _check_packed(packed):
    if packed > MAX_PACKED_POLICY:
        raise STSError(
            "PackedPolicyTooLarge",
            "Packed policy consumes %d%% of allotted space, please use smaller policy."
            % math.ceil(100.0 * packed / MAX_PACKED_POLICY),
        )


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


def _request_tags(self):
    """Session tags of an STS request (Tags.member.N.Key/Value), or None."""
    q = self.querystring
    tags = {}
    for k in q:
        m = re.fullmatch(r"Tags\.member\.(\d+)\.Key", k)
        if m:
            tags[q[k][0]] = (q.get("Tags.member.%s.Value" % m.group(1)) or [""])[0]
    return tags or None


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
        issued=utcnow().replace(microsecond=0),
        source_identity=self._get_param("SourceIdentity") or (caller.session.source_identity if caller and caller.session else None),
        tags=_request_tags(self),
    )
    _register(s)
    result = {"Credentials": _credentials(s), "AssumedRoleUser": {"AssumedRoleId": s.user_id, "Arn": s.arn}}
    if s.source_identity:
        result["SourceIdentity"] = s.source_identity
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
        issued=utcnow().replace(microsecond=0),
        tags=_request_tags(self),
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
        issued=utcnow().replace(microsecond=0),
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
# Patch 8: permissions boundaries of IAM users. AWS doc IAM API Reference "CreateUser"
# (PermissionsBoundary), "PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary", "GetUser"
# (User.PermissionsBoundary); moto 5.2.5 drops the parameter and has neither operation. The
# boundary is enforced by boundary_policies.
# =============================================================================================
def _user_permissions_boundary(self):
    arn = getattr(self, "permissions_boundary_arn", None)
    if not arn:
        return None
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}


def _checked_boundary(backend, arn):
    from moto.iam.exceptions import NoSuchEntity, ValidationError

    if not re.fullmatch(r"arn:aws[a-z-]*:iam::(aws|\d{12}):policy/.+", arn or ""):
        raise ValidationError("Value (%s) for parameter PermissionsBoundary is invalid." % arn)
    if arn not in backend.managed_policies:
        raise NoSuchEntity("Policy %s does not exist or is not attachable." % arn)
    return arn


def iam_create_user(self):
    boundary = self._get_param("PermissionsBoundary")
    if boundary:
        _checked_boundary(self.backend, boundary)
    result = _orig_iam_create_user(self)
    if boundary:
        self.backend.get_user(self._get_param("UserName")).permissions_boundary_arn = boundary
    until = _visible_at(self.current_account, "user")
    if until is not None:
        NEW_USERS[(self.current_account, self._get_param("UserName"))] = until
    return result


def iam_put_user_permissions_boundary(self):
    user = self.backend.get_user(self._get_param("UserName"))
    user.permissions_boundary_arn = _checked_boundary(self.backend, self._get_param("PermissionsBoundary"))
    return EmptyResult()


def iam_delete_user_permissions_boundary(self):
    self.backend.get_user(self._get_param("UserName")).permissions_boundary_arn = None
    return EmptyResult()


# =============================================================================================
# Patch 9: trust policies name principals that exist. AWS doc "AWS JSON policy elements:
# Principal": an IAM user or role ARN in a trust policy is resolved to the principal's unique ID
# when the policy is saved; a principal that does not exist fails the write with
# MalformedPolicyDocument 'Invalid principal in policy: "AWS":"<value>"', and a principal deleted
# (even if re-created under the same name) no longer matches. A wildcard may only stand alone
# ("*"), not inside an ARN. Account IDs and :root ARNs are accepted for any 12-digit account;
# role-session and federated-user ARNs are accepted as AWS accepts them.
# =============================================================================================
TRUSTED_IDS = {}  # role ARN -> {principal ARN: unique ID of the user/role when the policy was saved}


def _principal_entity(value):
    """The IAM user/role a Principal AWS ARN names, or None; raises MalformedPolicyDocument."""
    from moto.iam.exceptions import MalformedPolicyDocument

    def invalid():
        return MalformedPolicyDocument('Invalid principal in policy: "AWS":"%s"' % value)

    if not isinstance(value, str):
        raise invalid()
    if value == "*" or re.fullmatch(r"\d{12}", value):
        return None
    m = re.fullmatch(r"arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)", value)
    if not m or "*" in value or "?" in value:
        raise invalid()
    partition, service, account, resource = m.groups()
    if service == "sts":
        if re.fullmatch(r"(assumed-role/[^/]+/[^/]+|federated-user/[^/]+)", resource):
            return None
        raise invalid()
    if resource == "root":
        return None
    backend = iam_backends[account][partition]
    if resource.startswith("user/"):
        entity = backend.users.get(resource.rsplit("/", 1)[-1])
    elif resource.startswith("role/"):
        entity = _role_by_name(backend, resource.rsplit("/", 1)[-1])
    else:
        raise invalid()
    if entity is None or entity.arn != value:
        raise invalid()
    return entity


def _check_trust_principals(document):
    """Validates a trust policy's AWS principals; returns {principal ARN: unique ID}."""
    try:
        doc = json.loads(document) if isinstance(document, str) else document
    except ValueError:
        return {}  # moto's own validator answers for invalid JSON
    ids = {}
    for st in _as_list(doc.get("Statement", [])) if isinstance(doc, dict) else []:
        for element in ("Principal", "NotPrincipal"):
            p = st.get(element) if isinstance(st, dict) else None
            if isinstance(p, dict):
                for v in _as_list(p.get("AWS", [])):
                    entity = _principal_entity(v)
                    if entity is not None:
                        ids[v] = entity.id
    return ids


def iam_create_role(self):
    ids = _check_trust_principals(self._get_param("AssumeRolePolicyDocument"))
    result = _orig_iam_create_role(self)
    role = self.backend.get_role(self._get_param("RoleName"))
    TRUSTED_IDS[role.arn] = ids
    until = _visible_at(self.current_account, "role")
    if until is not None:
        NEW_ROLES[role.arn] = until
    return result


def iam_update_assume_role_policy(self):
    ids = _check_trust_principals(self._get_param("PolicyDocument"))
    role = self.backend.get_role(self._get_param("RoleName"))
    previous = (role.assume_role_policy_document, TRUSTED_IDS.get(role.arn))
    result = _orig_iam_update_assume_role_policy(self)
    until = _visible_at(self.current_account, "trust")
    if until is not None:
        held = PENDING_TRUST.get(role.arn)
        if held is not None and held[2] > _time.monotonic():
            previous = held[:2]
        PENDING_TRUST[role.arn] = previous + (until,)
    TRUSTED_IDS[role.arn] = ids
    return result


def trust_in_effect(role):
    """(trust document, its principal IDs) AssumeRole evaluates: the previous ones while an
    update is still propagating (Patch 11)."""
    held = PENDING_TRUST.get(role.arn)
    if held is not None:
        if _time.monotonic() < held[2]:
            return held[0], held[1]
        PENDING_TRUST.pop(role.arn, None)
    return role.assume_role_policy_document, TRUSTED_IDS.get(role.arn)


def _still_the_trusted_principal(saved, value):
    """False when the user/role an ARN named at save time was deleted (or re-created)."""
    if saved is None or value not in saved:
        return True
    try:
        entity = _principal_entity(value)
    except Exception:
        return False
    return entity is not None and entity.id == saved[value]


# =============================================================================================
# Patch 11: time. AWS doc "Troubleshoot IAM: Changes that I make are not always immediately
# visible" (IAM is eventually consistent: new users, roles, keys and policy changes take time to
# reach every endpoint) and "IAM and AWS STS quotas" / "How do I resolve API throttling or 'Rate
# exceeded' errors for IAM and AWS STS?" (IAM/STS answer Throttling "Rate exceeded" with HTTP 400;
# EC2 answers RequestLimitExceeded, HTTP 503). Configured per account (TIME_SETTINGS, below):
#   propagation seconds, per kind of change, during which:
#     accessKey  a new access key is refused (InvalidClientTokenId);
#     user       IAM reads (Get*/List* naming it) do not find a new user (NoSuchEntity); writes
#                naming it (PutUserPolicy, CreateAccessKey, ...) succeed;
#     role       a new role cannot be assumed (AccessDenied on sts:AssumeRole);
#     trust      AssumeRole still evaluates the previous trust policy;
#     policy     the evaluator still sees a user's/role's previous identity policies (inline,
#                attached, group membership and group policies);
#   throttle: token buckets per account and API (service:Operation), {"rate": per second,
#     "burst": bucket size}, by service ("iam", "sts", "ec2") or by API ("iam:CreateUser").
# Settings come from AAO_MOTO_TIME (JSON, the shape of GET /moto-api/fidelity/time) and can be
# changed at run time: POST /moto-api/fidelity/time with {"default": {...}} and/or
# {"accounts": {"111111111111": {...}}} (merged into what is set; an account set to null goes
# back to the default; a throttle entry set to null or rate 0 is removed); GET shows them.
# GET /moto-api/fidelity/throttled counts the calls refused, per account and API.
# =============================================================================================
import time as _time  # noqa: E402

PROPAGATION_KINDS = ("accessKey", "user", "role", "trust", "policy")
TIME_SETTINGS = {"default": {"propagation": {}, "throttle": {}}, "accounts": {}}
NEW_KEYS = {}  # access key id -> monotonic time it becomes visible
NEW_USERS = {}  # (account, user name) -> visible at
NEW_ROLES = {}  # role ARN -> visible at
PENDING_TRUST = {}  # role ARN -> (previous trust document, its TRUSTED_IDS, visible at)
PENDING_POLICIES = {}  # (account, "user"|"role", name) -> (previous docs, visible at)
BUCKETS = {}  # (account, api) -> [tokens, last refill]
THROTTLED = {}  # account -> {api: calls refused by a bucket} (GET /moto-api/fidelity/throttled)
_time_lock = threading.Lock()


def _merge_time(target, update):
    prop = update.get("propagation")
    if isinstance(prop, (int, float)):
        prop = {k: float(prop) for k in PROPAGATION_KINDS}
    for k, v in (prop or {}).items():
        if k not in PROPAGATION_KINDS:
            raise ValueError("unknown propagation kind %r (one of %s)" % (k, ", ".join(PROPAGATION_KINDS)))
        target.setdefault("propagation", {})[k] = float(v)
    for api, bucket in (update.get("throttle") or {}).items():
        if bucket is None or float(bucket.get("rate", 0)) <= 0:
            target.setdefault("throttle", {}).pop(api, None)
        else:
            rate = float(bucket["rate"])
            target.setdefault("throttle", {})[api] = {"rate": rate, "burst": float(bucket.get("burst", max(1.0, rate)))}


def configure_time(update):
    with _time_lock:
        if "default" in update:
            _merge_time(TIME_SETTINGS["default"], update["default"])
        for account, settings in (update.get("accounts") or {}).items():
            if settings is None:
                TIME_SETTINGS["accounts"].pop(str(account), None)  # back to the default
            else:
                _merge_time(TIME_SETTINGS["accounts"].setdefault(str(account), {}), settings)
        BUCKETS.clear()


def propagation(account, kind):
    a = TIME_SETTINGS["accounts"].get(account, {}).get("propagation", {})
    return a.get(kind, TIME_SETTINGS["default"]["propagation"].get(kind, 0.0))


def _bucket_settings(account, api):
    service = api.split(":", 1)[0]
    for scope in (TIME_SETTINGS["accounts"].get(account, {}).get("throttle", {}), TIME_SETTINGS["default"]["throttle"]):
        for k in (api, service):
            if k in scope:
                return scope[k]
    return None


def _throttle(account, api, service):
    b = _bucket_settings(account, api)
    if b is None:
        return
    now = _time.monotonic()
    with _time_lock:
        tokens, last = BUCKETS.get((account, api), (b["burst"], now))
        tokens = min(b["burst"], tokens + (now - last) * b["rate"])
        if tokens < 1:
            BUCKETS[(account, api)] = (tokens, now)
            throttled = True
            per_api = THROTTLED.setdefault(account, {})
            per_api[api] = per_api.get(api, 0) + 1
        else:
            BUCKETS[(account, api)] = (tokens - 1, now)
            throttled = False
    if throttled:
        if service == "ec2":
            raise Ec2Error("RequestLimitExceeded", "Request limit exceeded.", 503)
        raise QueryError(service, "Throttling", "Rate exceeded", status=400)


def _visible_at(account, kind):
    p = propagation(account, kind)
    return _time.monotonic() + p if p > 0 else None


def _pending(table, key):
    until = table.get(key)
    if until is None:
        return False
    if _time.monotonic() >= until:
        table.pop(key, None)
        return False
    return True


def iam_create_access_key(self):
    result = _orig_iam_create_access_key(self)
    until = _visible_at(self.current_account, "accessKey")
    if until is not None:
        NEW_KEYS[result.result["AccessKey"].access_key_id] = until
    return result


def _live_policies(backend, kind, name):
    docs = []
    if kind == "role":
        role = _role_by_name(backend, name)
        if role is not None:
            docs += [_doc(p) for p in role.policies.values()]
            docs += [_doc(p) for p in role.managed_policies.values()]
        return docs
    user = backend.users.get(name)
    if user is None:
        return docs
    docs += [_doc(p) for p in user.policies.values()]
    docs += [_doc(p) for p in user.managed_policies.values()]
    for g in backend.groups.values():
        if user in g.users:
            docs += [_doc(p) for p in g.policies.values()]
            docs += [_doc(p) for p in g.managed_policies.values()]
    return docs


def _policy_entities(self):
    data = self._get_param
    if data("RoleName"):
        return [("role", data("RoleName"))]
    if data("UserName"):
        return [("user", data("UserName"))]
    if data("GroupName"):
        group = self.backend.groups.get(data("GroupName"))
        return [("user", u.name) for u in (group.users if group is not None else [])]
    return []


def _propagating_policy_change(orig):
    def wrapper(self):
        until = _visible_at(self.current_account, "policy")
        if until is None:
            return orig(self)
        entities = _policy_entities(self)
        before = {e: _live_policies(self.backend, *e) for e in entities}
        result = orig(self)
        now = _time.monotonic()
        for e, docs in before.items():
            key = (self.current_account,) + e
            prev = PENDING_POLICIES.get(key)
            PENDING_POLICIES[key] = (prev[0] if prev and prev[1] > now else docs, until)
        return result

    return wrapper


POLICY_CHANGES = (
    "put_user_policy",
    "delete_user_policy",
    "attach_user_policy",
    "detach_user_policy",
    "add_user_to_group",
    "remove_user_from_group",
    "put_group_policy",
    "delete_group_policy",
    "attach_group_policy",
    "detach_group_policy",
    "put_role_policy",
    "delete_role_policy",
    "attach_role_policy",
    "detach_role_policy",
)


def _fidelity_endpoint(environ, start_response):
    """GET/POST /moto-api/fidelity/time (see Patch 11)."""
    if environ.get("REQUEST_METHOD") == "POST":
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            configure_time(json.loads(environ["wsgi.input"].read(length) or b"{}"))
        except (ValueError, TypeError, AttributeError) as e:
            body = json.dumps({"error": str(e)}).encode()
            start_response("400 Bad Request", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
    body = json.dumps(TIME_SETTINGS, indent=1, sort_keys=True).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _throttled_endpoint(environ, start_response):
    """GET /moto-api/fidelity/throttled: per account, per API, how many calls a token bucket
    refused since the emulator started (tests read it to show throttling was reached)."""
    with _time_lock:
        body = json.dumps(THROTTLED, indent=1, sort_keys=True).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _session_endpoint(environ, start_response):
    """GET /moto-api/fidelity/session?accessKeyId=ASIA...: what STS recorded for a session it
    issued (no secret, no token): ARN, kind, session policies, source identity, tags, times. AWS
    has no such read-back; tests use it to prove which session policy a credential carries.
    POST with the same query: the session expires now (rule 17), then answers the same."""
    from urllib.parse import parse_qs

    query = parse_qs(environ.get("QUERY_STRING", ""))
    arn = (query.get("arn") or [""])[0]
    if arn and environ.get("REQUEST_METHOD") == "POST":
        # POST ?arn=SESSION_ARN: every live session of that ARN expires now (a test ends the
        # session of a client whose key it does not know, e.g. the operator's own web identity).
        now = utcnow().replace(microsecond=0)
        with _lock:
            live = [x for x in SESSIONS.values() if x.arn == arn and x.expiration > now]
            for x in live:
                x.expiration = now
        data = json.dumps({"expired": len(live)}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]
    kid = (query.get("accessKeyId") or [""])[0]
    s = SESSIONS.get(kid)
    if s is None:
        status, body = "404 Not Found", {"error": "no session with that access key id"}
    else:
        if environ.get("REQUEST_METHOD") == "POST":
            # POST ...&expire: the session's time is up now, as if its DurationSeconds had
            # passed (no test can wait the 900 s of the shortest session).
            with _lock:
                s.expiration = utcnow().replace(microsecond=0)
        status = "200 OK"
        body = {
            "arn": s.arn,
            "kind": s.kind,
            "account": s.account,
            "userId": s.user_id,
            "sessionPolicies": s.session_policies,
            "sourceIdentity": s.source_identity,
            "tags": s.tags or {},
            "issued": s.issued.strftime("%Y-%m-%dT%H:%M:%SZ") if s.issued else None,
            "expiration": s.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    data = json.dumps(body, sort_keys=True).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


# =============================================================================================
# Patch 12: inline policy quotas. AWS doc "IAM and AWS STS quotas": "Role policy size cannot exceed
# 10,240 characters", "User policy size cannot exceed 2,048 characters" (the aggregate of all the
# entity's inline policies), and "IAM doesn't count white space when calculating the size of a
# policy against these limits". moto stores any size; AWS answers LimitExceeded (409) "Maximum
# policy size of 10240 bytes exceeded for role NAME".
# =============================================================================================
INLINE_POLICY_QUOTA = {"role": 10240, "user": 2048}


def _policy_chars(doc):
    return sum(1 for c in (doc if isinstance(doc, str) else json.dumps(doc)) if not c.isspace())


def _inline_quota(kind, orig):
    def wrapper(self, name, policy_name, policy_json):
        entity = self.get_role(name) if kind == "role" else self.get_user(name)
        total = _policy_chars(policy_json) + sum(
            _policy_chars(d) for p, d in entity.policies.items() if p != policy_name
        )
        if total > INLINE_POLICY_QUOTA[kind]:
            raise QueryError(
                "iam",
                "LimitExceeded",
                "Maximum policy size of %d bytes exceeded for %s %s" % (INLINE_POLICY_QUOTA[kind], kind, name),
                status=409,
            )
        return orig(self, name, policy_name, policy_json)

    return wrapper


# =============================================================================================
# Patch 13: AssumeRoleWithWebIdentity verifies the token. AWS doc STS API Reference
# "AssumeRoleWithWebIdentity" (errors InvalidIdentityToken, ExpiredTokenException, AccessDenied,
# IDPRejectedClaim), IAM User Guide "Create an OpenID Connect (OIDC) identity provider in IAM"
# (the provider's URL is the token's iss, its client IDs the accepted aud values; IAM fetches
# <iss>/.well-known/openid-configuration and its jwks_uri over verified TLS) and "Create a role
# for OpenID Connect federation" (trust: Principal Federated = the provider's ARN, Action
# sts:AssumeRoleWithWebIdentity, conditions on <provider-url>:aud and <provider-url>:sub). The
# call is unsigned. Checked, in AWS's order: a JWT signed RS256 (header alg), iss naming an OIDC
# provider of the role's account (https), aud one of its client IDs, exp in the future (nbf not),
# the signature against the issuer's JWKS (fetched each call, TLS verified with the CA file
# AAO_MOTO_OIDC_CA_FILE, else the system's), the role's trust policy. Fail closed: whatever
# cannot be fetched, parsed or evaluated refuses the token.
# =============================================================================================
OIDC_CONDITION_SUFFIXES = ("aud", "sub", "amr")


def _oidc_key(key):
    """<provider-url>:aud / :sub / :amr: keys with a value only in AssumeRoleWithWebIdentity."""
    prefix, _, suffix = key.lower().rpartition(":")
    return suffix in OIDC_CONDITION_SUFFIXES and ("." in prefix or "/" in prefix)


def _b64url(part):
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _invalid_token(message="The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request."):
    return STSError("InvalidIdentityToken", message)


def _oidc_fetch(url):
    """GET url (https only) as JSON, TLS verified; None when it cannot be fetched or parsed."""
    import ssl
    import urllib.request

    if not url.startswith("https://"):
        return None
    ca = os.environ.get("AAO_MOTO_OIDC_CA_FILE") or None
    try:
        context = ssl.create_default_context(cafile=ca)
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/json, application/jwk-set+json"}), timeout=5, context=context) as r:
            return json.loads(r.read(1 << 20).decode())
    except Exception as e:  # noqa: BLE001 - any failure refuses the token (fail closed)
        print("moto_server.py: AssumeRoleWithWebIdentity: cannot fetch %s: %s" % (url, e), file=sys.stderr, flush=True)
        return None


def _rs256_verifies(jwks, kid, signed, signature):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    keys = [k for k in (jwks or {}).get("keys", []) if isinstance(k, dict) and k.get("kty") == "RSA"]
    if kid is not None:
        keys = [k for k in keys if k.get("kid") == kid]
    for k in keys:
        try:
            n = int.from_bytes(_b64url(k["n"]), "big")
            e = int.from_bytes(_b64url(k["e"]), "big")
            rsa.RSAPublicNumbers(e, n).public_key().verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
            return True
        except (InvalidSignature, KeyError, ValueError, TypeError):
            continue
    return False


def _verified_claims(token, account, partition):
    """The token's claims and its provider, or raises AWS's error."""
    parts = (token or "").split(".")
    if len(parts) != 3:
        raise _invalid_token()
    try:
        header = json.loads(_b64url(parts[0]))
        claims = json.loads(_b64url(parts[1]))
        signature = _b64url(parts[2])
    except (ValueError, TypeError):
        raise _invalid_token()
    if not isinstance(header, dict) or not isinstance(claims, dict) or header.get("alg") != "RS256":
        raise _invalid_token()
    iss = claims.get("iss")
    if not isinstance(iss, str) or not iss.startswith("https://"):
        raise _invalid_token()
    backend = iam_backends[account][partition]
    provider_url = iss[len("https://"):].rstrip("/")
    provider = next((p for p in backend.open_id_providers.values() if p.url.rstrip("/") == provider_url), None)
    if provider is None:
        raise _invalid_token("No OpenIDConnect provider found in your account for %s" % iss)
    aud = claims.get("aud")
    auds = aud if isinstance(aud, list) else [aud]
    if not any(isinstance(a, str) and a in provider.client_id_list for a in auds):
        raise _invalid_token("Incorrect token audience")
    now = utcnow().replace(tzinfo=datetime.timezone.utc).timestamp()
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if not isinstance(exp, (int, float)):
        raise _invalid_token()
    if exp <= now:
        raise STSError(
            "ExpiredTokenException",
            "Token expired: current date/time %d must be before the expiration date/time %d" % (now, exp),
        )
    if nbf is not None and (not isinstance(nbf, (int, float)) or nbf > now + 60):
        raise _invalid_token()
    discovery = _oidc_fetch(iss.rstrip("/") + "/.well-known/openid-configuration")
    jwks_uri = discovery.get("jwks_uri") if isinstance(discovery, dict) else None
    if not isinstance(jwks_uri, str) or discovery.get("issuer") != iss:
        raise _invalid_token("Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements")
    jwks = _oidc_fetch(jwks_uri)
    if jwks is None:
        raise _invalid_token("Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements")
    if not _rs256_verifies(jwks, header.get("kid"), (parts[0] + "." + parts[1]).encode(), signature):
        raise _invalid_token()
    return claims, provider


def _web_identity_trusts(doc, provider, claims):
    """Whether the trust policy allows sts:AssumeRoleWithWebIdentity to the provider's token."""
    ctx = {}
    for suffix in OIDC_CONDITION_SUFFIXES:
        v = claims.get(suffix)
        if v is not None:
            ctx[("%s:%s" % (provider.url, suffix)).lower()] = v if isinstance(v, (str, list)) else str(v)
    now = utcnow().replace(tzinfo=datetime.timezone.utc)
    ctx["aws:currenttime"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    ctx["aws:epochtime"] = str(int(now.timestamp()))
    allowed = False
    for st in _as_list((doc or {}).get("Statement", [])):
        p = st.get("Principal")
        federated = _as_list(p.get("Federated", [])) if isinstance(p, dict) else []
        if "NotPrincipal" in st or provider.arn not in federated:
            continue
        # Unevaluable in a Deny raises (the caller refuses); in an Allow the statement does not apply.
        if _statement_applies(st, "sts:AssumeRoleWithWebIdentity", None, ctx):
            if st.get("Effect") == "Deny":
                return False
            allowed = allowed or st.get("Effect") == "Allow"
    return allowed


def assume_role_with_web_identity(self):
    role_arn = self._get_param("RoleArn")
    session_name = self._get_param("RoleSessionName")
    _check_name(session_name, "roleSessionName", 2, 64)
    m = re.fullmatch(r"arn:([^:]+):iam::(\d{12}):role/.+", role_arn or "")
    if not m:
        raise _validation("1 validation error detected: Value at 'roleArn' failed to satisfy constraint")
    account = m.group(2)
    _throttle(account, "sts:AssumeRoleWithWebIdentity", "sts")
    claims, provider = _verified_claims(self._get_param("WebIdentityToken"), account, self.partition)
    role = _role_by_arn(role_arn, self.partition)
    denied = STSError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
    if role is None or _pending(NEW_ROLES, role.arn):
        raise denied
    doc, _ids = trust_in_effect(role)
    try:
        trusted = _web_identity_trusts(_doc(doc), provider, claims)
    except Unevaluable as e:
        print("moto_server.py: fail closed: AssumeRoleWithWebIdentity on %s: %s" % (role_arn, e), file=sys.stderr, flush=True)
        raise denied
    if not trusted:
        raise denied
    duration = _duration(
        self, 3600, 900, int(role.max_session_duration or 3600),
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )
    docs, packed = _session_policies(self, account)
    r = self.backend.assume_role(
        region_name=self.region, role_session_name=session_name, role_arn=role_arn,
        policy=self._get_param("Policy"), duration=duration, external_id=None,
    )
    s = Session(
        kind="assumed-role", account=r.account_id, partition=self.partition,
        access_key_id=r.access_key_id, secret=r.secret_access_key, token=r.session_token,
        expiration=r.expiration.replace(microsecond=0), arn=r.arn, user_id=r.user_id,
        role_name=role.name, role_arn=role.arn, session_policies=docs,
        issued=utcnow().replace(microsecond=0),
    )
    _register(s)
    result = {
        "Credentials": _credentials(s),
        "AssumedRoleUser": {"AssumedRoleId": s.user_id, "Arn": s.arn},
        "SubjectFromWebIdentityToken": str(claims.get("sub", "")),
        "Audience": claims["aud"] if isinstance(claims["aud"], str) else next(a for a in claims["aud"] if a in provider.client_id_list),
        "Provider": provider.arn,
    }
    if packed is not None:
        result["PackedPolicySize"] = packed
    return ActionResult(result)


def _sts_authenticate(self, resource="*"):
    """AssumeRoleWithWebIdentity is unsigned (its token is the credential); the rest as before."""
    if self._get_action() == "AssumeRoleWithWebIdentity":
        return None
    return _orig_sts_authenticate(self, resource)


def _dispatch(self, environ, start_response):
    path = environ.get("PATH_INFO")
    if path == "/moto-api/fidelity/time":
        return _fidelity_endpoint(environ, start_response)
    if path == "/moto-api/fidelity/throttled":
        return _throttled_endpoint(environ, start_response)
    if path == "/moto-api/fidelity/session":
        return _session_endpoint(environ, start_response)
    return _orig_dispatch(self, environ, start_response)


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
    TRUSTED_IDS.clear()
    for table in (NEW_KEYS, NEW_USERS, NEW_ROLES, PENDING_TRUST, PENDING_POLICIES, BUCKETS):
        table.clear()
    if SEED["accounts"]:
        moto_bootstrap.seed_in_process(SEED["accounts"], SEED["out"])


def apply_patches():
    global _orig_raise_signature, _orig_raise_invalid, _orig_raise_denied, _orig_create_access_key
    global _orig_determine_resource, _orig_get_caller_identity, _orig_get_access_key_info, _orig_reset
    global _orig_iam_determine_resource, _orig_association_init, _orig_check_signature
    global _orig_iam_create_user, _orig_iam_create_role, _orig_iam_update_assume_role_policy
    IAMRequest = access_control.IAMRequest
    _orig_check_signature = access_control.IAMRequestBase.check_signature
    access_control.IAMRequestBase.check_signature = _check_signature
    _orig_raise_signature = IAMRequest._raise_signature_does_not_match
    _orig_raise_invalid = IAMRequest._raise_invalid_access_key
    _orig_raise_denied = IAMRequest._raise_access_denied
    IAMRequest._raise_signature_does_not_match = _raise_signature_does_not_match
    IAMRequest._raise_invalid_access_key = _raise_invalid_access_key
    IAMRequest._raise_access_denied = _raise_access_denied

    _orig_create_access_key = access_control.create_access_key
    access_control.create_access_key = _create_access_key
    access_control.IAMRequestBase.check_action_permitted = check_action_permitted

    _orig_iam_create_user = IamResponse.create_user
    IamResponse.create_user = iam_create_user
    IamResponse.put_user_permissions_boundary = iam_put_user_permissions_boundary
    IamResponse.delete_user_permissions_boundary = iam_delete_user_permissions_boundary
    iam_models.User.permissions_boundary = property(_user_permissions_boundary)
    from moto.core.serialize import never_return, return_if_not_empty

    IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER = {
        **IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER,
        "CreateUserResponse.User.PermissionsBoundary": return_if_not_empty,
        "GetUserResponse.User.PermissionsBoundary": return_if_not_empty,
        "ListUsersResponse.Users.User.PermissionsBoundary": never_return,
    }
    global _orig_iam_create_access_key, _orig_dispatch
    _orig_iam_create_access_key = IamResponse.create_access_key
    IamResponse.create_access_key = iam_create_access_key
    for name in POLICY_CHANGES:
        setattr(IamResponse, name, _propagating_policy_change(getattr(IamResponse, name)))
    iam_models.IAMBackend.put_role_policy = _inline_quota("role", iam_models.IAMBackend.put_role_policy)
    iam_models.IAMBackend.put_user_policy = _inline_quota("user", iam_models.IAMBackend.put_user_policy)
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    _orig_dispatch = DomainDispatcherApplication.__call__
    DomainDispatcherApplication.__call__ = _dispatch
    _orig_iam_create_role = IamResponse.create_role
    IamResponse.create_role = iam_create_role
    _orig_iam_update_assume_role_policy = IamResponse.update_assume_role_policy
    IamResponse.update_assume_role_policy = iam_update_assume_role_policy

    _orig_iam_determine_resource = IamResponse._determine_resource
    IamResponse._determine_resource = _iam_determine_resource
    _orig_determine_resource = TokenResponse._determine_resource
    TokenResponse._determine_resource = _determine_resource
    TokenResponse.assume_role = assume_role
    TokenResponse.get_federation_token = get_federation_token
    TokenResponse.get_session_token = get_session_token
    global _orig_sts_authenticate
    TokenResponse.assume_role_with_web_identity = assume_role_with_web_identity
    _orig_sts_authenticate = TokenResponse._authenticate_and_authorize_normal_action
    TokenResponse._authenticate_and_authorize_normal_action = _sts_authenticate

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
    p.add_argument("--seed", action="append", default=[], metavar="NAME=ACCOUNT_ID[@REGION]")
    p.add_argument("--seed-out", default=None, metavar="FILE")
    args, moto_argv = p.parse_known_args(argv if argv is not None else sys.argv[1:])
    apply_patches()
    configure_time(json.loads(os.environ.get("AAO_MOTO_TIME") or "{}"))
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
