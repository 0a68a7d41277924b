package main

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/leasehold/leasehold/internal/pcapfile"
)

// dhcp6Msg is a DHCPv6 message seen in a capture: its type, client DUID
// (hex), top-level status code (-1 when absent), whether it carries rapid
// commit, and the addresses and prefixes of its IAs.
type dhcp6Msg struct {
	Type        layers.DHCPv6MsgType
	DUID        string
	Status      int
	RapidCommit bool
	IANA, IAPD  int       // IA_NA and IA_PD options
	Addrs       []iaLease // IA_NA addresses
	Prefixes    []iaLease // IA_PD prefixes
}

type iaLease struct {
	IAID   uint32
	Prefix netip.Prefix // /128 for addresses
	Valid  uint32
}

// readDHCP6 returns the DHCPv6 messages of a capture, decoded by
// gopacket; relayed ones are left out (they are the relay's business).
func readDHCP6(path string) ([]dhcp6Msg, error) {
	dgrams, err := pcapfile.ReadUDP(path, 546, 547)
	if err != nil {
		return nil, err
	}
	var out []dhcp6Msg
	for _, d := range dgrams {
		var l layers.DHCPv6
		if err := l.DecodeFromBytes(d.Payload, gopacket.NilDecodeFeedback); err != nil {
			return nil, fmt.Errorf("%s frame %d: %w", path, d.Frame, err)
		}
		if l.MsgType == layers.DHCPv6MsgTypeRelayForward || l.MsgType == layers.DHCPv6MsgTypeRelayReply {
			continue
		}
		m := dhcp6Msg{Type: l.MsgType, Status: -1}
		for _, o := range l.Options {
			switch o.Code {
			case layers.DHCPv6OptClientID:
				m.DUID = hex.EncodeToString(o.Data)
			case layers.DHCPv6OptStatusCode:
				if len(o.Data) >= 2 {
					m.Status = int(binary.BigEndian.Uint16(o.Data))
				}
			case layers.DHCPv6OptRapidCommit:
				m.RapidCommit = true
			case layers.DHCPv6OptIANA:
				m.IANA++
				m.Addrs = append(m.Addrs, iaOptions(o.Data, 5)...)
			case layers.DHCPv6OptIAPD:
				m.IAPD++
				m.Prefixes = append(m.Prefixes, iaOptions(o.Data, 26)...)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// iaOptions reads the IAADDR (code 5) or IAPREFIX (code 26) options of an
// IA_NA or IA_PD payload: IAID, T1, T2, then options.
func iaOptions(ia []byte, code uint16) []iaLease {
	if len(ia) < 12 {
		return nil
	}
	iaid := binary.BigEndian.Uint32(ia)
	var out []iaLease
	for p := ia[12:]; len(p) >= 4; {
		c, n := binary.BigEndian.Uint16(p), int(binary.BigEndian.Uint16(p[2:]))
		if 4+n > len(p) {
			break
		}
		body := p[4 : 4+n]
		switch {
		case c == 5 && code == 5 && n >= 24:
			a := netip.AddrFrom16([16]byte(body[:16]))
			out = append(out, iaLease{IAID: iaid, Prefix: netip.PrefixFrom(a, 128), Valid: binary.BigEndian.Uint32(body[20:])})
		case c == 26 && code == 26 && n >= 25:
			a := netip.AddrFrom16([16]byte(body[9:25]))
			out = append(out, iaLease{IAID: iaid, Prefix: netip.PrefixFrom(a, int(body[8])), Valid: binary.BigEndian.Uint32(body[4:])})
		}
		p = p[4+n:]
	}
	return out
}
