//go:build tools

// Package tools pins the helm command that e2e/local-env builds.
package tools

import (
	_ "helm.sh/helm/v3/cmd/helm"
)
