package dhcp4

import (
	"net/netip"
	"testing"
)

// These tests fail on any allocation: the server decodes and builds every
// packet on this path.

func TestDecodeAllocs(t *testing.T) {
	for name, pkt := range map[string][]byte{"discover": discoverPkt(), "request": requestPkt(), "ack": ackPkt()} {
		var m Message
		var routes [4]Route
		allocs := testing.AllocsPerRun(100, func() {
			if err := m.Decode(pkt); err != nil {
				t.Fatal(err)
			}
			// Use the accessors a server uses.
			_, _ = m.MessageType()
			_, _ = m.ClientID()
			_, _ = m.RequestedIP()
			_, _ = m.ServerID()
			_ = m.ParamRequestList()
			_, _ = m.MaxMessageSize()
			_, _ = m.Hostname()
			_, _ = m.ClientFQDN()
			if ri, ok := m.RelayAgentInfo(); ok {
				_, _ = ri.CircuitID()
				_, _ = ri.LinkSelection()
				s := ri.Suboptions()
				for s.Next() {
				}
			}
			_, _ = m.ClasslessRoutes(routes[:0])
			for i := range m.NumOptions() {
				_, _ = m.OptionAt(i)
			}
		})
		if allocs != 0 {
			t.Errorf("decoding %s: %v allocations, want 0", name, allocs)
		}
	}
}

// TestDecodeConcatAllocs checks that joining split options reuses the
// Message's scratch space once it has grown.
func TestDecodeConcatAllocs(t *testing.T) {
	hdr := rawHeader(1, 1, 0, noAddr, noAddr, noAddr)
	pkt := rawMsg(hdr, opt(53, 1), optS(77, "abc"), optS(12, "x"), optS(77, "def"), optS(12, "y"))
	var m Message
	allocs := testing.AllocsPerRun(100, func() {
		if err := m.Decode(pkt); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations, want 0", allocs)
	}
}

func TestBuildAllocs(t *testing.T) {
	buf := make([]byte, 0, 1500)
	for _, name := range []string{"discover", "request", "ack"} {
		allocs := testing.AllocsPerRun(100, func() {
			b := NewBuilder(buf[:0], replyHeaderFor(name))
			b.SetMaxSize(576)
			if err := buildNamed(&b, name); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Finish(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("building %s: %v allocations, want 0", name, allocs)
		}
	}
}

func TestAppendToAllocs(t *testing.T) {
	var m Message
	if err := m.Decode(ackPkt()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 1500)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := m.AppendTo(buf[:0]); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations, want 0", allocs)
	}
}

func replyHeaderFor(name string) Header {
	if name == "ack" {
		return ackHeader()
	}
	h := Header{Op: BootRequest, HType: 1, HLen: 6, XID: 0x3903f326}
	copy(h.CHAddr[:], testMAC)
	return h
}

// buildNamed builds the options of the message replyHeaderFor(name) heads.
// It calls the builders directly: through a func value the Builder would
// escape, which would say something about the test, not the Builder.
func buildNamed(b *Builder, name string) error {
	switch name {
	case "discover":
		return buildDiscover(b)
	case "request":
		return buildRequest(b)
	}
	return buildAck(b)
}

var (
	benchServer = netip.AddrFrom4(serverIP)
	benchClient = netip.AddrFrom4(clientIP)
	benchMask   = netip.MustParseAddr("255.255.255.0")
	benchRouter = []netip.Addr{netip.MustParseAddr("192.0.2.1")}
	benchDNS    = []netip.Addr{netip.MustParseAddr("192.0.2.53"), netip.MustParseAddr("192.0.2.54")}
	benchCircID = []byte("eth0/1/7")
)

func buildDiscover(b *Builder) error {
	return firstErr(
		b.AddMessageType(Discover),
		b.AddOption(OptClientID, clientID),
		b.AddIP(OptRequestedIP, benchClient),
		b.AddString(OptHostname, "host-a"),
		b.AddOption(OptParamRequest, prl),
		b.AddUint16(OptMaxMessageSize, 1500),
	)
}

func buildRequest(b *Builder) error {
	return firstErr(
		b.AddMessageType(Request),
		b.AddOption(OptClientID, clientID),
		b.AddIP(OptRequestedIP, benchClient),
		b.AddIP(OptServerID, benchServer),
		b.AddString(OptHostname, "host-a"),
		b.AddClientFQDN(FQDNServerUpdate|FQDNEncoded, 0, "host-a.example."),
		b.AddOption(OptParamRequest, prl),
		b.StartOption(OptRelayAgentInfo),
		b.AddSubOption(RelayCircuitID, benchCircID),
		b.EndOption(),
	)
}

// buildAck builds a reply the way the server will: typed adders, then the
// relay agent information echoed last.
func buildAck(b *Builder) error {
	return firstErr(
		b.AddMessageType(Ack),
		b.AddIP(OptServerID, benchServer),
		b.AddUint32(OptLeaseTime, 3600),
		b.AddUint32(OptRenewalTime, 1800),
		b.AddUint32(OptRebindingTime, 3150),
		b.AddIP(OptSubnetMask, benchMask),
		b.AddIPs(OptRouter, benchRouter),
		b.AddIPs(OptDNS, benchDNS),
		b.AddString(OptDomainName, "example.org"),
		b.AddClientFQDN(FQDNServerUpdate|FQDNEncoded, 255, "host-a.example."),
		b.AddOption(OptRelayAgentInfo, relayInfo),
	)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
