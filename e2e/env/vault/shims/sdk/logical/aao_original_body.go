// Shim 1 of e2e/env/vault.sh: Vault v1.14.10's HTTP layer keeps the request's original body in
// its context through these two functions, which its in-tree sdk has and the released sdk v0.10.2
// lacks. A context key holding the body, as the in-tree sdk defines it.

package logical

import (
	"context"
	"io"
)

type ctxKeyOriginalBody struct{}

// ContextOriginalBodyValue returns the original body a request's context holds.
func ContextOriginalBodyValue(ctx context.Context) (io.ReadCloser, bool) {
	value, ok := ctx.Value(ctxKeyOriginalBody{}).(io.ReadCloser)
	return value, ok
}

// CreateContextOriginalBody returns a context holding the request's original body.
func CreateContextOriginalBody(parent context.Context, body io.ReadCloser) context.Context {
	return context.WithValue(parent, ctxKeyOriginalBody{}, body)
}
