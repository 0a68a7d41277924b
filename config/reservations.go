package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// reservations reads a "reservations" list. subnet is the prefix of the
// enclosing subnet (invalid for the global list): reserved addresses must
// lie in it. Identifiers and addresses must be unique within the list, as
// Kea requires per subnet (addresses only when ip-reservations-unique).
func (d *dec) reservations(o *obj, defs *defTable, subnet netip.Prefix, uniqueIPs bool) []Reservation {
	var out []Reservation
	ids := map[string]string{}
	addrs := map[string]string{}
	o.each("reservations", func(_ int, n *node, path string) {
		r := d.reservation(n, path, defs)
		if d.failed() {
			return
		}
		key := string(r.IDType) + "=" + string(r.ID)
		if first, dup := ids[key]; dup {
			d.fail(n, path, "duplicate reservation: %s %s is already reserved at %s", r.IDType, hexString(r.ID), first)
			return
		}
		ids[key] = path
		for _, res := range reservedResources(r) {
			if subnet.IsValid() && res.addr.IsValid() && !subnet.Contains(res.addr) {
				d.fail(n, path, "reserved address %s is not within the subnet %s", res.addr, subnet)
				return
			}
			if first, dup := addrs[res.key]; dup && uniqueIPs {
				d.fail(n, path, "duplicate reservation: %s is already reserved at %s (set ip-reservations-unique to false to allow it)", res.key, first)
				return
			}
			addrs[res.key] = path
		}
		out = append(out, r)
	})
	return out
}

// resource is one reserved address (addr valid) or prefix, keyed by its
// text for duplicate detection.
type resource struct {
	key  string
	addr netip.Addr
}

func reservedResources(r Reservation) []resource {
	var out []resource
	if r.IPAddress.IsValid() {
		out = append(out, resource{r.IPAddress.String(), r.IPAddress})
	}
	for _, a := range r.IPAddresses {
		out = append(out, resource{a.String(), a})
	}
	for _, p := range r.Prefixes {
		out = append(out, resource{key: p.String()})
	}
	return out
}

func (d *dec) reservation(n *node, path string, defs *defTable) Reservation {
	kea := keaReservation4Keys
	if d.v6 {
		kea = keaReservation6Keys
	}
	o := d.object(n, path, kea, kea)
	r := Reservation{Path: path}
	idTypes := []IdentifierType{IDHWAddress, IDDUID, IDCircuitID, IDClientID, IDFlexID}
	for _, t := range idTypes {
		v, ok := o.str(string(t))
		if !ok {
			continue
		}
		if r.IDType != "" {
			d.fail(n, path, "%s and %s are mutually exclusive", r.IDType, t)
			return r
		}
		id, ok := hexID(v)
		if !ok {
			d.fail(o.take(string(t)), o.sub(string(t)), "invalid host identifier %q (hex digits, or 'text' in single quotes)", v)
			return r
		}
		r.IDType, r.ID = t, id
	}
	if r.IDType == "" && !d.failed() {
		d.fail(n, path, "a reservation needs one identifier (hw-address, duid, circuit-id, client-id or flex-id)")
		return r
	}
	r.Hostname = o.strOr("hostname", "")
	for _, c := range o.strings("client-classes") {
		if c = strings.TrimSpace(c); c != "" {
			r.ClientClasses = append(r.ClientClasses, c)
		}
	}
	if d.v6 {
		d.reservedV6(o, &r)
	} else {
		d.reservedV4(o, &r)
	}
	r.Options = d.parseOptionData(o, defs)
	r.UserContext, r.Comment = o.userContext()
	if d.failed() {
		return r
	}
	if !r.IPAddress.IsValid() && len(r.IPAddresses) == 0 && len(r.Prefixes) == 0 && r.Hostname == "" &&
		len(r.Options) == 0 && len(r.ClientClasses) == 0 && r.ServerHostname == "" && r.BootFileName == "" &&
		(!r.NextServer.IsValid() || r.NextServer.IsUnspecified()) {
		d.fail(n, path, "a reservation must reserve something: an address, a prefix, a hostname, options, classes or boot fields")
	}
	return r
}

func (d *dec) reservedV4(o *obj, r *Reservation) {
	if a, ok := o.addr("ip-address", true); ok {
		if a.IsUnspecified() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
			d.fail(o.take("ip-address"), o.sub("ip-address"), "%s cannot be reserved", a)
		}
		r.IPAddress = a
	}
	if a, ok := o.addr("next-server", true); ok {
		if a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
			d.fail(o.take("next-server"), o.sub("next-server"), "next-server may not be the broadcast address")
		}
		r.NextServer = a
	}
	if s := d.bootString(o, "server-hostname", 64); s != nil {
		r.ServerHostname = *s
	}
	if s := d.bootString(o, "boot-file-name", 128); s != nil {
		r.BootFileName = *s
	}
}

func (d *dec) reservedV6(o *obj, r *Reservation) {
	seen := map[string]bool{}
	o.each("ip-addresses", func(_ int, n *node, p string) {
		a, ok := d.addr(n, p, false)
		if ok && seen[a.String()] {
			d.fail(n, p, "%s is reserved twice for this host", a)
		}
		seen[a.String()] = true
		r.IPAddresses = append(r.IPAddresses, a)
	})
	o.each("prefixes", func(_ int, n *node, p string) {
		pr, ok := d.prefix6(n, p)
		if ok && seen[pr.String()] {
			d.fail(n, p, "%s is reserved twice for this host", pr)
		}
		seen[pr.String()] = true
		r.Prefixes = append(r.Prefixes, pr)
	})
}

// prefix6 reads "2001:db8::/56" (the address part is masked).
func (d *dec) prefix6(n *node, path string) (netip.Prefix, bool) {
	if n.kind != kString {
		d.fail(n, path, "expected a prefix string, got a %s", n.kind)
		return netip.Prefix{}, false
	}
	addrText, lenText, ok := strings.Cut(strings.TrimSpace(n.str), "/")
	if !ok {
		d.fail(n, path, "prefix %q needs a length after '/'", n.str)
		return netip.Prefix{}, false
	}
	a, err := netip.ParseAddr(addrText)
	l, err2 := strconv.Atoi(lenText)
	if err != nil || !a.Is6() || a.Zone() != "" || err2 != nil || l < 0 || l > 128 {
		d.fail(n, path, "%q is not a valid IPv6 prefix", n.str)
		return netip.Prefix{}, false
	}
	p, _ := a.Prefix(l)
	return p, true
}

func hexString(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%02x", c)
	}
	return sb.String()
}
