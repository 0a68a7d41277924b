package config

import (
	"cmp"
	"net/netip"
	"slices"
)

// networkName reads a shared network's mandatory name.
func (d *dec) networkName(o *obj, n *node, path string) string {
	name, _ := o.str("name")
	if name == "" && !d.failed() {
		d.fail(n, path, "a shared network needs a non-empty name")
	}
	return name
}

// networks decodes "shared-networks" and then the top-level subnet list
// named subnetKey, in that order because Kea 2.2 does: the order decides
// which subnets get which automatic ids. shared returns a network with its
// name and subnets; subnet returns the zero S for a subnet it rejected.
// subnets holds every subnet, the networks' first.
func networks[N any, S comparable](d *dec, o *obj, subnetKey string,
	shared func(n *node, path string) (N, string, []S),
	subnet func(n *node, path string) S) (nets []N, subnets []S) {
	names := map[string]string{}
	o.each("shared-networks", func(_ int, n *node, p string) {
		sn, name, members := shared(n, p)
		if d.failed() {
			return
		}
		if first, dup := names[name]; dup {
			d.fail(n, p, "shared network %q is already defined at %s", name, first)
			return
		}
		names[name] = p
		nets = append(nets, sn)
		subnets = append(subnets, members...)
	})
	var rejected S
	o.each(subnetKey, func(_ int, n *node, p string) {
		if s := subnet(n, p); s != rejected {
			subnets = append(subnets, s)
		}
	})
	return nets, subnets
}

// sameInterface enforces Kea's rule that the subnets of a shared network
// and the network itself name one interface at most: iface holds the
// interface seen so far.
func (d *dec) sameInterface(iface *string, subnetIface string, prefix netip.Prefix, n *node, path string) {
	switch {
	case subnetIface == "":
	case *iface == "":
		*iface = subnetIface
	case *iface != subnetIface:
		d.fail(n, joinPath(path, "interface"), "subnet %s uses interface %q but its shared network (or an earlier subnet of it) uses %q", prefix, subnetIface, *iface)
	}
}

// subnetRef is what the cross-subnet checks need of a subnet.
type subnetRef struct {
	id     *uint32
	prefix netip.Prefix
	path   string
	n      *node
}

// checkSubnets assigns the missing ids the way Kea 2.2 does (a counter
// from 1, in parse order, skipping nothing: a clash with a configured id
// is an error as in Kea) and rejects duplicate ids and overlapping
// subnets. Kea 2.2 itself only rejects equal prefixes; leasehold rejects
// any overlap because a packet must select one subnet.
func (d *dec) checkSubnets(refs []subnetRef) {
	next := uint32(1)
	byID := map[uint32]subnetRef{}
	for _, r := range refs {
		auto := *r.id == 0
		if auto {
			*r.id = next
			next++
		}
		if first, dup := byID[*r.id]; dup {
			if auto {
				d.fail(r.n, r.path, "subnet %s gets the automatic id %d (Kea numbers subnets without id 1, 2, ... in order), which %s (%s) already uses; give it an explicit id", r.prefix, *r.id, first.path, first.prefix)
			} else {
				d.fail(r.n, joinPath(r.path, "id"), "subnet id %d is already used by %s (%s)", *r.id, first.path, first.prefix)
			}
			return
		}
		byID[*r.id] = r
	}
	order := make([]int, len(refs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		pa, pb := refs[a].prefix, refs[b].prefix
		if c := pa.Addr().Compare(pb.Addr()); c != 0 {
			return c
		}
		return cmp.Compare(pa.Bits(), pb.Bits())
	})
	for i := 1; i < len(order); i++ {
		a, b := refs[order[i-1]], refs[order[i]]
		if !a.prefix.Overlaps(b.prefix) {
			continue
		}
		if order[i-1] > order[i] {
			a, b = b, a // report at the one configured later
		}
		if a.prefix == b.prefix {
			d.fail(b.n, joinPath(b.path, "subnet"), "subnet %s is already defined at %s", b.prefix, a.path)
		} else {
			d.fail(b.n, joinPath(b.path, "subnet"), "subnet %s overlaps subnet %s at %s", b.prefix, a.prefix, a.path)
		}
		return
	}
}

func sortByID[S any](s []S, id func(S) uint32) {
	slices.SortStableFunc(s, func(a, b S) int { return cmp.Compare(id(a), id(b)) })
}
