#!/usr/bin/env python3
"""Writes a container image tar from directories, reproducibly, with no container engine.

The tar holds an OCI image layout (oci-layout, index.json, blobs/sha256/...) and Docker's
manifest.json pointing at the same blobs, the format `docker save` writes since Docker 25: it loads
with `docker load`, `ctr images import`, `k3d image import`, `kind load image-archive`, and reads
with skopeo (oci-archive: or docker-archive:).

Each --layer is NAME|SOURCE_DIR|DEST_DIR|ENTRIES: the ENTRIES (comma-separated names in
SOURCE_DIR; empty: all of it) land under DEST_DIR. Files keep their permission bits; owners are
root, times are SOURCE_DATE_EPOCH (default 1 s after the epoch), entries are sorted.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import stat
import sys
import tarfile
import tempfile

EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "1"))
USER = "65532:65532"
PORT = "8080/tcp"
ENTRYPOINT = ["/opt/java/bin/java", "-jar", "/app/quarkus-run.jar"]


def tar_info(name, path=None, kind=None):
    ti = tarfile.TarInfo(name)
    ti.mtime = EPOCH
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = ""
    if kind == "dir":
        ti.type = tarfile.DIRTYPE
        ti.mode = 0o755
        return ti
    st = os.lstat(path)
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        ti.type = tarfile.SYMTYPE
        ti.linkname = os.readlink(path)
        ti.mode = 0o777
    elif stat.S_ISDIR(st.st_mode):
        ti.type = tarfile.DIRTYPE
        ti.mode = mode
    elif stat.S_ISREG(st.st_mode):
        ti.type = tarfile.REGTYPE
        ti.size = st.st_size
        # readable by everyone, executable where it was
        ti.mode = (mode | 0o444) & ~0o022
    else:
        raise SystemExit(f"unsupported file type: {path}")
    return ti


def walk(root):
    """(relative path, absolute path) of everything under root, parents first, sorted."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for n in sorted(dirnames + filenames):
            full = os.path.join(dirpath, n)
            out.append((os.path.relpath(full, root), full))
            if os.path.islink(full) and n in dirnames:
                dirnames.remove(n)  # do not descend into symlinked directories
    return sorted(out)


def write_layer(spec, workdir):
    name, src, dest, entries = spec.split("|")
    dest = dest.strip("/")
    raw = os.path.join(workdir, name + ".tar")
    with tarfile.open(raw, "w", format=tarfile.PAX_FORMAT) as tar:
        if dest:
            parts = dest.split("/")
            for i in range(len(parts)):
                tar.addfile(tar_info("/".join(parts[: i + 1]), kind="dir"))
        roots = [(e, os.path.join(src, e)) for e in entries.split(",")] if entries else [("", src)]
        for rel_root, path in sorted(roots):
            if not os.path.lexists(path):
                raise SystemExit(f"layer {name}: {path} does not exist")
            items = [(rel_root, path)] if rel_root else []
            if os.path.isdir(path) and not os.path.islink(path):
                items += [(os.path.join(rel_root, r), f) for r, f in walk(path)]
            for rel, full in items:
                arcname = "/".join(p for p in (dest, rel) if p)
                ti = tar_info(arcname, full)
                if ti.type == tarfile.REGTYPE:
                    with open(full, "rb") as f:
                        tar.addfile(ti, f)
                else:
                    tar.addfile(ti)
    diff_id = sha256_file(raw)
    gz = raw + ".gz"
    with open(raw, "rb") as fin, open(gz, "wb") as fout:
        with gzip.GzipFile(filename="", mode="wb", fileobj=fout, mtime=0, compresslevel=6) as z:
            while chunk := fin.read(1 << 20):
                z.write(chunk)
    os.remove(raw)
    return name, diff_id, sha256_file(gz), os.path.getsize(gz), gz


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def full_name(name):
    """repository:tag as containerd names it (docker.io/library/ for a bare name)."""
    repo, _, tag = name.rpartition(":")
    first = repo.split("/")[0]
    if "/" in repo and ("." in first or ":" in first or first == "localhost"):
        return f"{repo}:{tag}"
    return f"docker.io/{repo}:{tag}" if "/" in repo else f"docker.io/library/{repo}:{tag}"


def blob(data):
    return "sha256:" + hashlib.sha256(data).hexdigest(), len(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True, help="repository:tag")
    ap.add_argument("--out", required=True)
    ap.add_argument("--layer", action="append", required=True)
    ap.add_argument("--jdk-release")
    ap.add_argument("--packages")
    # The operator image's settings are the defaults; other images (the local node's busybox and
    # AWS CLI images, e2e/env/images) set their own.
    ap.add_argument("--title", default="aws-auth-operator")
    ap.add_argument("--description", default="Leased AWS credentials and verified workload identities as Kubernetes resources")
    ap.add_argument("--user", default=USER)
    ap.add_argument("--port", default=PORT)
    ap.add_argument("--no-port", action="store_true")
    ap.add_argument("--entrypoint", default=json.dumps(ENTRYPOINT), help="JSON list")
    ap.add_argument("--cmd", help="JSON list")
    ap.add_argument("--env", action="append", help="NAME=value (replaces the default environment)")
    ap.add_argument("--workdir", default="/app")
    ap.add_argument("--tag", action="append", default=[], help="another repository:tag for the same image")
    a = ap.parse_args()
    repo, _, tag = a.name.rpartition(":")
    if not repo or "/" in tag:
        raise SystemExit(f"--name must be repository:tag, got {a.name}")

    labels = {
        "org.opencontainers.image.title": a.title,
        "org.opencontainers.image.version": tag,
        "org.opencontainers.image.description": a.description,
    }
    if a.jdk_release:
        with open(a.jdk_release) as f:
            rel = dict(l.strip().split("=", 1) for l in f if "=" in l)
        labels["io.awsauth.image.java-runtime"] = rel.get("JAVA_RUNTIME_VERSION", "").strip('"')
    if a.packages:
        with open(a.packages) as f:
            labels["io.awsauth.image.debian-packages"] = " ".join(l.strip() for l in f if l.strip())

    created = "1970-01-01T00:00:%02dZ" % EPOCH if EPOCH < 60 else None
    if created is None:
        import datetime
        created = datetime.datetime.fromtimestamp(EPOCH, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    with tempfile.TemporaryDirectory() as work:
        layers = [write_layer(spec, work) for spec in a.layer]
        config = {
            "created": created,
            "architecture": "amd64",
            "os": "linux",
            "config": {
                "User": a.user,
                "Env": a.env
                or [
                    "PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "JAVA_HOME=/opt/java",
                    "LANG=C.UTF-8",
                ],
                "Entrypoint": json.loads(a.entrypoint),
                "WorkingDir": a.workdir,
                "Labels": labels,
            },
            "rootfs": {"type": "layers", "diff_ids": [l[1] for l in layers]},
            "history": [
                {"created": created, "created_by": f"operator/image/build-image: {l[0]} layer"}
                for l in layers
            ],
        }
        if not a.no_port:
            config["config"]["ExposedPorts"] = {a.port: {}}
        if a.cmd:
            config["config"]["Cmd"] = json.loads(a.cmd)
        config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
        config_digest, config_size = blob(config_bytes)
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": config_digest,
                "size": config_size,
            },
            "layers": [
                {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": l[2], "size": l[3]}
                for l in layers
            ],
        }
        manifest_bytes = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
        manifest_digest, manifest_size = blob(manifest_bytes)
        names = [a.name] + a.tag
        index = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": manifest_digest,
                    "size": manifest_size,
                    "annotations": {
                        "io.containerd.image.name": full_name(n),
                        "org.opencontainers.image.ref.name": n.rpartition(":")[2],
                    },
                }
                for n in names
            ],
        }
        docker_manifest = [
            {
                "Config": "blobs/sha256/" + config_digest.split(":")[1],
                "RepoTags": names,
                "Layers": ["blobs/sha256/" + l[2].split(":")[1] for l in layers],
            }
        ]

        tmp_out = a.out + ".tmp"
        with tarfile.open(tmp_out, "w", format=tarfile.PAX_FORMAT) as out:

            def add_bytes(name, data):
                ti = tarfile.TarInfo(name)
                ti.size, ti.mtime, ti.mode = len(data), EPOCH, 0o644
                out.addfile(ti, io.BytesIO(data))

            for d in ("blobs", "blobs/sha256"):
                out.addfile(tar_info(d, kind="dir"))
            blobs = [(config_digest, config_bytes), (manifest_digest, manifest_bytes)]
            files = [(l[2], l[4]) for l in layers]
            for digest, path in sorted(files):
                ti = tarfile.TarInfo("blobs/sha256/" + digest.split(":")[1])
                ti.size, ti.mtime, ti.mode = os.path.getsize(path), EPOCH, 0o644
                with open(path, "rb") as f:
                    out.addfile(ti, f)
            for digest, data in sorted(blobs):
                add_bytes("blobs/sha256/" + digest.split(":")[1], data)
            add_bytes("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
            add_bytes("index.json", json.dumps(index, sort_keys=True, separators=(",", ":")).encode())
            add_bytes("manifest.json", json.dumps(docker_manifest, separators=(",", ":")).encode())
        os.replace(tmp_out, a.out)

    total = sum(l[3] for l in layers)
    print(f"[build-image] {a.name} -> {a.out}", file=sys.stderr)
    print(f"[build-image] manifest {manifest_digest}, config {config_digest}", file=sys.stderr)
    for l in layers:
        print(f"[build-image]   layer {l[0]:5} {l[3] / 1e6:7.1f} MB compressed  {l[2]}", file=sys.stderr)
    print(f"[build-image]   total {total / 1e6:.1f} MB compressed", file=sys.stderr)


if __name__ == "__main__":
    main()
