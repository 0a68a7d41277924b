package dhcp4

import "net/netip"

// Relay agent information sub-option codes (option 82).
const (
	RelayCircuitID            uint8 = 1   // RFC 3046
	RelayRemoteID             uint8 = 2   // RFC 3046
	RelayDOCSISDeviceClass    uint8 = 4   // RFC 3256
	RelayLinkSelection        uint8 = 5   // RFC 3527
	RelaySubscriberID         uint8 = 6   // RFC 3993
	RelayRADIUSAttributes     uint8 = 7   // RFC 4014
	RelayAuthentication       uint8 = 8   // RFC 4030
	RelayVendorSpecific       uint8 = 9   // RFC 4243
	RelayFlags                uint8 = 10  // RFC 5010
	RelayServerIDOverride     uint8 = 11  // RFC 5107
	RelayRelayID              uint8 = 12  // RFC 6925
	RelayVirtualSubnet        uint8 = 151 // RFC 6607
	RelayVirtualSubnetControl uint8 = 152 // RFC 6607
)

// RelayAgentInfo is the value of option 82 (RFC 3046): sub-options added
// by a relay agent. A server echoes it unchanged in its reply.
type RelayAgentInfo struct {
	data []byte
}

// ParseRelayAgentInfo checks the sub-option framing of an option 82 value.
func ParseRelayAgentInfo(data []byte) (RelayAgentInfo, error) {
	if pos, what := checkRelayAgentInfo(data); what != "" {
		return RelayAgentInfo{}, valueError(OptRelayAgentInfo, pos, what)
	}
	return RelayAgentInfo{data: data}, nil
}

// RelayAgentInfo returns option 82.
func (m *Message) RelayAgentInfo() (RelayAgentInfo, bool) {
	d, ok := m.Option(OptRelayAgentInfo)
	return RelayAgentInfo{data: d}, ok
}

// Bytes returns the option data as sent.
func (r RelayAgentInfo) Bytes() []byte { return r.data }

// Sub returns the first sub-option code.
func (r RelayAgentInfo) Sub(code uint8) ([]byte, bool) { return findSub(r.data, code) }

// CircuitID returns sub-option 1, the agent's name for the circuit the
// request came in on.
func (r RelayAgentInfo) CircuitID() ([]byte, bool) { return r.Sub(RelayCircuitID) }

// RemoteID returns sub-option 2, the agent's name for the remote end of the
// circuit.
func (r RelayAgentInfo) RemoteID() ([]byte, bool) { return r.Sub(RelayRemoteID) }

// LinkSelection returns sub-option 5 (RFC 3527): the subnet to allocate
// from when giaddr cannot name it.
func (r RelayAgentInfo) LinkSelection() (netip.Addr, bool) { return r.subIP(RelayLinkSelection) }

// ServerIDOverride returns sub-option 11 (RFC 5107): the address the
// server puts in option 54 so that renewals come back through the relay.
func (r RelayAgentInfo) ServerIDOverride() (netip.Addr, bool) {
	return r.subIP(RelayServerIDOverride)
}

func (r RelayAgentInfo) subIP(code uint8) (netip.Addr, bool) {
	d, ok := r.Sub(code)
	if !ok || len(d) != 4 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte(d)), true
}

// Suboptions walks all sub-options in order.
func (r RelayAgentInfo) Suboptions() Suboptions {
	return Suboptions{data: r.data, parent: OptRelayAgentInfo}
}

func checkRelayAgentInfo(data []byte) (int, string) {
	for off := 0; off < len(data); {
		code := data[off]
		val, next, what := frameSub(data, off)
		if what != "" {
			return off, "sub-option " + itoa(int(code)) + ": " + what
		}
		if (code == RelayLinkSelection || code == RelayServerIDOverride) && len(val) != 4 {
			return off, "sub-option " + itoa(int(code)) + ": length " + itoa(len(val)) + ", want 4"
		}
		off = next
	}
	return 0, ""
}
