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
// QUERY6_IFACE_NAME. The server hands them over in hooks.Args.QueryAddr.
type packetInfo struct {
	local, remote netip.AddrPort
	ifIndex       int
	ifName        string
	lhw, rhw      hw
}

// infoFromArgs fills i with the query's addressing from a and returns it,
// or returns nil when a holds none (a server or plugin host that does not
// send it): the variables are then set but empty.
func infoFromArgs(a *hooks.Args, i *packetInfo) *packetInfo {
	q := &a.QueryAddr
	if !q.Local.IsValid() && !q.Remote.IsValid() && q.IfIndex == 0 && q.IfName == "" &&
		q.LocalHWAddr == nil && q.RemoteHWAddr == nil {
		return nil
	}
	// Kea prints addresses without a zone: the interface is a variable of
	// its own.
	*i = packetInfo{
		local:   netip.AddrPortFrom(q.Local.Addr().WithZone(""), q.Local.Port()),
		remote:  netip.AddrPortFrom(q.Remote.Addr().WithZone(""), q.Remote.Port()),
		ifIndex: q.IfIndex,
		ifName:  q.IfName,
	}
	if q.LocalHWAddr != nil {
		i.lhw = hw{present: true, addr: q.LocalHWAddr, htype: q.LocalHWType}
	}
	if q.RemoteHWAddr != nil {
		i.rhw = hw{present: true, addr: q.RemoteHWAddr, htype: q.RemoteHWType}
	}
	return i
}

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
