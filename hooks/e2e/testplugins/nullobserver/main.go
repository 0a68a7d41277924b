// Command nullobserver is a hook plugin that observes leases4_committed
// and leases6_committed (observe-only) and does nothing with the events:
// what it costs a server is the observer transport alone, the floor under
// any observer plugin. The bench measures it beside examples/plugin-observe:
//
//	go build -o /tmp/nullobserver ./hooks/e2e/testplugins/nullobserver
//	sudo go run ./bench -servers leasehold -hooks /tmp/nullobserver
package main

import (
	"context"
	"encoding/json"

	"github.com/leasehold/leasehold/hooks"
)

func main() { hooks.ServePlugin(nullObserver{}) }

type nullObserver struct{}

func (nullObserver) Load(_ context.Context, raw json.RawMessage) (hooks.Registration, error) {
	if err := hooks.DecodeParameters(raw, &struct{}{}); err != nil {
		return nil, err
	}
	return hooks.Registration{hooks.Leases4Committed: hooks.Observe, hooks.Leases6Committed: hooks.Observe}, nil
}

func (nullObserver) Callout(context.Context, hooks.Point, *hooks.Args) (hooks.NextStep, error) {
	return hooks.Continue, nil
}

func (nullObserver) Unload(context.Context) error { return nil }
