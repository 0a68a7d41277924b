package dhcp4

import "testing"

func benchDecode(b *testing.B, pkt []byte) {
	var m Message
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	for b.Loop() {
		if err := m.Decode(pkt); err != nil {
			b.Fatal(err)
		}
		if _, ok := m.MessageType(); !ok {
			b.Fatal("no message type")
		}
	}
}

func BenchmarkDecodeDiscover(b *testing.B) { benchDecode(b, discoverPkt()) }
func BenchmarkDecodeRequest(b *testing.B)  { benchDecode(b, requestPkt()) }
func BenchmarkDecodeAck(b *testing.B)      { benchDecode(b, ackPkt()) }

func benchBuild(b *testing.B, mt MessageType) {
	buf := make([]byte, 0, 1500)
	b.ReportAllocs()
	for b.Loop() {
		bl := NewBuilder(buf[:0], ackHeader())
		bl.SetMaxSize(576)
		// An OFFER carries the same options as an ACK.
		if err := buildAck(&bl); err != nil {
			b.Fatal(err)
		}
		out, err := bl.Finish()
		if err != nil {
			b.Fatal(err)
		}
		out[MinLen+2] = byte(mt) // option 53 is first
	}
}

func BenchmarkBuildOffer(b *testing.B) { benchBuild(b, Offer) }
func BenchmarkBuildAck(b *testing.B)   { benchBuild(b, Ack) }

// BenchmarkDecodeBuildAck is one server turn: decode a REQUEST, build the
// ACK echoing its relay information.
func BenchmarkDecodeBuildAck(b *testing.B) {
	pkt := requestPkt()
	buf := make([]byte, 0, 1500)
	var m Message
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Decode(pkt); err != nil {
			b.Fatal(err)
		}
		bl := NewBuilder(buf[:0], ackHeader())
		size, ok := m.MaxMessageSize()
		if !ok {
			size = 576
		}
		bl.SetMaxSize(int(size))
		ri, _ := m.RelayAgentInfo()
		if err := firstErr(
			bl.AddMessageType(Ack),
			bl.AddIP(OptServerID, benchServer),
			bl.AddUint32(OptLeaseTime, 3600),
			bl.AddIP(OptSubnetMask, benchMask),
			bl.AddIPs(OptRouter, benchRouter),
			bl.AddIPs(OptDNS, benchDNS),
			bl.AddRelayAgentInfo(ri),
		); err != nil {
			b.Fatal(err)
		}
		if _, err := bl.Finish(); err != nil {
			b.Fatal(err)
		}
	}
}
