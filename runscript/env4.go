package runscript

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/leasehold/leasehold/dhcp4"
	"github.com/leasehold/leasehold/hooks"
)

// name4 is Kea's Pkt4::getName; a message without option 53 is UNKNOWN.
func name4(t dhcp4.MessageType) string {
	switch t {
	case 1:
		return "DHCPDISCOVER"
	case 2:
		return "DHCPOFFER"
	case 3:
		return "DHCPREQUEST"
	case 4:
		return "DHCPDECLINE"
	case 5:
		return "DHCPACK"
	case 6:
		return "DHCPNAK"
	case 7:
		return "DHCPRELEASE"
	case 8:
		return "DHCPINFORM"
	case 10:
		return "DHCPLEASEQUERY"
	case 11:
		return "DHCPLEASEUNASSIGNED"
	case 12:
		return "DHCPLEASEUNKNOWN"
	case 13:
		return "DHCPLEASEACTIVE"
	case 14:
		return "DHCPBULKLEASEQUERY"
	case 15:
		return "DHCPLEASEQUERYDONE"
	case 17:
		return "DHCPLEASEQUERYSTATUS"
	case 18:
		return "DHCPTLS"
	}
	return "UNKNOWN"
}

func addr4(a netip.Addr) netip.Addr {
	if !a.IsValid() {
		return netip.IPv4Unspecified()
	}
	return a
}

// query4 writes Kea's extractPkt4 for the query. An undecodable or absent
// query is Kea's null packet: every variable empty, no option 82 ones.
func (e *env) query4(query []byte, info *packetInfo, m *dhcp4.Message) {
	const p = "QUERY4"
	if len(query) == 0 || m.Decode(query) != nil {
		for _, s := range []string{"_TYPE", "_TXID", "_LOCAL_ADDR", "_LOCAL_PORT", "_REMOTE_ADDR", "_REMOTE_PORT",
			"_IFACE_INDEX", "_IFACE_NAME", "_HOPS", "_SECS", "_FLAGS", "_CIADDR", "_SIADDR", "_YIADDR", "_GIADDR", "_RELAYED"} {
			e.add(p, s, "")
		}
		e.addHW(p+"_HWADDR", hw{})
		e.addHW(p+"_LOCAL_HWADDR", hw{})
		e.addHW(p+"_REMOTE_HWADDR", hw{})
		return
	}
	t, _ := m.MessageType()
	e.add(p, "_TYPE", name4(t))
	e.addUint(p, "_TXID", uint64(m.XID))
	info.addrs(e, p)
	e.addUint(p, "_HOPS", uint64(m.Hops))
	e.addUint(p, "_SECS", uint64(m.Secs))
	e.addUint(p, "_FLAGS", uint64(m.Flags))
	e.addAddr(p, "_CIADDR", addr4(m.CIAddr))
	e.addAddr(p, "_SIADDR", addr4(m.SIAddr))
	e.addAddr(p, "_YIADDR", addr4(m.YIAddr))
	gi := addr4(m.GIAddr)
	e.addAddr(p, "_GIADDR", gi)
	e.addBool(p, "_RELAYED", !gi.IsUnspecified() && gi != netip.AddrFrom4([4]byte{255, 255, 255, 255}))
	e.addHW(p+"_HWADDR", hw{present: true, addr: m.HWAddr(), htype: uint16(m.HType)})
	e.addHW(p+"_LOCAL_HWADDR", info.localHW())
	e.addHW(p+"_REMOTE_HWADDR", info.remoteHW())
	if data, ok := m.Option(dhcp4.OptRelayAgentInfo); ok {
		e.option82(p, data)
	}
}

type subopt struct {
	code uint8
	data []byte
}

// option82 writes QUERY4_OPTION_82 and its circuit-id and remote-id
// sub-options. Kea keeps sub-options in a map ordered by code and writes
// the option back from it, so the value shows them sorted by code (equal
// codes in arrival order), whatever order the relay used.
func (e *env) option82(p string, data []byte) {
	rai, err := dhcp4.ParseRelayAgentInfo(data)
	if err != nil {
		// Not a run of sub-options (the server's decoder refuses such a
		// packet, as Kea does): show the bytes as they are.
		e.add(p, "_OPTION_82", optionHex(data))
		return
	}
	var subs []subopt
	for s := rai.Suboptions(); s.Next(); {
		subs = append(subs, subopt{s.Code(), s.Data()})
	}
	slices.SortStableFunc(subs, func(a, b subopt) int { return cmp.Compare(a.code, b.code) })
	packed := make([]byte, 0, len(data))
	for _, s := range subs {
		packed = append(packed, s.code, byte(len(s.data)))
		packed = append(packed, s.data...)
	}
	e.add(p, "_OPTION_82", optionHex(packed))
	for _, code := range []uint8{dhcp4.RelayCircuitID, dhcp4.RelayRemoteID} {
		for _, s := range subs {
			if s.code == code {
				e.add(p, "_OPTION_82_SUB_OPTION_"+string(rune('0'+code)), optionHex(s.data))
				break
			}
		}
	}
}

// build4 writes the environment of a DHCPv4 point, in Kea 2.2's order.
func (e *env) build4(pt hooks.Point, a *hooks.Args, info *packetInfo, m *dhcp4.Message) {
	switch pt {
	case hooks.Lease4Renew:
		e.query4(a.Query, info, m)
		e.subnet4("SUBNET4", a.Subnet4)
		e.add("PKT4_CLIENT_ID", "", colonHex(a.ClientID))
		e.addHW("PKT4_HWADDR", hw{present: len(a.HWAddr) > 0 || a.HWType != 0, addr: a.HWAddr, htype: a.HWType})
		e.lease4("LEASE4", a.Lease4)
	case hooks.Lease4Expire:
		e.lease4("LEASE4", a.Lease4)
		e.addBool("REMOVE_LEASE", "", a.RemoveLease)
	case hooks.Lease4Recover:
		e.lease4("LEASE4", a.Lease4)
	case hooks.Leases4Committed:
		e.query4(a.Query, info, m)
		e.leases4("LEASES4", a.Leases4)
		e.leases4("DELETED_LEASES4", a.DeletedLeases4)
	case hooks.Lease4Release, hooks.Lease4Decline:
		e.query4(a.Query, info, m)
		e.lease4("LEASE4", a.Lease4)
	}
}
