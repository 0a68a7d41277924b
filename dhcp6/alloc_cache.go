package dhcp6

import (
	"bytes"
	"net/netip"

	"github.com/leasehold/leasehold/lease"
)

// Lease caching (Kea's cache-threshold and cache-max-age): a client that
// renews, rebinds or requests again early in its lease keeps the stored
// lease unchanged, and is sent what is left of its lifetimes. Nothing is
// written, so nothing waits for the store to sync.

// reuse decides whether the extension of old into l can be skipped, as
// Kea's setLeaseReusable does, and if so turns l into what the client is
// sent: the stored lease with the lifetimes that are left.
func (x *exchange) reuse(sn *subnet, old lease.Lease6, l *lease.Lease6) bool {
	p := &sn.cfg.Params6
	if p.CacheThreshold == nil && p.CacheMaxAge == nil {
		return false
	}
	if old.State != lease.StateDefault || x.unix < old.CLTT {
		return false
	}
	age := uint64(x.unix - old.CLTT)
	if age >= uint64(old.ValidLifetime) {
		return false
	}
	var maxAge uint64
	if p.CacheMaxAge != nil {
		maxAge = uint64(*p.CacheMaxAge)
		if maxAge == 0 || age > maxAge {
			return false
		}
	}
	if p.CacheThreshold != nil {
		th := *p.CacheThreshold
		if th <= 0 || th > 1 {
			return false
		}
		maxAge = uint64(float64(l.ValidLifetime) * th)
		if age > maxAge {
			return false
		}
	}
	if maxAge == 0 {
		return false
	}
	pref := old.PreferredLifetime
	switch {
	case pref == 0 || pref == lease.InfiniteLifetime:
	case uint64(pref) > age:
		pref -= uint32(age)
	default:
		return false
	}
	valid := old.ValidLifetime
	if valid != lease.InfiniteLifetime {
		valid -= uint32(age)
	}
	*l = old
	l.PreferredLifetime, l.ValidLifetime = pref, valid
	x.reused = append(x.reused, l.Prefix())
	return true
}

// extensionChanges reports whether extending old into l changes anything
// besides the time, which rules out reusing the lease (Kea's "changed").
func extensionChanges(old, l *lease.Lease6, now int64) bool {
	return l.PreferredLifetime < old.PreferredLifetime || l.ValidLifetime < old.ValidLifetime ||
		l.Hostname != old.Hostname || l.FQDNFwd != old.FQDNFwd || l.FQDNRev != old.FQDNRev ||
		!bytes.Equal(l.HWAddr, old.HWAddr) || old.State != lease.StateDefault || old.Expired(now)
}

func (x *exchange) isReused(p netip.Prefix) bool {
	for _, r := range x.reused {
		if r == p {
			return true
		}
	}
	return false
}
