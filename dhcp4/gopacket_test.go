package dhcp4

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// gopacketDiff decodes pkt with our decoder and with gopacket's
// layers.DHCPv4 and lists where they disagree. gopacket lists Pad and
// Overload as options and leaves repeated instances apart, so its list is
// brought to our form (Pad and 52 dropped, RFC 3396 instances joined)
// before comparing; notes says when that mattered, so that the golden test
// can report it.
func gopacketDiff(pkt []byte) (diffs, notes []string, err error) {
	var m Message
	if err := m.Decode(pkt); err != nil {
		return nil, nil, fmt.Errorf("our decoder: %w", err)
	}
	var g layers.DHCPv4
	if err := g.DecodeFromBytes(pkt, gopacket.NilDecodeFeedback); err != nil {
		return nil, nil, fmt.Errorf("gopacket: %w", err)
	}
	diff := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }

	if uint8(m.Op) != uint8(g.Operation) || m.HType != uint8(g.HardwareType) || m.HLen != g.HardwareLen ||
		m.Hops != g.RelayHops || m.XID != g.Xid || m.Secs != g.Secs || m.Flags != g.Flags {
		diff("op/htype/hlen/hops/xid/secs/flags: ours %d/%d/%d/%d/%#x/%d/%#x, gopacket %d/%d/%d/%d/%#x/%d/%#x",
			m.Op, m.HType, m.HLen, m.Hops, m.XID, m.Secs, m.Flags,
			g.Operation, g.HardwareType, g.HardwareLen, g.RelayHops, g.Xid, g.Secs, g.Flags)
	}
	for _, a := range []struct {
		name string
		ours netip.Addr
		gp   net.IP
	}{{"ciaddr", m.CIAddr, g.ClientIP}, {"yiaddr", m.YIAddr, g.YourClientIP}, {"siaddr", m.SIAddr, g.NextServerIP}, {"giaddr", m.GIAddr, g.RelayAgentIP}} {
		gp, ok := netip.AddrFromSlice(a.gp)
		if !ok || gp.Unmap() != a.ours {
			diff("%s: ours %v, gopacket %v", a.name, a.ours, a.gp)
		}
	}
	if !bytes.Equal(m.HWAddr(), g.ClientHWAddr) {
		diff("chaddr: ours %x, gopacket %x", m.HWAddr(), []byte(g.ClientHWAddr))
	}
	// Ours leaves an overloaded field zero; gopacket keeps the bytes.
	if m.Overload()&OverloadSName == 0 && !bytes.Equal(m.SName[:], g.ServerName) {
		diff("sname differs")
	}
	if m.Overload()&OverloadFile == 0 && !bytes.Equal(m.File[:], g.File) {
		diff("file differs")
	}

	type gopt struct {
		code uint8
		data []byte
	}
	var joined []gopt
	seen := map[uint8]int{}
	for _, o := range g.Options {
		code := uint8(o.Type)
		switch code {
		case OptPad:
			notes = append(notes, "gopacket lists each Pad byte as an option")
			continue
		case OptOverload:
			notes = append(notes, "gopacket lists option 52 (overload) as an option")
			continue
		}
		if i, ok := seen[code]; ok {
			notes = append(notes, fmt.Sprintf("option %d sent in several instances: joined (RFC 3396) for gopacket, which keeps them apart", code))
			joined[i].data = append(joined[i].data, o.Data...)
			continue
		}
		seen[code] = len(joined)
		joined = append(joined, gopt{code, append([]byte(nil), o.Data...)})
	}
	if len(joined) != m.NumOptions() {
		diff("option count: ours %d, gopacket %d", m.NumOptions(), len(joined))
	}
	for i := range min(len(joined), m.NumOptions()) {
		code, data := m.OptionAt(i)
		if code != joined[i].code || !bytes.Equal(data, joined[i].data) {
			diff("option #%d: ours %d=%x, gopacket %d=%x", i, code, data, joined[i].code, joined[i].data)
		}
	}
	return diffs, notes, nil
}

// TestGopacketAgreesOnBuilt decodes messages our Builder wrote, and the
// hand-assembled fixtures, with both decoders.
func TestGopacketAgreesOnBuilt(t *testing.T) {
	pkts := map[string][]byte{"discover": discoverPkt(), "request": requestPkt(), "ack": ackPkt()}
	for _, name := range []string{"discover", "request", "ack"} {
		b := NewBuilder(nil, replyHeaderFor(name))
		if err := buildNamed(&b, name); err != nil {
			t.Fatal(err)
		}
		var err error
		if pkts["built "+name], err = b.Finish(); err != nil {
			t.Fatal(err)
		}
	}
	// Overloaded into both fields, with an option split across them.
	b := NewBuilder(nil, ackHeader())
	b.SetMaxSize(576)
	_ = b.AddMessageType(Offer)
	_ = b.AddOption(OptUserClass, bytes.Repeat([]byte{'u'}, 300))
	_ = b.AddOption(OptVendorSpecific, bytes.Repeat([]byte{1}, 70))
	_ = b.AddString(OptDomainName, "example.org")
	_ = b.AddString(OptTFTPServerName, "tftp-server-with-a-rather-long-name-here")
	msg, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	var m Message
	if err := m.Decode(msg); err != nil || m.Overload() != OverloadFile|OverloadSName {
		t.Fatalf("overloaded fixture: err %v, overload %d, want 3", err, m.Overload())
	}
	pkts["built overloaded"] = msg

	for name, pkt := range pkts {
		diffs, notes, err := gopacketDiff(pkt)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, d := range diffs {
			t.Errorf("%s: %s", name, d)
		}
		for _, n := range notes {
			t.Logf("%s: %s", name, n)
		}
	}
}

// TestDecodeGopacketBuilt decodes a message gopacket serialised.
func TestDecodeGopacketBuilt(t *testing.T) {
	g := &layers.DHCPv4{
		Operation: layers.DHCPOpReply, HardwareType: layers.LinkTypeEthernet, HardwareLen: 6,
		Xid: 0xdeadbeef, Flags: 0x8000,
		ClientIP: net.IPv4zero, YourClientIP: net.IP(clientIP[:]), NextServerIP: net.IPv4zero, RelayAgentIP: net.IPv4zero,
		ClientHWAddr: net.HardwareAddr(testMAC),
		Options: layers.DHCPOptions{
			layers.NewDHCPOption(layers.DHCPOptMessageType, []byte{byte(layers.DHCPMsgTypeOffer)}),
			layers.NewDHCPOption(layers.DHCPOptServerID, serverIP[:]),
			layers.NewDHCPOption(layers.DHCPOptLeaseTime, []byte{0, 0, 0x0e, 0x10}),
			layers.NewDHCPOption(layers.DHCPOptPad, nil),
			layers.NewDHCPOption(layers.DHCPOptRouter, []byte{192, 0, 2, 1}),
		},
	}
	sb := gopacket.NewSerializeBuffer()
	if err := g.SerializeTo(sb, gopacket.SerializeOptions{}); err != nil {
		t.Fatal(err)
	}
	diffs, _, err := gopacketDiff(sb.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Error(d)
	}
	var m Message
	if err := m.Decode(sb.Bytes()); err != nil {
		t.Fatal(err)
	}
	if mt, _ := m.MessageType(); mt != Offer || m.NumOptions() != 4 {
		t.Errorf("type %v, %d options", mt, m.NumOptions())
	}
}
