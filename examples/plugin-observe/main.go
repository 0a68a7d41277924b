// Command plugin-observe is a leasehold hook plugin that logs every
// committed lease, DHCPv4 and DHCPv6. It registers leases4_committed and
// leases6_committed as observe-only, so the server never waits for it: the
// leases reach it in order on the plugin's event stream.
//
// Configure it in Dhcp4 or Dhcp6:
//
//	"hooks-libraries": [{
//	  "library": "/usr/local/lib/leasehold/plugin-observe",
//	  "parameters": { "include-deleted": true }
//	}]
//
// Its log lines (JSON on stderr) appear in the server's log under the
// library's name.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

func main() { hooks.ServePlugin(&observer{}) }

// observer logs committed leases; with include-deleted (the default) it
// logs the leases a RELEASE or DECLINE removed as well.
type observer struct {
	includeDeleted bool
}

func (o *observer) Load(_ context.Context, raw json.RawMessage) (hooks.Registration, error) {
	p := struct {
		IncludeDeleted *bool `json:"include-deleted"`
	}{}
	if err := hooks.DecodeParameters(raw, &p); err != nil {
		return nil, fmt.Errorf("plugin-observe parameters: %w", err)
	}
	o.includeDeleted = p.IncludeDeleted == nil || *p.IncludeDeleted
	return hooks.Registration{
		hooks.Leases4Committed: hooks.Observe,
		hooks.Leases6Committed: hooks.Observe,
	}, nil
}

func (o *observer) Callout(ctx context.Context, p hooks.Point, a *hooks.Args) (hooks.NextStep, error) {
	if !slog.Default().Enabled(ctx, slog.LevelInfo) {
		return hooks.Continue, nil // the server drops INFO lines: spare building them
	}
	for i := range a.Leases4 {
		log4(ctx, "lease committed", &a.Leases4[i], a.Outcome)
	}
	for i := range a.Leases6 {
		log6(ctx, "lease committed", &a.Leases6[i], a.Outcome)
	}
	if o.includeDeleted {
		for i := range a.DeletedLeases4 {
			log4(ctx, "lease deleted", &a.DeletedLeases4[i], a.Outcome)
		}
		for i := range a.DeletedLeases6 {
			log6(ctx, "lease deleted", &a.DeletedLeases6[i], a.Outcome)
		}
	}
	return hooks.Continue, nil
}

func (o *observer) Unload(context.Context) error { return nil }

func log4(ctx context.Context, msg string, l *lease.Lease4, outcome hooks.NextStep) {
	slog.InfoContext(ctx, msg, "address", l.Addr.String(), "hwaddr", net.HardwareAddr(l.HWAddr).String(),
		"client_id", fmt.Sprintf("%x", l.ClientID), "valid_lifetime", l.ValidLifetime, "cltt", l.CLTT,
		"subnet_id", l.SubnetID, "hostname", l.Hostname, "state", uint8(l.State), "outcome", outcome.String())
}

func log6(ctx context.Context, msg string, l *lease.Lease6, outcome hooks.NextStep) {
	slog.InfoContext(ctx, msg, "address", l.Addr.String(), "prefix_len", l.PrefixLen, "type", uint8(l.Type),
		"duid", fmt.Sprintf("%x", l.DUID), "iaid", l.IAID, "valid_lifetime", l.ValidLifetime,
		"preferred_lifetime", l.PreferredLifetime, "cltt", l.CLTT, "subnet_id", l.SubnetID,
		"hostname", l.Hostname, "state", uint8(l.State), "outcome", outcome.String())
}
