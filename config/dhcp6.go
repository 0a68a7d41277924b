package config

import (
	"math"
	"net/netip"
	"strconv"
)

// dhcp6 decodes the "Dhcp6" map.
func (d *dec) dhcp6(n *node) *DHCP6 {
	const path = "Dhcp6"
	o := d.object(n, path, supGlobal6, keaGlobal6Keys)
	c := &DHCP6{}
	global := d.readParams(o, false)
	c.Params6 = d.params6(global, n, path)
	d.server(o, &c.Server)
	c.ServerID = d.serverID(o.take("server-id"), o.sub("server-id"))
	c.MACSources = d.macSources(o)
	c.RelaySuppliedOptions = d.rsoo(o)
	c.DataDirectory = o.strOr("data-directory", "")
	c.OptionDefs = d.parseOptionDefs(o, "option-def", false)
	defs := &defTable{v6: true, global: c.OptionDefs}
	c.Options = d.parseOptionData(o, defs)
	c.ClientClasses = d.classes(o, defs)

	var subnets []*Subnet6
	c.SharedNetworks, subnets = networks(d, o, "subnet6",
		func(n *node, p string) (*SharedNetwork6, string, []*Subnet6) {
			sn := d.shared6(n, p, global, defs, c.IPReservationsUnique)
			return sn, sn.Name, sn.Subnets
		},
		func(n *node, p string) *Subnet6 {
			return d.subnet6(n, p, global, nil, defs, c.IPReservationsUnique)
		})
	c.Reservations = d.reservations(o, defs, netip.Prefix{}, c.IPReservationsUnique)
	if d.failed() {
		return nil
	}
	d.checkSubnets(d.refs)
	sortByID(subnets, func(s *Subnet6) uint32 { return s.ID })
	c.Subnets = subnets
	return c
}

func (d *dec) shared6(n *node, path string, global rawParams, defs *defTable, uniqueIPs bool) *SharedNetwork6 {
	o := d.object(n, path, supShared6, keaShared6Keys)
	sn := &SharedNetwork6{Path: path}
	sn.Name = d.networkName(o, n, path)
	raw := d.readParams(o, true)
	d.ifaceAndID(raw, n, path)
	merged := raw.over(global)
	sn.Params6 = d.params6(merged, n, path)
	sn.Interface = val(raw.iface, "")
	if raw.ifaceID != nil {
		sn.InterfaceID = []byte(*raw.ifaceID)
	}
	sn.RapidCommit = val(raw.rapidCommit, false)
	sn.Relay = val(raw.relay, nil)
	sn.ClientClass, sn.RequireClientClasses = classRefs(o)
	sn.Options = d.parseOptionData(o, defs)
	sn.UserContext, sn.Comment = o.userContext()
	iface := sn.Interface
	o.each("subnet6", func(_ int, n *node, p string) {
		s := d.subnet6(n, p, merged, sn, defs, uniqueIPs)
		if s == nil {
			return
		}
		d.sameInterface(&iface, s.Interface, s.Prefix, n, p)
		sn.Subnets = append(sn.Subnets, s)
	})
	return sn
}

// ifaceAndID applies Kea's rule that one map may not set both interface
// (directly connected) and interface-id (relayed).
func (d *dec) ifaceAndID(raw rawParams, n *node, path string) {
	if val(raw.iface, "") != "" && val(raw.ifaceID, "") != "" {
		d.fail(n, path, "interface (for directly connected clients) and interface-id (for relayed ones) cannot both be set")
	}
}

func (d *dec) subnet6(n *node, path string, parent rawParams, net *SharedNetwork6, defs *defTable, uniqueIPs bool) *Subnet6 {
	o := d.object(n, path, supSubnet6, keaSubnet6Keys)
	s := &Subnet6{Path: path, Network: net}
	s.ID = d.subnetID(o)
	s.Prefix = d.subnetPrefix(o, n, path)
	raw := d.readParams(o, true)
	d.ifaceAndID(raw, n, path)
	merged := raw.over(parent)
	s.Params6 = d.params6(merged, n, path)
	s.Interface = val(merged.iface, "")
	if merged.ifaceID != nil {
		s.InterfaceID = []byte(*merged.ifaceID)
	}
	s.RapidCommit = val(merged.rapidCommit, false)
	s.Relay = val(merged.relay, nil)
	s.ClientClass, s.RequireClientClasses = classRefs(o)
	if d.failed() {
		return nil
	}
	s.Pools = d.pools(o, s.Prefix, defs)
	s.PDPools = d.pdPools(o, defs)
	s.Options = d.parseOptionData(o, defs)
	s.Reservations = d.reservations(o, defs, s.Prefix, uniqueIPs)
	s.UserContext, s.Comment = o.userContext()
	if d.failed() {
		return nil
	}
	d.refs = append(d.refs, subnetRef{id: &s.ID, prefix: s.Prefix, path: path, n: n})
	return s
}

func (d *dec) serverID(n *node, path string) ServerID {
	id := ServerID{Type: "LLT", Persist: true}
	if n == nil {
		return id
	}
	o := d.object(n, path, keaServerIDKeys, keaServerIDKeys)
	if !o.has("type") && !d.failed() {
		d.fail(n, path, "server-id needs a type (LLT, EN or LL)")
	}
	id.Type = o.enum("type", "LLT", "LLT", "EN", "LL")
	if s, ok := o.str("identifier"); ok && s != "" {
		b, ok := hexID(s)
		if !ok {
			d.fail(o.take("identifier"), o.sub("identifier"), "%q is not a string of hexadecimal digits", s)
		}
		id.Identifier = b
	}
	id.Time = o.u32Or("time", 0)
	if v, ok := o.integer("htype", 0, math.MaxUint16); ok {
		id.HType = uint16(v)
	}
	id.EnterpriseID = o.u32Or("enterprise-id", 0)
	id.Persist = o.boolOr("persist", true)
	id.UserContext, id.Comment = o.userContext()
	return id
}

// macSourceNames maps Kea's mac-sources names (and their RFC aliases) to
// the canonical name stored.
var macSourceNames = map[string]string{
	"any": "any", "raw": "raw", "duid": "duid", "ipv6-link-local": "ipv6-link-local",
	"client-link-addr-option": "client-link-addr-option", "rfc6939": "client-link-addr-option",
	"remote-id": "remote-id", "rfc4649": "remote-id",
	"subscriber-id": "subscriber-id", "rfc4580": "subscriber-id",
	"docsis-cmts": "docsis-cmts", "docsis-modem": "docsis-modem",
}

func (d *dec) macSources(o *obj) []string {
	n := o.take("mac-sources")
	if n == nil {
		return []string{"any"}
	}
	var out []string
	seen := map[string]bool{}
	for i, s := range o.strings("mac-sources") {
		p := o.sub("mac-sources") + "[" + strconv.Itoa(i) + "]"
		name, ok := macSourceNames[s]
		switch {
		case !ok:
			d.fail(n.list[i], p, "%q is not a MAC source", s)
		case seen[name]:
			d.fail(n.list[i], p, "MAC source %q is listed twice", s)
		}
		seen[name] = true
		out = append(out, name)
	}
	if len(out) == 0 && !d.failed() {
		d.fail(n, o.sub("mac-sources"), "mac-sources must not be empty when given")
	}
	return out
}

// rsoo reads relay-supplied-options: codes or dhcp6 option names, added
// to Kea's default (65, erp-local-domain-name).
func (d *dec) rsoo(o *obj) []uint16 {
	out := []uint16{65}
	n := o.take("relay-supplied-options")
	for i, s := range o.strings("relay-supplied-options") {
		code, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			def, ok := (&defTable{v6: true}).find(SpaceDHCP6, s, -1)
			if !ok {
				d.fail(n.list[i], o.sub("relay-supplied-options"), "%q is neither an option code nor a dhcp6 option name", s)
				return nil
			}
			code = int64(def.Code)
		}
		if code <= 0 || code > math.MaxUint16 {
			d.fail(n.list[i], o.sub("relay-supplied-options"), "option code %q is not in 1..65535", s)
			return nil
		}
		dup := false
		for _, c := range out {
			dup = dup || c == uint16(code)
		}
		if !dup {
			out = append(out, uint16(code))
		}
	}
	return out
}
