package runscript

import (
	"net/netip"
	"strconv"

	"github.com/leasehold/leasehold/hooks"
)

// packetInfo is what Kea knows of a query beyond its bytes: the addresses
// and ports it travelled between, the interface it arrived on and, for
// DHCPv4 on raw sockets, the frame's MAC addresses. Kea exports them as
// QUERY4_LOCAL_ADDR ... QUERY4_REMOTE_HWADDR_TYPE and QUERY6_LOCAL_ADDR ...
// QUERY6_IFACE_NAME.
//
// hooks.Args does not carry them: a leasehold server hands callouts the
// query's bytes only. Until it does, infoFromArgs returns nil and these
// variables are set, as Kea sets them, but empty (runscript/README.md,
// "Differences from Kea"). The formatting below is complete and tested, so
// filling the struct is the whole change when hooks.Args grows the fields.
type packetInfo struct {
	local, remote netip.AddrPort
	ifIndex       int
	ifName        string
	lhw, rhw      hw
}

// infoFromArgs returns the query's addressing from a, or nil when a does
// not hold it (always, for now; see packetInfo).
func infoFromArgs(*hooks.Args) *packetInfo { return nil }

// addrs writes <p>_LOCAL_ADDR, _LOCAL_PORT, _REMOTE_ADDR, _REMOTE_PORT,
// _IFACE_INDEX and _IFACE_NAME.
func (i *packetInfo) addrs(e *env, p string) {
	if i == nil {
		for _, s := range []string{"_LOCAL_ADDR", "_LOCAL_PORT", "_REMOTE_ADDR", "_REMOTE_PORT", "_IFACE_INDEX", "_IFACE_NAME"} {
			e.add(p, s, "")
		}
		return
	}
	e.addAddr(p, "_LOCAL_ADDR", i.local.Addr())
	e.addUint(p, "_LOCAL_PORT", uint64(i.local.Port()))
	e.addAddr(p, "_REMOTE_ADDR", i.remote.Addr())
	e.addUint(p, "_REMOTE_PORT", uint64(i.remote.Port()))
	e.add(p, "_IFACE_INDEX", strconv.Itoa(i.ifIndex))
	e.add(p, "_IFACE_NAME", i.ifName)
}

// addrs6 is addrs for DHCPv6, where Kea 2.2 always reports local port 0.
func (i *packetInfo) addrs6(e *env, p string) {
	if i == nil {
		i.addrs(e, p)
		return
	}
	e.addAddr(p, "_LOCAL_ADDR", i.local.Addr())
	e.addUint(p, "_LOCAL_PORT", 0)
	e.addAddr(p, "_REMOTE_ADDR", i.remote.Addr())
	e.addUint(p, "_REMOTE_PORT", uint64(i.remote.Port()))
	e.add(p, "_IFACE_INDEX", strconv.Itoa(i.ifIndex))
	e.add(p, "_IFACE_NAME", i.ifName)
}

func (i *packetInfo) localHW() hw {
	if i == nil {
		return hw{}
	}
	return i.lhw
}

func (i *packetInfo) remoteHW() hw {
	if i == nil {
		return hw{}
	}
	return i.rhw
}
