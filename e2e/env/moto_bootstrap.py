#!/usr/bin/env python3
"""Seed and check the AWS accounts of the moto server of e2e/local-env.

Two ways to seed, one way to check:

* In process (what e2e/local-env uses): ``moto_server.py --seed NAME=ACCOUNT_ID --seed-out FILE``
  calls :func:`seed_in_process` before it serves, and again after every ``/moto-api/reset``.
  For each account it makes sure IAM user ``aao-admin`` exists with an inline ``*:*`` policy
  and exactly one access key. The key id and secret are taken from FILE when it already holds
  them, so a restarted or reset moto accepts the same keys as before; otherwise a fresh key is
  made and FILE is (re)written.
* Over HTTP (default CLI mode, only for a moto with authentication OFF): the same, through IAM
  calls made inside each account with the ``x-moto-account-id`` header.
* ``--check``: read the keys from --out and verify, over HTTP, that each one resolves to its
  account (sts:GetCallerIdentity) and, with ``--expect-auth``, that moto checks signatures (the
  same key with a wrong secret must get SignatureDoesNotMatch). Exit 1 otherwise.

An account spec is NAME=ACCOUNT_ID, or NAME=ACCOUNT_ID@REGION for an account of another partition
(moto partitions IAM and STS by the region a request is signed for: cn-north-1 is aws-cn,
us-gov-west-1 aws-us-gov); the default region is us-east-1 (partition aws).

FILE holds shell assignments:
  AAO_ACCOUNT_<NAME>_ACCESS_KEY_ID=... and AAO_ACCOUNT_<NAME>_SECRET_ACCESS_KEY=...
"""
import argparse
import os
import re
import shlex
import sys

ADMIN_USER = "aao-admin"
ADMIN_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
SEED_TAGS = [{"Key": "aao-local-env", "Value": "seed"}]
KEY_ID_RE = re.compile(r"^AKIA[A-Z0-9]{16}$")


def read_existing(path):
    out = {}
    if not path or not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            line = line.strip()
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                out[k] = shlex.split(v)[0] if v else ""
    return out


def write_keys(path, keys):
    """keys: list of (name, key_id, secret); written atomically, mode 0600."""
    lines = []
    for name, kid, sec in keys:
        lines.append("AAO_ACCOUNT_%s_ACCESS_KEY_ID=%s" % (name, shlex.quote(kid)))
        lines.append("AAO_ACCOUNT_%s_SECRET_ACCESS_KEY=%s" % (name, shlex.quote(sec)))
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


DEFAULT_REGION = "us-east-1"


def parse_accounts(specs):
    """[(name, account, region)] from NAME=ACCOUNT_ID[@REGION] specs."""
    accounts = []
    for spec in specs:
        name, sep, rest = spec.partition("=")
        account, at, region = rest.partition("@")
        if (
            not sep
            or not re.fullmatch(r"[A-Z0-9_]+", name)
            or not re.fullmatch(r"\d{12}", account)
            or (at and not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d+", region))
        ):
            sys.exit("moto_bootstrap: bad account spec %r (want NAME=123456789012[@region])" % spec)
        accounts.append((name, account, region or DEFAULT_REGION))
    return accounts


# ---------------------------------------------------------------------------------------------
# In process (imported by moto_server.py; needs moto importable)
# ---------------------------------------------------------------------------------------------
def seed_in_process(accounts, out, user=ADMIN_USER, log=None):
    """Seed the accounts straight into moto's IAM backends (the partition of each account's
    region); returns [(name, key_id, secret)]."""
    from moto.iam.models import iam_backends
    from moto.utilities.utils import get_partition

    existing = read_existing(out)
    keys = []
    for name, account, region in accounts:
        backend = iam_backends[account][get_partition(region)]
        if user not in backend.users:
            backend.create_user(region, user, path="/", tags=SEED_TAGS)
        backend.put_user_policy(user, "AdministratorAccess", ADMIN_POLICY)
        for k in list(backend.list_access_keys(user)):
            backend.delete_access_key(k.access_key_id, user)
        key = backend.create_access_key(user)
        kid = existing.get("AAO_ACCOUNT_%s_ACCESS_KEY_ID" % name, "")
        sec = existing.get("AAO_ACCOUNT_%s_SECRET_ACCESS_KEY" % name, "")
        if KEY_ID_RE.match(kid) and len(sec) >= 16:
            # Same key as before this (re)start: clients holding it keep working.
            del backend.access_keys[key.access_key_id]
            key.access_key_id, key.secret_access_key = kid, sec
            backend.access_keys[kid] = key
        keys.append((name, key.access_key_id, key.secret_access_key))
        if log:
            log("moto_bootstrap: account %s (%s, %s): user %s, key %s" % (name, account, get_partition(region), user, masked(key.access_key_id)))
    if out:
        write_keys(out, keys)
    return keys


# ---------------------------------------------------------------------------------------------
# Over HTTP (boto3)
# ---------------------------------------------------------------------------------------------
def client(service, args, key=None, secret=None, account_header=None, region=None):
    import boto3
    import botocore.config

    cfg = botocore.config.Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30)
    c = boto3.client(
        service,
        endpoint_url=args.endpoint,
        region_name=region or args.region,
        aws_access_key_id=key or "bootstrap",
        aws_secret_access_key=secret or "bootstrap",
        config=cfg,
    )
    if account_header:
        def add_header(request, **_):
            request.headers["x-moto-account-id"] = account_header

        c.meta.events.register("before-sign.*.*", add_header)
    return c


def caller_account(args, key, secret, region=None):
    """The account the key resolves to (signed for region), or the error code."""
    from botocore.exceptions import ClientError

    try:
        return client("sts", args, key, secret, region=region).get_caller_identity().get("Account")
    except ClientError as e:
        return e.response["Error"]["Code"]


def seed_http(args, name, account, region, existing):
    from botocore.exceptions import ClientError

    kid = existing.get("AAO_ACCOUNT_%s_ACCESS_KEY_ID" % name)
    sec = existing.get("AAO_ACCOUNT_%s_SECRET_ACCESS_KEY" % name)
    if kid and sec and caller_account(args, kid, sec, region) == account:
        return kid, sec
    iam = client("iam", args, account_header=account, region=region)
    try:
        iam.create_user(UserName=args.user, Tags=SEED_TAGS)
    except ClientError as e:
        if e.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
    iam.put_user_policy(UserName=args.user, PolicyName="AdministratorAccess", PolicyDocument=ADMIN_POLICY)
    # IAM allows two keys per user: drop stale ones before creating a fresh key.
    for k in iam.list_access_keys(UserName=args.user)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=args.user, AccessKeyId=k["AccessKeyId"])
    k = iam.create_access_key(UserName=args.user)["AccessKey"]
    kid, sec = k["AccessKeyId"], k["SecretAccessKey"]
    if caller_account(args, kid, sec, region) != account:
        sys.exit("moto_bootstrap: key %s of %s does not resolve to account %s" % (masked(kid), args.user, account))
    return kid, sec


def masked(key_id):
    """An access key ID as logs show it: enough to tell keys apart, not the whole ID."""
    return key_id[:4] + "..." + key_id[-4:] if key_id and len(key_id) > 8 else "****"


def check(args, accounts):
    existing = read_existing(args.out)
    ok = True
    for name, account, region in accounts:
        kid = existing.get("AAO_ACCOUNT_%s_ACCESS_KEY_ID" % name)
        sec = existing.get("AAO_ACCOUNT_%s_SECRET_ACCESS_KEY" % name)
        if not kid or not sec:
            print("moto_bootstrap: no key for account %s in %s" % (name, args.out), file=sys.stderr)
            ok = False
            continue
        got = caller_account(args, kid, sec, region)
        if got != account:
            print("moto_bootstrap: key %s of account %s resolves to %s" % (masked(kid), name, got), file=sys.stderr)
            ok = False
            continue
        if args.expect_auth:
            got = caller_account(args, kid, sec[:-1] + ("x" if sec[-1] != "x" else "y"), region)
            if got != "SignatureDoesNotMatch":
                print("moto_bootstrap: authentication is off (a wrong secret got %s)" % got, file=sys.stderr)
                ok = False
                continue
        print("moto_bootstrap: account %s (%s, %s): key %s ok" % (name, account, region, masked(kid)), file=sys.stderr)
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--endpoint", required=True)
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--account", action="append", required=True, metavar="NAME=ACCOUNT_ID[@REGION]")
    p.add_argument("--user", default=ADMIN_USER)
    p.add_argument("--out", required=True)
    p.add_argument("--check", action="store_true", help="only verify the keys in --out")
    p.add_argument("--expect-auth", action="store_true", help="with --check: a wrong secret must be refused")
    args = p.parse_args()
    accounts = parse_accounts(args.account)

    if args.check:
        sys.exit(0 if check(args, accounts) else 1)

    existing = read_existing(args.out)
    keys = []
    for name, account, region in accounts:
        kid, sec = seed_http(args, name, account, region, existing)
        print("moto_bootstrap: account %s (%s): user %s, key %s" % (name, account, args.user, kid), file=sys.stderr)
        keys.append((name, kid, sec))
    write_keys(args.out, keys)


if __name__ == "__main__":
    main()
