package dhcp4

import (
	"context"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/lease"
)

// Hook points fire where Kea 2.2 fires them, with Kea's arguments (see the
// hooks package). Every call site first asks hooks.Manager.Enabled, which
// is one branch (and a nil check) when no library registered the point, so
// the arguments are only built for points someone listens to.

func (s *Server) callHook(ctx context.Context, p hooks.Point, a *hooks.Args) hooks.NextStep {
	s.cnt.hookCalls.Add(1)
	return s.hooks.Call(ctx, p, a)
}

func idTypeOf(s string) config.IdentifierType { return config.IdentifierType(s) }

// hookLease returns a copy of l a callout may keep or change.
func hookLease(l *lease.Lease4) *lease.Lease4 {
	c := *l
	c.HWAddr = append([]byte(nil), l.HWAddr...)
	c.ClientID = append([]byte(nil), l.ClientID...)
	return &c
}

// hookSubnet returns the callout's view of s (nil for none).
func hookSubnet(s *subnet4) *hooks.Subnet4 {
	if s == nil {
		return nil
	}
	h := s.hook
	return &h
}

// hookHost returns the reservation as callouts see it.
func hookHost(h *host4) *hooks.Host {
	if h == nil {
		return nil
	}
	c := h.hook
	return &c
}

func cloneBytes(b []byte) []byte { return append([]byte(nil), b...) }
