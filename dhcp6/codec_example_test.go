package dhcp6_test

import (
	"fmt"
	"net/netip"

	"github.com/leasehold/leasehold/dhcp6"
)

// A SOLICIT as a relay agent forwards it: one RELAY-FORW around the
// client's message.
func relayedSolicit() []byte {
	hop := dhcp6.RelayHop{
		Type:     dhcp6.RelayForw,
		LinkAddr: netip.MustParseAddr("2001:db8:1::1"),
		PeerAddr: netip.MustParseAddr("fe80::2"),
		Options:  dhcp6.Options{0, 18, 0, 4, 'e', 't', 'h', '0'}, // INTERFACE_ID "eth0"
	}
	b := dhcp6.NewRelayBuilder(nil, []dhcp6.RelayHop{hop}, dhcp6.Solicit, 0x1a2b3c)
	b.AddDUID(dhcp6.OptClientID, dhcp6.DUID{Raw: dhcp6.AppendDUIDLL(nil, 1, []byte{2, 0, 0, 0, 0, 1})})
	b.AddElapsedTime(0)
	b.AddIANA(1, 0, 0)
	b.EndOption()
	out, err := b.Finish()
	if err != nil {
		panic(err)
	}
	return out
}

func ExamplePacket_Decode() {
	var p dhcp6.Packet
	if err := p.Decode(relayedSolicit()); err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range p.Hops() {
		id, _ := h.Options.Get(dhcp6.OptInterfaceID)
		fmt.Printf("via %v link %v interface %q\n", h.Type, h.LinkAddr, id)
	}
	fmt.Printf("%v xid %#x\n", p.Msg.Type, p.Msg.TransactionID)
	for code, data := range p.Msg.Options.All() {
		switch code {
		case dhcp6.OptClientID:
			duid, err := dhcp6.ParseDUID(data)
			if err != nil {
				fmt.Println(err)
				return
			}
			fmt.Printf("client %v %v\n", duid.Type(), duid)
		case dhcp6.OptIANA:
			ia, err := dhcp6.ParseIANA(data)
			if err != nil {
				fmt.Println(err)
				return
			}
			fmt.Printf("IA_NA iaid %d\n", ia.IAID)
		}
	}
	// Output:
	// via RELAY_FORWARD link 2001:db8:1::1 interface "eth0"
	// SOLICIT xid 0x1a2b3c
	// client DUID-LL 00:03:00:01:02:00:00:00:00:01
	// IA_NA iaid 1
}

func ExampleNewRelayReplyBuilder() {
	var q dhcp6.Packet
	if err := q.Decode(relayedSolicit()); err != nil {
		fmt.Println(err)
		return
	}
	clientID, _ := q.Msg.Options.Get(dhcp6.OptClientID)

	buf := make([]byte, 0, 1500) // a pooled buffer in a server
	b := dhcp6.NewRelayReplyBuilder(buf, &q, dhcp6.Advertise, q.Msg.TransactionID)
	b.AddOption(dhcp6.OptClientID, clientID)
	b.AddDUID(dhcp6.OptServerID, dhcp6.DUID{Raw: dhcp6.AppendDUIDEN(nil, 2495, []byte("srv1"))})
	b.AddIANA(1, 1800, 2880)
	b.AddIAAddr(netip.MustParseAddr("2001:db8:1::100"), 3600, 7200)
	b.EndOption()
	b.AddDNSServers(netip.MustParseAddr("2001:db8::53"))
	b.AddDomainList("example.com")
	reply, err := b.Finish()
	if err != nil {
		fmt.Println(err)
		return
	}

	var r dhcp6.Packet
	if err := r.Decode(reply); err != nil {
		fmt.Println(err)
		return
	}
	id, _ := r.Relays[0].Options.Get(dhcp6.OptInterfaceID)
	fmt.Printf("%v interface %q around %v\n", r.Relays[0].Type, id, r.Msg.Type)
	ia, _ := r.Msg.Options.Get(dhcp6.OptIANA)
	na, _ := dhcp6.ParseIANA(ia)
	addr, _ := na.Options.Get(dhcp6.OptIAAddr)
	a, _ := dhcp6.ParseIAAddr(addr)
	fmt.Println(a.Addr, a.Preferred, a.Valid)
	dl, _ := r.Msg.Options.Get(dhcp6.OptDomainList)
	names, _ := dhcp6.ParseDomainList(dl)
	for n := range names.All() {
		text, _ := dhcp6.AppendNameText(nil, n)
		fmt.Println(string(text))
	}
	// Output:
	// RELAY_REPLY interface "eth0" around ADVERTISE
	// 2001:db8:1::100 3600 7200
	// example.com.
}

func ExampleNewBuilder() {
	buf := make([]byte, 0, 512)
	b := dhcp6.NewBuilder(buf, dhcp6.InformationRequest, 0x00beef)
	b.AddDUID(dhcp6.OptClientID, dhcp6.DUID{Raw: dhcp6.AppendDUIDLL(nil, 1, []byte{2, 0, 0, 0, 0, 1})})
	b.AddElapsedTime(0)
	b.AddORO(dhcp6.OptDNSServers, dhcp6.OptDomainList)
	// An option without a typed method: open it, write its data, close it.
	b.StartOption(dhcp6.OptBootfileParam)
	b.WriteUint16(4)
	b.WriteBytes([]byte("root"))
	b.EndOption()
	msg, err := b.Finish()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("% x\n", msg)
	// Output:
	// 0b 00 be ef 00 01 00 0a 00 03 00 01 02 00 00 00 00 01 00 08 00 02 00 00 00 06 00 04 00 17 00 18 00 3c 00 06 00 04 72 6f 6f 74
}
