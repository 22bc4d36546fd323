#!/usr/bin/env python3
"""Seed AWS accounts in a running moto server for e2e/local-env.

For each --account NAME=ACCOUNT_ID: make sure an IAM user (default ``aao-admin``) exists in
that account with an AdministratorAccess-like inline policy and a working access key, and
check with sts:GetCallerIdentity that the key resolves to that account. Keys already listed
in --out that still resolve to their account are kept, so running this again is a no-op.

Writes shell assignments to --out:
  AAO_ACCOUNT_<NAME>_ACCESS_KEY_ID=... and AAO_ACCOUNT_<NAME>_SECRET_ACCESS_KEY=...

moto picks the account of a request from (1) the MOTO_ACCOUNT_ID env var of the server,
(2) the x-moto-account-id request header, (3) the access key (keys made by moto's IAM map to
their user's account), (4) 123456789012. The bootstrap uses (2) to act inside an account
before it has any key of its own.
"""
import argparse
import os
import shlex
import sys

import boto3
import botocore.config
from botocore.exceptions import ClientError

ADMIN_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
CFG = botocore.config.Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30)


def client(service, args, key=None, secret=None, account_header=None):
    c = boto3.client(
        service,
        endpoint_url=args.endpoint,
        region_name=args.region,
        aws_access_key_id=key or "bootstrap",
        aws_secret_access_key=secret or "bootstrap",
        config=CFG,
    )
    if account_header:
        def add_header(request, **_):
            request.headers["x-moto-account-id"] = account_header

        c.meta.events.register("before-sign.*.*", add_header)
    return c


def resolves_to(args, key, secret, account):
    try:
        ident = client("sts", args, key, secret).get_caller_identity()
    except ClientError:
        return False
    return ident.get("Account") == account


def read_existing(path):
    out = {}
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            line = line.strip()
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                out[k] = shlex.split(v)[0] if v else ""
    return out


def seed(args, name, account, existing):
    kid_var = "AAO_ACCOUNT_%s_ACCESS_KEY_ID" % name
    sec_var = "AAO_ACCOUNT_%s_SECRET_ACCESS_KEY" % name
    kid, sec = existing.get(kid_var), existing.get(sec_var)
    if kid and sec and resolves_to(args, kid, sec, account):
        return kid, sec

    iam = client("iam", args, account_header=account)
    user = args.user
    try:
        iam.create_user(UserName=user, Tags=[{"Key": "aao-local-env", "Value": "seed"}])
    except ClientError as e:
        if e.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
    iam.put_user_policy(UserName=user, PolicyName="AdministratorAccess", PolicyDocument=ADMIN_POLICY)
    # IAM allows two keys per user: drop stale ones before creating a fresh key.
    for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=user, AccessKeyId=k["AccessKeyId"])
    k = iam.create_access_key(UserName=user)["AccessKey"]
    kid, sec = k["AccessKeyId"], k["SecretAccessKey"]
    if not resolves_to(args, kid, sec, account):
        sys.exit("moto_bootstrap: key %s of %s does not resolve to account %s" % (kid, user, account))
    return kid, sec


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--endpoint", required=True)
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--account", action="append", required=True, metavar="NAME=ACCOUNT_ID")
    p.add_argument("--user", default="aao-admin")
    p.add_argument("--out", required=True)
    args = p.parse_args()

    existing = read_existing(args.out)
    lines = []
    for spec in args.account:
        name, account = spec.split("=", 1)
        kid, sec = seed(args, name, account, existing)
        print("moto_bootstrap: account %s (%s): user %s, key %s" % (name, account, args.user, kid), file=sys.stderr)
        lines.append("AAO_ACCOUNT_%s_ACCESS_KEY_ID=%s" % (name, shlex.quote(kid)))
        lines.append("AAO_ACCOUNT_%s_SECRET_ACCESS_KEY=%s" % (name, shlex.quote(sec)))
    tmp = args.out + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
