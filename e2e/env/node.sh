# shellcheck shell=bash
# e2e/env/node.sh: the local environment's node (sourced by e2e/local-env; not run on its own).
#
# One node named 127.0.0.1: kube-scheduler, containerd (Debian 12's 1.6 with runc 1.1) and a
# kubelet built from the same k8s.io/kubernetes module as the API server. Only hostNetwork pods
# run (a loopback-only CNI config makes the node Ready; there is no pod network, no bridge, no
# iptables), so every byte stays on 127.0.0.1.
#
# The host is left as found:
# - containerd, its shims and the kubelet run in a private mount namespace held by the `node-ns`
#   component (unshare --mount --propagation private). Inside it, /run, /var/lib and /var/log are
#   directories of the state dir (kubelet and containerd 1.6 hard-code /var/lib/kubelet,
#   /var/log/containers and /run/containerd), and the kernel tunables the kubelet would set
#   (vm.overcommit_memory, kernel.panic, ...) are files holding the wanted values bind-mounted over
#   /proc/sys. Every mount (volumes, container root file systems) lives and dies with that namespace.
# - cgroups: everything the kubelet and runc create sits under one cgroup named after the state dir
#   (aao-<hash>) in every hierarchy; `down` kills what is left in it and removes it.
# - The Debian packages are not installed: `apt-get download` + `dpkg-deb -x` into the cache
#   (runc needs libseccomp2, which Debian installs with apt itself).
# - Every port is a free port of ports.env, every socket is under the state dir: several
#   environments run side by side on one host.

NODE_NAME="127.0.0.1"
NODE_COMPONENTS=(kube-scheduler node-ns containerd kubelet)
NODE_DEBS="containerd runc busybox-static containernetworking-plugins"
# Images the node gets without a registry (imagePullPolicy: Never / IfNotPresent).
PAUSE_IMAGE="aao.local/pause:busybox"

node_dir() { echo "$STATE_DIR/node"; }
node_cgroup() { echo "aao-$(printf '%s' "$STATE_DIR" | sha256sum | cut -c1-12)"; }

# ---------------------------------------------------------------------------------------------
# Binaries: kubelet + kube-scheduler (Go build), containerd/runc/busybox/loopback (Debian debs)
# ---------------------------------------------------------------------------------------------
node_k8s_built() { [[ -x "$K8S_BIN/kubelet" && -x "$K8S_BIN/kube-scheduler" ]]; }

build_node_k8s_locked() {
  node_k8s_built && return 0
  mkdir -p "$K8S_BIN"
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local ldflags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$K8S_BUILD_DATE"
  done
  local tmp; tmp="$(mktemp -d "$K8S_DIR/.build-node.XXXXXX")"
  local logf="$K8S_DIR/build-node.log"
  log "building kubelet, kube-scheduler $K8S_VERSION (log: $logf)"
  local start=$SECONDS
  if ! (cd "$ENV_SRC/k8s" && CGO_ENABLED=0 GOTOOLCHAIN=local "$GO" build -mod=readonly -trimpath \
          -ldflags "$ldflags" -o "$tmp/" \
          k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-scheduler) >"$logf" 2>&1; then
    rm -rf "$tmp"
    tail -n 30 "$logf" >&2
    die "building kubelet/kube-scheduler $K8S_VERSION failed; see $logf"
  fi
  mv -f "$tmp/kubelet" "$tmp/kube-scheduler" "$K8S_BIN/"
  rm -rf "$tmp"
  log "built kubelet, kube-scheduler in $((SECONDS - start))s -> $K8S_BIN"
}

deb_candidate() { apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p'; }

# NODE_ROOT: the extracted packages (usr/bin/containerd, usr/sbin/runc, bin/busybox, ...),
# keyed by the package versions.
node_debs_key() {
  local p v out=""
  for p in $NODE_DEBS; do
    v="$(deb_candidate "$p")"
    [[ -n "$v" && "$v" != "(none)" ]] || return 1
    out+="$p=$v "
  done
  printf '%s' "$out"
}

find_node_root() {
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
    || die "the node needs apt-get and dpkg-deb (Debian 12) to fetch containerd, runc, busybox-static, containernetworking-plugins; or run 'e2e/local-env up --no-node'"
  local key
  if ! key="$(node_debs_key)"; then
    log "apt has no candidate for one of: $NODE_DEBS; running 'apt-get update' once"
    apt-get update -q >"$CACHE_DIR/apt-update.log" 2>&1 \
      || die "apt-get update failed (see $CACHE_DIR/apt-update.log); the node needs the packages $NODE_DEBS from Debian 12"
    key="$(node_debs_key)" || die "apt has no candidate for one of the packages $NODE_DEBS (Debian 12 'main' needed); or run 'e2e/local-env up --no-node'"
  fi
  NODE_DEBS_KEY="$key"
  NODE_ROOT="$CACHE_DIR/node-debs-$(printf '%s' "$key" | sha256sum | cut -c1-12)/root"
}

fetch_node_debs_locked() {
  [[ -f "$NODE_ROOT/.complete" ]] && return 0
  local dir; dir="$(dirname "$NODE_ROOT")"
  mkdir -p "$dir"
  local tmp; tmp="$(mktemp -d "$dir/.fetch.XXXXXX")"
  local logf="$dir/fetch.log" start=$SECONDS
  log "fetching Debian packages $NODE_DEBS_KEY(apt-get download, not installed; log: $logf)"
  if ! (cd "$tmp" && apt-get download $NODE_DEBS) >"$logf" 2>&1; then
    rm -rf "$tmp"; tail -n 10 "$logf" >&2
    die "apt-get download $NODE_DEBS failed; see $logf"
  fi
  mkdir -p "$tmp/root"
  local deb
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
  rm -f "$tmp"/*.deb
  rm -rf "$NODE_ROOT"
  mv "$tmp/root" "$NODE_ROOT"
  rm -rf "$tmp"
  printf '%s\n' "$NODE_DEBS_KEY" >"$NODE_ROOT/.complete"
  log "node packages ready in $((SECONDS - start))s -> $NODE_ROOT"
}

CONTAINERD_BIN() { echo "$NODE_ROOT/usr/bin/containerd"; }
CTR() { "$NODE_ROOT/usr/bin/ctr" --address "$(node_dir)/containerd/containerd.sock" -n k8s.io "$@"; }

check_node_host() {
  local v
  for v in "$NODE_ROOT/usr/bin/containerd" "$NODE_ROOT/usr/bin/containerd-shim-runc-v2" \
           "$NODE_ROOT/usr/sbin/runc" "$NODE_ROOT/bin/busybox" "$NODE_ROOT/usr/lib/cni/loopback"; do
    [[ -x "$v" ]] || die "$v missing from the extracted packages; delete $(dirname "$NODE_ROOT") and retry"
  done
  if ldd "$NODE_ROOT/usr/sbin/runc" 2>/dev/null | grep -q 'not found'; then
    die "runc needs libraries that are not installed: $(ldd "$NODE_ROOT/usr/sbin/runc" | grep 'not found' | awk '{print $1}' | tr '\n' ' ')(Debian: apt-get install libseccomp2)"
  fi
  need_tool unshare "util-linux; the node runs in a private mount namespace"
  need_tool nsenter "util-linux; the node runs in a private mount namespace"
  [[ "$(id -u)" == 0 ]] || die "the node (kubelet, containerd) needs root; run 'e2e/local-env up --no-node' for the control plane only"
  [[ -d /sys/fs/cgroup/memory || -f /sys/fs/cgroup/cgroup.controllers ]] \
    || die "no cgroup file system at /sys/fs/cgroup; the node needs cgroups (or run 'e2e/local-env up --no-node')"
}

provision_node() {
  with_lock "$CACHE_DIR/.lock-k8s-$K8S_VERSION" build_node_k8s_locked
  find_node_root
  with_lock "$CACHE_DIR/.lock-node-debs" fetch_node_debs_locked
  check_node_host
}

# ---------------------------------------------------------------------------------------------
# Certificates and configuration
# ---------------------------------------------------------------------------------------------
# Kubelet client (system:node:127.0.0.1 in system:nodes: the Node authorizer and NodeRestriction
# apply), kubelet serving (IP 127.0.0.1, verified by the API server), the API server's client
# certificate towards kubelets (authorized by the kubelet's webhook through RBAC), the scheduler.
gen_node_certs() {
  local d="$STATE_DIR/pki"
  [[ -f "$d/.node-complete" ]] && return 0
  (
    cd "$d"
    cat >client.ext <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
EOF
    cat >kubelet-serving.ext <<EOF
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EOF
    local who subj ext
    for who in kubelet kubelet-serving apiserver-kubelet-client scheduler; do
      ext=client.ext
      case "$who" in
        kubelet) subj="/O=system:nodes/CN=system:node:$NODE_NAME" ;;
        kubelet-serving) subj="/CN=$NODE_NAME"; ext=kubelet-serving.ext ;;
        apiserver-kubelet-client) subj="/CN=kube-apiserver-kubelet-client" ;;
        scheduler) subj="/CN=system:kube-scheduler" ;;
      esac
      openssl genrsa -out "$who.key" 2048
      openssl req -new -key "$who.key" -subj "$subj" -out "$who.csr"
      openssl x509 -req -in "$who.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 3650 \
        -extfile "$ext" -out "$who.crt"
    done
    rm -f ./*.csr ./*.ext ca.srl
  ) >>"$STATE_DIR/logs/openssl.log" 2>&1 || { tail -n 20 "$STATE_DIR/logs/openssl.log" >&2; die "node certificate generation failed"; }
  chmod 600 "$d"/*.key
  touch "$d/.node-complete"
}

write_node_config() {
  local nd; nd="$(node_dir)"
  mkdir -p "$nd"/{cni,containerd,kubelet,pod-logs,sysctl,run,var-lib,var-log}
  write_kubeconfig "$nd/kubelet.kubeconfig" "system:node:$NODE_NAME" "$STATE_DIR/pki/kubelet.crt" "$STATE_DIR/pki/kubelet.key"
  write_kubeconfig "$STATE_DIR/kube-scheduler.kubeconfig" kube-scheduler "$STATE_DIR/pki/scheduler.crt" "$STATE_DIR/pki/scheduler.key"
  printf 'nameserver 127.0.0.1\n' >"$nd/resolv.conf"
  cat >"$nd/cni/10-loopback.conflist" <<'EOF'
{"cniVersion":"0.4.0","name":"loopback-only","plugins":[{"type":"loopback"}]}
EOF
  mkdir -p "$nd/cni-bin"
  ln -sfn "$NODE_ROOT/usr/lib/cni/loopback" "$nd/cni-bin/loopback"
  cat >"$nd/containerd/config.toml" <<EOF
version = 2
root = "$nd/containerd/root"
state = "$nd/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$nd/containerd/containerd.sock"
[ttrpc]
  address = "$nd/containerd/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$nd/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  disable_cgroup = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$NODE_ROOT/usr/sbin/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$nd/cni-bin"
    conf_dir = "$nd/cni"
EOF
  cat >"$nd/kubelet-config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
tlsCertFile: $STATE_DIR/pki/kubelet-serving.crt
tlsPrivateKeyFile: $STATE_DIR/pki/kubelet-serving.key
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: $STATE_DIR/pki/ca.crt
authorization:
  mode: Webhook
containerRuntimeEndpoint: unix://$nd/containerd/containerd.sock
cgroupDriver: cgroupfs
cgroupRoot: /$(node_cgroup)
cgroupsPerQOS: true
failSwapOn: false
failCgroupV1: false
makeIPTablesUtilChains: false
protectKernelDefaults: false
oomScoreAdj: 0
resolvConf: $nd/resolv.conf
podLogsDir: $nd/pod-logs
syncFrequency: 10s
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 1Mi
  nodefs.available: 1%
  imagefs.available: 1%
  nodefs.inodesFree: 1%
maxPods: 60
serializeImagePulls: false
registerWithTaints: []
shutdownGracePeriod: 0s
localStorageCapacityIsolation: false
EOF
}

# The kernel tunables the kubelet sets when they differ (setupKernelTunables): a file with the
# wanted value over each one that differs, inside the node's mount namespace only.
node_sysctls() {
  printf '%s\n' vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1 \
    kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000
}

# ---------------------------------------------------------------------------------------------
# cgroups
# ---------------------------------------------------------------------------------------------
cgroup_hierarchies() {
  local m
  while read -r _ m fstype _; do
    [[ "$fstype" == cgroup || "$fstype" == cgroup2 ]] && echo "$m"
  done </proc/mounts
}

make_node_cgroups() {
  local h cg; cg="$(node_cgroup)"
  for h in $(cgroup_hierarchies); do
    mkdir -p "$h/$cg"
    # cpuset (v1): a new cgroup starts with no cpus/mems; copy the parent's.
    if [[ -f "$h/$cg/cpuset.cpus" && -z "$(cat "$h/$cg/cpuset.cpus")" ]]; then
      cat "$h/cpuset.cpus" >"$h/$cg/cpuset.cpus"
      cat "$h/cpuset.mems" >"$h/$cg/cpuset.mems"
    fi
  done
}

# Processes left in the node's cgroups (containers whose shim is gone).
node_cgroup_pids() {
  local h cg; cg="$(node_cgroup)"
  for h in $(cgroup_hierarchies); do
    [[ -d "$h/$cg" ]] || continue
    find "$h/$cg" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -u
}

kill_node_cgroup_procs() {
  local i pids
  for ((i = 0; i < 50; i++)); do
    pids="$(node_cgroup_pids)"
    [[ -z "$pids" ]] && break
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.1
  done
  [[ -z "$(node_cgroup_pids)" ]] || log "WARNING: processes still in cgroup $(node_cgroup): $(node_cgroup_pids | tr '\n' ' ')"
}

remove_node_cgroups() {
  local h cg; cg="$(node_cgroup)"
  kill_node_cgroup_procs
  for h in $(cgroup_hierarchies); do
    [[ -d "$h/$cg" ]] || continue
    find "$h/$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [[ -d "$h/$cg" ]] && log "WARNING: could not remove cgroup $h/$cg"
  done
  return 0
}

# ---------------------------------------------------------------------------------------------
# Components
# ---------------------------------------------------------------------------------------------
node_ns_pid() { component_pid node-ns; }

# The mount namespace: /run, /var/lib, /var/log of the state dir, the tunables, then it holds the
# namespace open (sleep) until it is stopped.
run_node_ns() {
  local nd; nd="$(node_dir)"
  rm -f "$nd/ns.ready"
  local script="
set -e
mount -n --make-rprivate /
mount -n --bind '$nd/run' /run
mount -n --bind '$nd/var-lib' /var/lib
mount -n --bind '$nd/var-log' /var/log
mkdir -p /run/containerd /var/lib/kubelet /var/log/containers
"
  local kv key want
  while IFS= read -r kv; do
    key="${kv%%=*}"; want="${kv#*=}"
    if [[ -f "/proc/sys/$key" && "$(cat "/proc/sys/$key")" != "$want" ]]; then
      printf '%s\n' "$want" >"$nd/sysctl/${key//\//.}"
      script+="mount -n --bind '$nd/sysctl/${key//\//.}' '/proc/sys/$key'
"
    fi
  done < <(node_sysctls)
  script+="touch '$nd/ns.ready'
exec sleep infinity
"
  start_component node-ns "" unshare --mount --propagation private -- bash -c "$script"
}

in_node_ns() { # cmd... : exec the command inside the node's mount namespace
  local pid; pid="$(node_ns_pid)" || die "the node's mount namespace (node-ns) is not running"
  nsenter --mount="/proc/$pid/ns/mnt" -- "$@"
}

run_containerd() {
  local pid nd; nd="$(node_dir)"
  pid="$(node_ns_pid)" || die "the node's mount namespace (node-ns) is not running"
  rm -f "$nd/containerd/containerd.sock"
  start_component containerd "" env PATH="$NODE_ROOT/usr/bin:$NODE_ROOT/usr/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
    nsenter --mount="/proc/$pid/ns/mnt" -- "$(CONTAINERD_BIN)" --config "$nd/containerd/config.toml" --log-level warn
}

run_kubelet() {
  local pid nd; nd="$(node_dir)"
  pid="$(node_ns_pid)" || die "the node's mount namespace (node-ns) is not running"
  make_node_cgroups
  start_component kubelet "$KUBELET_PORT" env PATH="$NODE_ROOT/usr/bin:$NODE_ROOT/usr/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
    nsenter --mount="/proc/$pid/ns/mnt" -- "$K8S_BIN/kubelet" \
    --config="$nd/kubelet-config.yaml" \
    --kubeconfig="$nd/kubelet.kubeconfig" \
    --root-dir="$nd/kubelet" \
    --cert-dir="$nd/kubelet/pki" \
    --hostname-override="$NODE_NAME" \
    --v=1
}

run_scheduler() {
  local kc="$STATE_DIR/kube-scheduler.kubeconfig"
  start_component kube-scheduler "$SCHEDULER_PORT" "$K8S_BIN/kube-scheduler" \
    --kubeconfig="$kc" \
    --authentication-kubeconfig="$kc" \
    --authorization-kubeconfig="$kc" \
    --authentication-skip-lookup=true \
    --client-ca-file="$STATE_DIR/pki/ca.crt" \
    --bind-address=127.0.0.1 \
    --secure-port="$SCHEDULER_PORT" \
    --leader-elect=false
}

node_ns_healthy() {
  local pid; pid="$(node_ns_pid)" || return 1
  [[ -f "$(node_dir)/ns.ready" && "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]]
}
containerd_healthy() {
  [[ -S "$(node_dir)/containerd/containerd.sock" ]] && CTR version >/dev/null 2>&1
}
kubelet_healthy() {
  [[ "$(curl -s --max-time 2 "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz" 2>/dev/null)" == "ok" ]]
}
scheduler_healthy() {
  [[ "$(curl -sk --max-time 2 "https://127.0.0.1:$SCHEDULER_PORT/healthz" 2>/dev/null)" == "ok" ]]
}

# RBAC for the API server's kubelet client (logs, exec, port-forward through the kubelet's webhook).
apply_node_rbac() {
  "$KUBECTL" --kubeconfig "$STATE_DIR/kubeconfig" apply -f - >/dev/null <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: aao-local:kube-apiserver-kubelet-client
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:kubelet-api-admin
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: kube-apiserver-kubelet-client
EOF
}

wait_node_ready() {
  local deadline=$((SECONDS + READY_TIMEOUT))
  until [[ "$("$KUBECTL" --kubeconfig "$STATE_DIR/kubeconfig" get node "$NODE_NAME" \
              -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]; do
    ((SECONDS < deadline)) || die "node $NODE_NAME not Ready after ${READY_TIMEOUT}s; see $STATE_DIR/logs/kubelet.log"
    component_pid kubelet >/dev/null || die "kubelet exited; see $STATE_DIR/logs/kubelet.log"
    sleep 0.3
  done
  log "node $NODE_NAME is Ready"
}

# Images every pod of the node may need: the pause image (busybox-static, one layer).
import_node_images() {
  local nd; nd="$(node_dir)"
  if ! CTR images check "name==$PAUSE_IMAGE" 2>/dev/null | grep -q "$PAUSE_IMAGE"; then
    local tar; tar="$(busybox_image_tar)"
    CTR images import --no-unpack=false "$tar" >/dev/null || die "importing $tar into containerd failed"
  fi
}

# aao.local/pause:busybox (= aao.local/busybox:<version>): Debian's busybox-static with its applet
# links; the default command sleeps, which serves as the pod sandbox.
busybox_image_tar() {
  local v; v="$(deb_candidate busybox-static | tr ':~+' '___')"
  local dir="$CACHE_DIR/images/busybox-$v"
  if [[ ! -s "$dir/image.tar" ]]; then
    mkdir -p "$dir"
    local tmp; tmp="$(mktemp -d "$dir/.build.XXXXXX")"
    mkdir -p "$tmp/root/bin" "$tmp/root/tmp" "$tmp/root/etc"
    cp "$NODE_ROOT/bin/busybox" "$tmp/root/bin/busybox"
    local a
    for a in $("$NODE_ROOT/bin/busybox" --list); do
      [[ "$a" == busybox ]] || ln -s busybox "$tmp/root/bin/$a"
    done
    chmod 1777 "$tmp/root/tmp"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$tmp/root/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' >"$tmp/root/etc/group"
    python3 "$ROOT_DIR/operator/image/write_image.py" --name "$PAUSE_IMAGE" --out "$tmp/image.tar" \
      --layer "busybox|$tmp/root|/|" --title busybox --user 65534:65534 --no-port \
      --entrypoint '["/bin/sleep","2147483647"]' --env PATH=/bin --workdir / \
      --tag "aao.local/busybox:$v" 2>>"$STATE_DIR/logs/images.log" \
      || die "building the busybox image failed; see $STATE_DIR/logs/images.log"
    mv -f "$tmp/image.tar" "$dir/image.tar"
    rm -rf "$tmp"
  fi
  echo "$dir/image.tar"
}

# `down` for the node: the kubelet first (it would restart containers), then what runs in the
# node's cgroup, then containerd and its shims, then the namespace (its mounts go with it).
node_down() {
  local c pid stopped=()
  for c in kubelet kube-scheduler; do
    if pid="$(component_pid "$c")"; then stopped+=("$pid"); fi
    stop_component "$c"
  done
  kill_node_cgroup_procs
  for c in containerd node-ns; do
    if pid="$(component_pid "$c")"; then stopped+=("$pid"); fi
    stop_component "$c"
  done
  printf '%s\n' "${stopped[@]}"
}
