package dhcp6

import "testing"

func benchDecode(b *testing.B, in []byte) {
	var p Packet
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if err := p.Decode(in); err != nil {
			b.Fatal(err)
		}
		if err := readMessage(&p.Msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeSolicit(b *testing.B) { benchDecode(b, solicitBytes(b)) }

func BenchmarkDecodeReply(b *testing.B) { benchDecode(b, replyBytes(b)) }

func BenchmarkDecodeRelayedSolicit(b *testing.B) { benchDecode(b, relayedSolicitBytes(b, 1)) }

func BenchmarkBuildReply(b *testing.B) {
	buf := make([]byte, 0, 1500)
	b.ReportAllocs()
	for b.Loop() {
		bl := NewBuilder(buf, Reply, 0x123456)
		buildReply(&bl)
		if _, err := bl.Finish(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildRelayedReply(b *testing.B) {
	var q Packet
	if err := q.Decode(relayedSolicitBytes(b, 1)); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 1500)
	b.ReportAllocs()
	for b.Loop() {
		bl := NewRelayReplyBuilder(buf, &q, Reply, q.Msg.TransactionID)
		buildReply(&bl)
		if _, err := bl.Finish(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildSolicit(b *testing.B) {
	buf := make([]byte, 0, 1500)
	b.ReportAllocs()
	for b.Loop() {
		bl := NewBuilder(buf, Solicit, 0x123456)
		buildSolicit(&bl)
		if _, err := bl.Finish(); err != nil {
			b.Fatal(err)
		}
	}
}
