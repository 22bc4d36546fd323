// Shim 2 of e2e/env/vault.sh: sdk v0.10.2's logical.EventSender names the method SendEvent;
// Vault v1.14.10's plugin event bus names it Send. An alias.

package eventbus

import (
	"context"

	"github.com/hashicorp/vault/sdk/logical"
)

// SendEvent is Send under the name sdk v0.10.2's logical.EventSender asks for.
func (bus *pluginEventBus) SendEvent(ctx context.Context, eventType logical.EventType, data *logical.EventData) error {
	return bus.Send(ctx, eventType, data)
}
