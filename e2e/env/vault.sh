# shellcheck shell=bash
# e2e/env/vault.sh: HashiCorp Vault, the benchmark's peer (sourced by e2e/local-env, whose
# `vault` command builds it once and prints the binary's path; not run on its own).
#
# Vault v1.14.10 is the last MPL-2.0 line and has the AWS secrets engine built in. Its module on
# the Go module proxy comes without the nested ./api and ./sdk modules its go.mod replaces with
# in-tree copies, and the proxy has no pseudo-version of those at that commit. The build copies the
# main module out of the module cache into a writable directory, puts the released api v1.9.2 and
# sdk v0.10.2 (the versions its go.mod requires) where ./api and ./sdk are expected, and applies
# the four shims of e2e/env/vault/shims/ (none on the AWS engine's path):
#   1. sdk/logical: ContextOriginalBodyValue / CreateContextOriginalBody (missing from sdk v0.10.2);
#   2. vault/eventbus: SendEvent, the name sdk v0.10.2's EventSender asks for, as an alias of Send;
#   3. api: the CLI's RaftAutopilot*WithDRToken calls, as the plain RaftAutopilot* ones;
#   4. sdk/framework: the start-up check "Pattern ... defines a CreateOperation but no
#      ExistenceCheck" (newer than Vault 1.14; its managed-keys/.../test/sign path fails it) off.
# Files under shims/<module>/ are copied into that module's copy; shims/<module>/*.patch are
# applied to it with `patch -p1`.
#
# Cache: $CACHE_DIR/vault-$VAULT_VERSION/bin/vault, valid while .complete holds the hash of the
# versions and the shims (a changed shim rebuilds it; so does VAULT_SHIMS_REV, bumped when a change
# of this file changes the binary). The build runs under `nice -n 19`
# with GOFLAGS=-p=1 (one package at a time: the machine is shared); a cold one takes 10-25 minutes
# on 2 cores and writes a ~270 MB binary. Knob: AAO_VAULT_GOFLAGS (default -p=1).

VAULT_VERSION="v1.14.10"
VAULT_API_VERSION="v1.9.2"
VAULT_SDK_VERSION="v0.10.2"
VAULT_DIR="$CACHE_DIR/vault-$VAULT_VERSION"
VAULT_BIN="$VAULT_DIR/bin/vault"
VAULT_SHIMS="$ENV_SRC/vault/shims"
VAULT_SHIMS_REV=1

vault_stamp() {
  {
    echo "vault $VAULT_VERSION api $VAULT_API_VERSION sdk $VAULT_SDK_VERSION rev $VAULT_SHIMS_REV"
    (cd "$VAULT_SHIMS" && find . -type f | LC_ALL=C sort | while read -r f; do
      echo "$f"; cat "$f"
    done)
  } | sha256sum | cut -d' ' -f1
}

vault_built() {
  [[ -x "$VAULT_BIN" && -f "$VAULT_DIR/.complete" && "$(cat "$VAULT_DIR/.complete")" == "$(vault_stamp)" ]]
}

# Copy the shims of one module (shims/<name>) into its copy at $2 and apply its patches.
vault_apply_shims() {
  local name="$1" dest="$2" f
  (cd "$VAULT_SHIMS/$name" && find . -type f ! -name '*.patch' | LC_ALL=C sort) | while read -r f; do
    mkdir -p "$dest/$(dirname "$f")"
    cp "$VAULT_SHIMS/$name/$f" "$dest/$f"
  done
  for f in "$VAULT_SHIMS/$name"/*.patch; do
    [[ -e "$f" ]] || continue
    patch -s -p1 -d "$dest" <"$f" || return 1
  done
}

# The build itself, in $1 (its output goes to the caller's log). Each step's failure is returned:
# errexit does not apply in the `if` of the caller.
vault_build_in() {
  local tmp="$1" modcache stamp
  modcache="$("$GO" env GOMODCACHE)" || return 1
  stamp="$(vault_stamp)"
  nice -n 19 "$GO" mod download "github.com/hashicorp/vault@$VAULT_VERSION" \
    "github.com/hashicorp/vault/api@$VAULT_API_VERSION" "github.com/hashicorp/vault/sdk@$VAULT_SDK_VERSION" || return 1
  cp -r "$modcache/github.com/hashicorp/vault@$VAULT_VERSION" "$tmp/src" || return 1
  cp -r "$modcache/github.com/hashicorp/vault/api@$VAULT_API_VERSION" "$tmp/src/api" || return 1
  cp -r "$modcache/github.com/hashicorp/vault/sdk@$VAULT_SDK_VERSION" "$tmp/src/sdk" || return 1
  chmod -R u+w "$tmp/src" || return 1
  vault_apply_shims vault "$tmp/src" || return 1
  vault_apply_shims api "$tmp/src/api" || return 1
  vault_apply_shims sdk "$tmp/src/sdk" || return 1
  # ./api and ./sdk stay replaced, by the released copies; the auth helpers (nested modules of
  # ./api in the tree) come from the proxy at the versions go.mod requires.
  (cd "$tmp/src" && "$GO" mod edit -dropreplace=github.com/hashicorp/vault/api/auth/approle \
      -dropreplace=github.com/hashicorp/vault/api/auth/kubernetes \
      -dropreplace=github.com/hashicorp/vault/api/auth/userpass) || return 1
  (cd "$tmp/src" && nice -n 19 "$GO" build -trimpath \
      -ldflags "-s -w -X github.com/hashicorp/vault/version.GitCommit=aao-shims-${stamp:0:12}" \
      -o "$tmp/vault" .) || return 1
}

build_vault_locked() {
  vault_built && return 0
  mkdir -p "$VAULT_DIR/bin"
  rm -f "$VAULT_DIR/.complete"
  rm -rf "$VAULT_DIR"/.build.*
  local tmp; tmp="$(mktemp -d "$VAULT_DIR/.build.XXXXXX")"
  local logf="$VAULT_DIR/build.log" start=$SECONDS
  log "building Vault $VAULT_VERSION (api $VAULT_API_VERSION, sdk $VAULT_SDK_VERSION, shims: $VAULT_SHIMS; log: $logf); a cold build takes 10-25 minutes"
  if ! GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="${AAO_VAULT_GOFLAGS:--p=1} -mod=mod -buildvcs=false" \
      vault_build_in "$tmp" >"$logf" 2>&1; then
    rm -rf "$tmp"; tail -n 30 "$logf" >&2
    die "building Vault $VAULT_VERSION failed; see $logf"
  fi
  mv -f "$tmp/vault" "$VAULT_BIN"
  rm -rf "$tmp"
  vault_stamp >"$VAULT_DIR/.complete"
  log "built Vault $VAULT_VERSION in $((SECONDS - start))s -> $VAULT_BIN"
}
