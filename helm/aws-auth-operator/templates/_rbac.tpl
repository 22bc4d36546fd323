{{/*
The operator's cluster-wide rules. config/rbac/cluster-role.yaml holds the same rules as a plain
manifest (ChartTemplateTest fails when the two differ). No wildcard verbs or resources.
*/}}
{{- define "aws-auth-operator.clusterRules" -}}
# The four kinds: watched cluster-wide (informers list and watch).
- apiGroups: ["awsauth.io"]
  resources: ["awsauthconfigs", "stsrolebindings", "vaultawsroles", "awscredentialrequests"]
  verbs: ["get", "list", "watch"]
# Status is written through the status subresource only.
- apiGroups: ["awsauth.io"]
  resources: ["awsauthconfigs/status", "stsrolebindings/status", "vaultawsroles/status", "awscredentialrequests/status"]
  verbs: ["patch", "update"]
# Finalizers: the kinds whose deletion undoes something in AWS (a binding's managed trust, a
# request's lease) carry the operator's finalizer, added and removed with patch/update.
- apiGroups: ["awsauth.io"]
  resources: ["awscredentialrequests", "stsrolebindings"]
  verbs: ["patch", "update"]
# Secrets. The operator creates the Secrets it issues credentials into (owned by their
# AwsCredentialRequest), updates them on rotation, reads by name the Secrets that configs and
# bindings reference, and labels those so that its informers, which are label-selected
# (app.kubernetes.io/managed-by=aws-auth-operator, awsauth.io/watched=true), see their changes;
# it never caches every Secret of the cluster. Kubernetes RBAC cannot restrict a verb by label,
# so these verbs apply to all Secrets: treat this ServiceAccount as able to read any Secret.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
# Workload identity: the requesting service account, the pod a lease is bound to, and the node
# it runs on (EC2 instance identity).
- apiGroups: [""]
  resources: ["pods", "nodes", "serviceaccounts"]
  verbs: ["get", "list", "watch"]
# The cluster's identity in the tags of issued IAM users: the kube-system namespace's UID
# (unless aao.cluster-id is set), so that one cluster's orphan sweep never touches another's.
- apiGroups: [""]
  resources: ["namespaces"]
  resourceNames: ["kube-system"]
  verbs: ["get"]
# Rollout restart of a request's spec.rolloutRestartTargets after rotation (a patch of the pod
# template's restartedAt annotation; list for the targets that select workloads by matchLabels).
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets", "daemonsets"]
  verbs: ["get", "list", "patch"]
# Events about the operator's objects (events.k8s.io/v1, and core/v1 for older clients).
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/* Leader election, in the release namespace only. */}}
{{- define "aws-auth-operator.leaderElectionRules" -}}
# JOSDK checks get/create/update before it starts; fabric8's LeaseLock renews the Lease with
# a PATCH, so patch is needed too (without it the leader loses the lease at its first renewal).
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "update", "patch"]
{{- end }}
