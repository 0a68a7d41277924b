package dhcp6

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// crossCheck decodes a DHCPv6 payload with Packet.Decode and with
// gopacket's layers.DHCPv6, and returns every difference between the two:
// message type, transaction id, relay header fields and every option (code
// and data) at every level. gopacket does not follow relay-msg itself, so
// each relay level is handed to it again. It also checks that AppendTo
// gives back the input bytes.
func crossCheck(payload []byte) []string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }

	var p Packet
	ourErr := p.Decode(payload)
	msg := payload
	for level := 0; ; level++ {
		var g layers.DHCPv6
		gErr := g.DecodeFromBytes(msg, gopacket.NilDecodeFeedback)
		if ourErr != nil || gErr != nil {
			// Both must reject, though they may find different faults.
			if (ourErr == nil) != (gErr == nil) {
				add("level %d: ours %v, gopacket %v", level, ourErr, gErr)
			}
			return diffs
		}
		var opts Options
		if level < p.NumRelays {
			h := &p.Relays[level]
			if byte(g.MsgType) != byte(h.Type) || g.HopCount != h.HopCount ||
				!sameAddr(g.LinkAddr, h.LinkAddr) || !sameAddr(g.PeerAddr, h.PeerAddr) {
				add("level %d relay header: ours %v hops %d link %v peer %v; gopacket %v hops %d link %v peer %v",
					level, h.Type, h.HopCount, h.LinkAddr, h.PeerAddr, g.MsgType, g.HopCount, g.LinkAddr, g.PeerAddr)
			}
			opts = h.Options
		} else {
			gx := uint32(0)
			if len(g.TransactionID) == 3 {
				gx = uint32(g.TransactionID[0])<<16 | uint32(g.TransactionID[1])<<8 | uint32(g.TransactionID[2])
			}
			if byte(g.MsgType) != byte(p.Msg.Type) || gx != p.Msg.TransactionID {
				add("level %d message: ours %v xid %#x, gopacket %v xid %#x", level, p.Msg.Type, p.Msg.TransactionID, g.MsgType, gx)
			}
			opts = p.Msg.Options
		}
		i := 0
		var relayMsg []byte
		for code, data := range opts.All() {
			if i >= len(g.Options) {
				add("level %d: option %d (%v) missing in gopacket", level, i, code)
				i++
				continue
			}
			o := g.Options[i]
			if uint16(o.Code) != uint16(code) || !bytes.Equal(o.Data, data) {
				add("level %d option %d: ours %v % x, gopacket %d % x", level, i, code, data, o.Code, o.Data)
			}
			if code == OptRelayMsg {
				relayMsg = data
			}
			i++
		}
		if i < len(g.Options) {
			add("level %d: gopacket has %d options, ours %d", level, len(g.Options), i)
		}
		if level >= p.NumRelays {
			break
		}
		msg = relayMsg
	}
	out, err := p.AppendTo(nil)
	if err != nil || !bytes.Equal(out, payload) {
		add("AppendTo does not give back the input (err %v)", err)
	}
	return diffs
}

func sameAddr(ip net.IP, a netip.Addr) bool {
	b, ok := netip.AddrFromSlice(ip)
	return ok && b == a
}
