package dhcp4

import (
	"fmt"
	"net/netip"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/hooks"
)

// host4 is a host reservation, global (subnetID 0) or in a subnet.
type host4 struct {
	cfg        *config.Reservation
	subnetID   uint32
	addr       netip.Addr // invalid when the reservation has no address
	opts       optSet
	classes    []int
	hostname   string
	nextServer netip.Addr
	sname      string
	file       string
	hook       hooks.Host
}

// idKinds are the identifier types of DHCPv4 reservations, as indexes of
// hostTable.byID.
var idKinds = [...]config.IdentifierType{config.IDHWAddress, config.IDDUID, config.IDCircuitID, config.IDClientID, config.IDFlexID}

func idKind(t config.IdentifierType) int {
	for i, k := range idKinds {
		if k == t {
			return i
		}
	}
	return -1
}

// hostTable finds reservations by identifier without allocating: the maps
// are keyed by the identifier bytes as a string, and a lookup with
// string(bytes) does not copy.
type hostTable struct {
	byID [len(idKinds)]map[string]*host4
	all  []*host4
}

func (t *hostTable) add(list []config.Reservation, subnetID uint32, v *view) error {
	for i := range list {
		r := &list[i]
		k := idKind(r.IDType)
		if k < 0 {
			return fmt.Errorf("reservation %d: identifier type %q is not used by DHCPv4", i, r.IDType)
		}
		h := &host4{
			cfg: r, subnetID: subnetID, addr: r.IPAddress, opts: newOptSet(r.Options),
			classes: v.classRefs(r.ClientClasses), hostname: r.Hostname,
			nextServer: r.NextServer, sname: r.ServerHostname, file: r.BootFileName,
		}
		h.hook = hooks.Host{IDType: string(r.IDType), ID: r.ID, Hostname: r.Hostname, UserContext: string(r.UserContext)}
		if h.addr.IsValid() {
			h.hook.Addrs = []netip.Addr{h.addr}
		}
		if t.byID[k] == nil {
			t.byID[k] = make(map[string]*host4)
		}
		key := string(r.ID)
		if _, dup := t.byID[k][key]; dup {
			return fmt.Errorf("reservation %d: %s %x is reserved twice", i, r.IDType, r.ID)
		}
		t.byID[k][key] = h
		t.all = append(t.all, h)
	}
	return nil
}

// clientIDs are the identifiers of one client, in the order of
// host-reservation-identifiers (Kea's Dhcpv4Exchange::setHostIdentifiers).
type clientIDs struct {
	n     int
	kinds [len(idKinds)]int
	vals  [len(idKinds)][]byte
}

func (c *clientIDs) add(kind int, val []byte) {
	if len(val) == 0 || c.n == len(c.kinds) {
		return
	}
	c.kinds[c.n], c.vals[c.n] = kind, val
	c.n++
}

// find returns the reservation of the first identifier that has one.
func (t *hostTable) find(ids *clientIDs) *host4 {
	for i := range ids.n {
		if m := t.byID[ids.kinds[i]]; m != nil {
			if h := m[string(ids.vals[i])]; h != nil {
				return h
			}
		}
	}
	return nil
}

// matches reports whether h is the reservation of the client with ids.
func (h *host4) matches(ids *clientIDs) bool {
	k := idKind(h.cfg.IDType)
	for i := range ids.n {
		if ids.kinds[i] == k && string(ids.vals[i]) == string(h.cfg.ID) {
			return true
		}
	}
	return false
}
