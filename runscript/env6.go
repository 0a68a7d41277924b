package runscript

import (
	"encoding/binary"

	"github.com/leasehold/leasehold/dhcp4"

	"github.com/leasehold/leasehold/dhcp6"
	"github.com/leasehold/leasehold/hooks"
)

// name6 is Kea's Pkt6::getName.
func name6(t dhcp6.MessageType) string {
	switch t {
	case 1:
		return "SOLICIT"
	case 2:
		return "ADVERTISE"
	case 3:
		return "REQUEST"
	case 4:
		return "CONFIRM"
	case 5:
		return "RENEW"
	case 6:
		return "REBIND"
	case 7:
		return "REPLY"
	case 8:
		return "RELEASE"
	case 9:
		return "DECLINE"
	case 10:
		return "RECONFIGURE"
	case 11:
		return "INFORMATION_REQUEST"
	case 12:
		return "RELAY_FORWARD"
	case 13:
		return "RELAY_REPLY"
	case 14:
		return "LEASEQUERY"
	case 15:
		return "LEASEQUERY_REPLY"
	case 20:
		return "DHCPV4_QUERY"
	case 21:
		return "DHCPV4_RESPONSE"
	}
	return "UNKNOWN"
}

// query6 writes Kea's extractPkt6 for the query. Kea describes the client's
// message inside any relay headers (type, transaction id, client id) and
// the datagram's own addressing. QUERY6_REMOTE_HWADDR is always empty:
// Kea 2.2 learns no link-layer address on its DHCPv6 (UDP) sockets, and
// leasehold has none to give either. QUERY6_PROTO is UDP, the only
// transport either server has.
func (e *env) query6(query []byte, info *packetInfo, pkt *dhcp6.Packet) {
	const p = "QUERY6"
	if len(query) == 0 || pkt.Decode(query) != nil {
		for _, s := range []string{"_TYPE", "_TXID", "_LOCAL_ADDR", "_LOCAL_PORT", "_REMOTE_ADDR", "_REMOTE_PORT", "_IFACE_INDEX", "_IFACE_NAME"} {
			e.add(p, s, "")
		}
		e.addHW(p+"_REMOTE_HWADDR", hw{})
		e.add(p, "_PROTO", "")
		e.add(p, "_CLIENT_ID", "")
		return
	}
	e.add(p, "_TYPE", name6(pkt.Msg.Type))
	e.addUint(p, "_TXID", uint64(pkt.Msg.TransactionID))
	info.addrs6(e, p)
	e.addHW(p+"_REMOTE_HWADDR", hw{})
	e.add(p, "_PROTO", "UDP")
	id, _ := pkt.Msg.Options.Get(dhcp6.OptClientID)
	e.add(p, "_CLIENT_ID", colonHex(id))
}

// ia writes PKT6_IA_IAID, _IA_TYPE (the option code: 3 for IA_NA, 25 for
// IA_PD), _IA_T1 and _IA_T2 from the IA option of lease6_renew and
// lease6_rebind, or four empty values when there is none. The timers are
// always 0, as in Kea 2.2: Kea runs the hook on the IA it is building and
// sets the IA's timers only after the hook (dhcp6_srv.cc, setTeeTimes after
// extendLeases6), so its scripts never see others.
func (e *env) ia(opt []byte) {
	const p = "PKT6_IA"
	if len(opt) < 4+12 {
		for _, s := range []string{"_IAID", "_IA_TYPE", "_IA_T1", "_IA_T2"} {
			e.add(p, s, "")
		}
		return
	}
	e.addUint(p, "_IAID", uint64(binary.BigEndian.Uint32(opt[4:8])))
	e.addUint(p, "_IA_TYPE", uint64(binary.BigEndian.Uint16(opt[0:2])))
	e.addUint(p, "_IA_T1", 0)
	e.addUint(p, "_IA_T2", 0)
}

// build6 writes the environment of a DHCPv6 point, in Kea 2.2's order.
func (e *env) build6(pt hooks.Point, a *hooks.Args, info *packetInfo, pkt *dhcp6.Packet) {
	switch pt {
	case hooks.Lease6Renew, hooks.Lease6Rebind:
		e.query6(a.Query, info, pkt)
		e.lease6("LEASE6", a.Lease6)
		e.ia(a.IA)
	case hooks.Lease6Expire:
		e.lease6("LEASE6", a.Lease6)
		e.addBool("REMOVE_LEASE", "", a.RemoveLease)
	case hooks.Lease6Recover:
		e.lease6("LEASE6", a.Lease6)
	case hooks.Leases6Committed:
		e.query6(a.Query, info, pkt)
		e.leases6("LEASES6", a.Leases6)
		e.leases6("DELETED_LEASES6", a.DeletedLeases6)
	case hooks.Lease6Release, hooks.Lease6Decline:
		e.query6(a.Query, info, pkt)
		e.lease6("LEASE6", a.Lease6)
	}
}

// points are the hook points run_script handles, in Kea's documentation
// order.
var points = []hooks.Point{
	hooks.Lease4Renew, hooks.Lease4Expire, hooks.Lease4Recover, hooks.Leases4Committed, hooks.Lease4Release, hooks.Lease4Decline,
	hooks.Lease6Renew, hooks.Lease6Rebind, hooks.Lease6Expire, hooks.Lease6Recover, hooks.Leases6Committed, hooks.Lease6Release, hooks.Lease6Decline,
}

// Environment returns the environment run_script gives the script at point
// p for arguments a: exactly the variables Kea 2.2 sets there, in Kea's
// order and formats. It returns nil for a point run_script does not handle.
func Environment(p hooks.Point, a *hooks.Args) []string {
	var e env
	var i packetInfo
	e.build(p, a, infoFromArgs(a, &i), new(dhcp4.Message), new(dhcp6.Packet))
	return e.vars
}

// build writes the environment of p; m4 and pk6 are decoders to reuse.
func (e *env) build(p hooks.Point, a *hooks.Args, info *packetInfo, m4 *dhcp4.Message, pk6 *dhcp6.Packet) {
	switch p {
	case hooks.Lease4Renew, hooks.Lease4Expire, hooks.Lease4Recover, hooks.Leases4Committed, hooks.Lease4Release, hooks.Lease4Decline:
		e.build4(p, a, info, m4)
	case hooks.Lease6Renew, hooks.Lease6Rebind, hooks.Lease6Expire, hooks.Lease6Recover, hooks.Leases6Committed, hooks.Lease6Release, hooks.Lease6Decline:
		e.build6(p, a, info, pk6)
	}
}
