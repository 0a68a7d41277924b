package dhcp6

import (
	"fmt"
	"net/netip"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/hooks"
)

// host is one reservation, with its options at their level.
type host struct {
	cfg      *config.Reservation
	subnetID uint32 // 0 for a global reservation
	opts     optionLevel
	hook     hooks.Host
}

// hostIndex finds reservations by identifier and by reserved address or
// prefix.
type hostIndex struct {
	byID     map[string]*host // key: identifier type, NUL, identifier bytes
	byAddr   map[netip.Addr][]*host
	byPrefix map[netip.Prefix][]*host
	n        int
}

func hostKey(t config.IdentifierType, id []byte) string {
	return string(t) + "\x00" + string(id)
}

func newHostIndex(rs []config.Reservation, subnetID uint32, path string) (*hostIndex, error) {
	x := &hostIndex{byID: map[string]*host{}, byAddr: map[netip.Addr][]*host{}, byPrefix: map[netip.Prefix][]*host{}}
	for i := range rs {
		r := &rs[i]
		h := &host{cfg: r, subnetID: subnetID, opts: newOptionLevel(r.Options)}
		h.hook = hooks.Host{IDType: string(r.IDType), ID: r.ID, Hostname: r.Hostname,
			Addrs: r.IPAddresses, Prefixes: r.Prefixes, UserContext: string(r.UserContext)}
		k := hostKey(r.IDType, r.ID)
		if _, dup := x.byID[k]; dup {
			return nil, fmt.Errorf("%s[%d]: a second reservation for %s %x", path, i, r.IDType, r.ID)
		}
		x.byID[k] = h
		for _, a := range r.IPAddresses {
			x.byAddr[a] = append(x.byAddr[a], h)
		}
		for _, p := range r.Prefixes {
			x.byPrefix[p.Masked()] = append(x.byPrefix[p.Masked()], h)
		}
		x.n++
	}
	return x, nil
}

// lookup finds the host reserved for identifier id of type t.
func (x *hostIndex) lookup(t config.IdentifierType, id []byte) *host {
	if x == nil || x.n == 0 || len(id) == 0 {
		return nil
	}
	var buf [160]byte
	k := append(append(append(buf[:0], t...), 0), id...)
	return x.byID[string(k)]
}

// reservedTo returns the hosts that reserve the address or prefix r.
func (x *hostIndex) reservedTo(r netip.Prefix) []*host {
	if x == nil || x.n == 0 {
		return nil
	}
	if r.Bits() == 128 {
		return x.byAddr[r.Addr()]
	}
	return x.byPrefix[r]
}

// has reports whether h reserves the address or prefix r.
func (h *host) has(r netip.Prefix) bool {
	if r.Bits() == 128 {
		for _, a := range h.cfg.IPAddresses {
			if a == r.Addr() {
				return true
			}
		}
		return false
	}
	for _, p := range h.cfg.Prefixes {
		if p.Masked() == r {
			return true
		}
	}
	return false
}
