package config

import (
	"math"
	"net/netip"
	"strings"
)

// subnetPrefix reads "subnet": "prefix/len" of the server's family; the
// address is masked.
func (d *dec) subnetPrefix(o *obj, n *node, path string) netip.Prefix {
	s, ok := o.str("subnet")
	if !ok {
		if !d.failed() {
			d.fail(n, path, "a subnet needs a \"subnet\" prefix")
		}
		return netip.Prefix{}
	}
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil || p.Addr().Is4() == d.v6 || p.Addr().Zone() != "" {
		d.fail(o.take("subnet"), o.sub("subnet"), "%q is not a valid %s prefix (address/length)", s, family(d.v6))
		return netip.Prefix{}
	}
	return p.Masked()
}

// subnetID reads "id": 1 to 4294967294, or 0/missing for an id assigned
// later (see Subnet4.ID).
func (d *dec) subnetID(o *obj) uint32 {
	v, _ := o.integer("id", 0, math.MaxUint32-1)
	return uint32(v)
}

// classRefs reads client-class and require-client-classes.
func classRefs(o *obj) (string, []string) {
	return o.strOr("client-class", ""), o.strings("require-client-classes")
}

// pools reads the address pools of a subnet: each must lie in the subnet
// and not overlap another pool of the subnet.
func (d *dec) pools(o *obj, subnet netip.Prefix, defs *defTable) []Pool {
	var out []Pool
	o.each("pools", func(_ int, n *node, path string) {
		po := d.object(n, path, keaPoolKeys, keaPoolKeys)
		p := Pool{Path: path}
		text, ok := po.str("pool")
		if !ok {
			if !d.failed() {
				d.fail(n, path, "a pool needs a \"pool\" range or prefix")
			}
			return
		}
		ppath := po.sub("pool")
		pn := po.take("pool")
		if first, last, isRange := strings.Cut(text, "-"); isRange {
			a, err1 := netip.ParseAddr(strings.TrimSpace(first))
			b, err2 := netip.ParseAddr(strings.TrimSpace(last))
			switch {
			case err1 != nil || err2 != nil || a.Zone() != "" || b.Zone() != "":
				d.fail(pn, ppath, "%q is not a pool (\"first - last\" or prefix/length)", text)
			case a.Is4() == d.v6 || b.Is4() == d.v6:
				d.fail(pn, ppath, "pool %q is not made of %s addresses", text, family(d.v6))
			case b.Less(a):
				d.fail(pn, ppath, "pool %q ends before it starts", text)
			}
			p.First, p.Last = a, b
		} else {
			pr, err := netip.ParsePrefix(strings.TrimSpace(text))
			if err != nil || pr.Addr().Is4() == d.v6 || pr.Addr().Zone() != "" {
				d.fail(pn, ppath, "%q is not a pool (\"first - last\" or prefix/length)", text)
				return
			}
			pr = pr.Masked()
			p.First, p.Last = pr.Addr(), lastAddr(pr)
		}
		if d.failed() {
			return
		}
		if !subnet.Contains(p.First) || !subnet.Contains(p.Last) {
			d.fail(pn, ppath, "pool %s - %s is not within the subnet %s", p.First, p.Last, subnet)
			return
		}
		for _, q := range out {
			if !(p.Last.Less(q.First) || q.Last.Less(p.First)) {
				d.fail(pn, ppath, "pool %s - %s overlaps pool %s - %s at %s", p.First, p.Last, q.First, q.Last, q.Path)
				return
			}
		}
		p.Options = d.parseOptionData(po, defs)
		p.ClientClass, p.RequireClientClasses = classRefs(po)
		p.UserContext, p.Comment = po.userContext()
		out = append(out, p)
	})
	return out
}

// lastAddr returns the highest address of a masked prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// pdPools reads the prefix delegation pools of a DHCPv6 subnet. Like Kea,
// they need not lie in the subnet's prefix but may not overlap each other.
func (d *dec) pdPools(o *obj, defs *defTable) []PDPool {
	var out []PDPool
	o.each("pd-pools", func(_ int, n *node, path string) {
		po := d.object(n, path, keaPDPoolKeys, keaPDPoolKeys)
		p := PDPool{Path: path}
		prefixNode := po.take("prefix")
		plen, hasLen := po.integer("prefix-len", 1, 128)
		dlen, hasDLen := po.integer("delegated-len", 1, 128)
		switch {
		case d.failed():
			return
		case prefixNode == nil || !hasLen || !hasDLen:
			d.fail(n, path, "a pd-pool needs prefix, prefix-len and delegated-len")
			return
		case dlen < plen:
			d.fail(n, joinPath(path, "delegated-len"), "delegated-len (%d) must be at least prefix-len (%d)", dlen, plen)
			return
		}
		a, ok := d.addr(prefixNode, po.sub("prefix"), false)
		if !ok {
			return
		}
		p.Prefix, _ = a.Prefix(int(plen))
		p.DelegatedLen = int(dlen)
		exNode := po.take("excluded-prefix")
		exLen, hasExLen := po.integer("excluded-prefix-len", 0, 128)
		if exNode != nil || hasExLen {
			p.ExcludedPrefix = d.excludedPrefix(exNode, exLen, p, n, path)
		}
		if d.failed() {
			return
		}
		for _, q := range out {
			if p.Prefix.Overlaps(q.Prefix) {
				d.fail(n, path, "pd-pool %s overlaps pd-pool %s at %s", p.Prefix, q.Prefix, q.Path)
				return
			}
		}
		p.Options = d.parseOptionData(po, defs)
		p.ClientClass, p.RequireClientClasses = classRefs(po)
		p.UserContext, p.Comment = po.userContext()
		out = append(out, p)
	})
	return out
}

// excludedPrefix checks an RFC 6603 excluded prefix: longer than the
// delegated length and inside every delegated prefix (it shares their
// first delegated-len bits with the pool's prefix).
func (d *dec) excludedPrefix(exNode *node, exLen int64, p PDPool, n *node, path string) netip.Prefix {
	if exNode == nil || exLen == 0 {
		d.fail(n, path, "excluded-prefix and excluded-prefix-len go together")
		return netip.Prefix{}
	}
	a, ok := d.addr(exNode, joinPath(path, "excluded-prefix"), false)
	if !ok {
		return netip.Prefix{}
	}
	ex, _ := a.Prefix(int(exLen))
	if int(exLen) <= p.DelegatedLen {
		d.fail(n, joinPath(path, "excluded-prefix-len"), "excluded-prefix-len (%d) must be greater than delegated-len (%d)", exLen, p.DelegatedLen)
		return ex
	}
	exHead, _ := ex.Addr().Prefix(p.DelegatedLen)
	poolHead, _ := p.Prefix.Addr().Prefix(p.DelegatedLen)
	if exHead != poolHead {
		d.fail(n, joinPath(path, "excluded-prefix"), "excluded prefix %s does not share the first %d bits of the delegated prefixes of %s", ex, p.DelegatedLen, p.Prefix)
	}
	return ex
}
