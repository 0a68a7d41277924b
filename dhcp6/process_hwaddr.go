package dhcp6

import "encoding/binary"

// maxHWAddrLen is Kea's limit on a hardware address (HWAddr::MAX_HWADDR_LEN).
const maxHWAddrLen = 20

// htypeEther and htypeDOCSIS are the ARP hardware types Kea gives addresses
// found without a type of their own.
const (
	htypeEther  = 1
	htypeDOCSIS = 1 // Kea's HTYPE_DOCSIS is Ethernet's number
)

// getMAC finds the client's hardware address from the mac-sources in
// their configured order. Within one entry the sources are tried in Kea's
// order: raw socket (never available for DHCPv6 over UDP), the RFC 6939
// client link-layer address option, the DUID, the source link-local
// address, the RFC 4649 remote-id, the DOCSIS options. Kea has no code for
// subscriber-id, so it gives nothing here either.
func (x *exchange) getMAC() hwAddr {
	for _, bits := range x.v.macSources {
		if bits&hwSrcRelayOpt != 0 {
			if h, ok := x.macFromRelayOption(); ok {
				return h
			}
		}
		if bits&hwSrcDUID != 0 {
			if h, ok := x.macFromDUID(); ok {
				return h
			}
		}
		if bits&hwSrcLinkLocal != 0 {
			if h, ok := x.macFromLinkLocal(); ok {
				return h
			}
		}
		if bits&hwSrcRemoteID != 0 {
			if h, ok := x.macFromRemoteID(); ok {
				return h
			}
		}
		if bits&hwSrcCMTS != 0 {
			if h, ok := x.macFromCMTS(); ok {
				return h
			}
		}
		if bits&hwSrcModem != 0 {
			if h, ok := x.macFromModem(); ok {
				return h
			}
		}
	}
	return hwAddr{}
}

func hw(addr []byte, htype uint16, src uint32) (hwAddr, bool) {
	if len(addr) == 0 || len(addr) > maxHWAddrLen {
		return hwAddr{}, false
	}
	return hwAddr{addr: addr, htype: htype, source: src}, true
}

// macFromRelayOption reads RFC 6939's option from the relay next to the
// client.
func (x *exchange) macFromRelayOption() (hwAddr, bool) {
	if x.pkt.NumRelays == 0 {
		return hwAddr{}, false
	}
	data, ok := x.pkt.Relays[x.pkt.NumRelays-1].Options.Get(OptClientLinkLayerAddr)
	if !ok || len(data) < 3 {
		return hwAddr{}, false
	}
	return hw(data[2:], binary.BigEndian.Uint16(data), hwSrcRelayOpt)
}

// macFromDUID takes the link-layer address of a DUID-LLT or DUID-LL.
func (x *exchange) macFromDUID() (hwAddr, bool) {
	d := x.clientID
	if len(d) < 2 {
		return hwAddr{}, false
	}
	switch DUIDType(binary.BigEndian.Uint16(d)) {
	case DUIDLL:
		if len(d) >= 5 {
			return hw(d[4:], binary.BigEndian.Uint16(d[2:]), hwSrcDUID)
		}
	case DUIDLLT:
		if len(d) >= 9 {
			return hw(d[8:], binary.BigEndian.Uint16(d[2:]), hwSrcDUID)
		}
	}
	return hwAddr{}, false
}

// macFromLinkLocal undoes the modified EUI-64 of the client's link-local
// address: the source of a direct message, the peer-address of the relay
// next to the client otherwise.
func (x *exchange) macFromLinkLocal() (hwAddr, bool) {
	a := x.meta.Src.Addr()
	if x.pkt.NumRelays > 0 {
		a = x.pkt.Relays[x.pkt.NumRelays-1].PeerAddr
	}
	if !a.Is6() || a.Is4In6() {
		return hwAddr{}, false
	}
	b := a.As16()
	if b[0] != 0xfe || b[1] != 0x80 || b[8]&3 != 2 || b[11] != 0xff || b[12] != 0xfe {
		return hwAddr{}, false
	}
	x.macBuf = [6]byte{b[8] ^ 2, b[9], b[10], b[13], b[14], b[15]}
	return hw(x.macBuf[:], htypeEther, hwSrcLinkLocal)
}

// macFromRemoteID takes the RFC 4649 remote-id of the relay next to the
// client, minus its enterprise number.
func (x *exchange) macFromRemoteID() (hwAddr, bool) {
	if x.pkt.NumRelays == 0 {
		return hwAddr{}, false
	}
	data, ok := x.pkt.Relays[x.pkt.NumRelays-1].Options.Get(OptRemoteID)
	if !ok || len(data) < 5 {
		return hwAddr{}, false
	}
	id := data[4:]
	if len(id) > maxHWAddrLen {
		id = id[:maxHWAddrLen]
	}
	return hw(id, htypeEther, hwSrcRemoteID)
}

// macFromCMTS reads the cable modem MAC a CMTS relay put in CableLabs'
// vendor options, searching the relays from the client outward.
func (x *exchange) macFromCMTS() (hwAddr, bool) {
	for i := x.pkt.NumRelays - 1; i >= 0; i-- {
		data, ok := x.pkt.Relays[i].Options.Get(OptVendorOpts)
		if !ok {
			continue
		}
		vo, err := ParseVendorOpts(data)
		if err != nil || vo.Enterprise != enterpriseCableLabs {
			return hwAddr{}, false
		}
		if mac, ok := vo.Options.Get(docsisCMTSCMMAC); ok {
			return hw(mac, htypeDOCSIS, hwSrcCMTS)
		}
		return hwAddr{}, false
	}
	return hwAddr{}, false
}

// macFromModem reads the device-id a DOCSIS modem puts in its own vendor
// options.
func (x *exchange) macFromModem() (hwAddr, bool) {
	data, ok := x.msg.Options.Get(OptVendorOpts)
	if !ok {
		return hwAddr{}, false
	}
	vo, err := ParseVendorOpts(data)
	if err != nil || vo.Enterprise != enterpriseCableLabs {
		return hwAddr{}, false
	}
	if id, ok := vo.Options.Get(docsisDeviceID); ok {
		return hw(id, htypeDOCSIS, hwSrcModem)
	}
	return hwAddr{}, false
}
