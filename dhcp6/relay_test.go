package dhcp6

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

func TestPacketDirect(t *testing.T) {
	in := solicitBytes(t)
	var p Packet
	if err := p.Decode(in); err != nil {
		t.Fatal(err)
	}
	if p.NumRelays != 0 || p.Msg.Type != Solicit || p.Msg.TransactionID != 0x123456 {
		t.Fatalf("got %d relays, %v, xid %#x", p.NumRelays, p.Msg.Type, p.Msg.TransactionID)
	}
	if id, _ := p.Msg.Options.Get(OptClientID); !bytes.Equal(id, clientDUID) {
		t.Errorf("client id % x", id)
	}
	out, err := p.AppendTo(nil)
	if err != nil || !bytes.Equal(out, in) {
		t.Errorf("AppendTo = % x, %v; want % x", out, err, in)
	}
}

func TestRelayNesting(t *testing.T) {
	for n := 1; n <= MaxRelays+1; n++ {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			hops := relayHops(t, n)
			b := NewRelayBuilder(make([]byte, 0, 4096), hops, Solicit, 0xabcdef)
			buildSolicit(&b)
			in, err := b.Finish()
			if n > MaxRelays {
				if !errors.Is(err, ErrTooManyRelays) {
					t.Fatalf("building %d hops: %v, want ErrTooManyRelays", n, err)
				}
				in = wrapRelay(t, relayedSolicitBytes(t, MaxRelays))
			} else if err != nil {
				t.Fatal(err)
			}
			var p Packet
			err = p.Decode(in)
			if n > MaxRelays {
				if !errors.Is(err, ErrTooManyRelays) {
					t.Fatalf("Decode of %d hops: %v, want ErrTooManyRelays", n, err)
				}
				if !strings.Contains(err.Error(), "relay depth 32") {
					t.Errorf("error %q does not name the depth", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.NumRelays != n || p.Msg.Type != Solicit || p.Msg.TransactionID != 0xabcdef {
				t.Fatalf("got %d relays, %v %#x", p.NumRelays, p.Msg.Type, p.Msg.TransactionID)
			}
			for i, h := range p.Hops() {
				if h.Type != RelayForw || h.HopCount != uint8(n-1-i) || h.LinkAddr != relayLink || h.PeerAddr != relayPeer {
					t.Errorf("hop %d: %+v", i, h)
				}
				if id, ok := h.Options.Get(OptInterfaceID); !ok || id[3] != byte('0'+i%10) {
					t.Errorf("hop %d interface-id %q", i, id)
				}
			}
			inner := p.Relays[n-1]
			rid, err := ParseRemoteID(mustGet(t, inner.Options, OptRemoteID))
			if err != nil || rid.Enterprise != 4491 || string(rid.ID) != "circuit-7" {
				t.Errorf("remote-id %+v %v", rid, err)
			}
			out, err := p.AppendTo(nil)
			if err != nil || !bytes.Equal(out, in) {
				t.Errorf("AppendTo differs from input (err %v)", err)
			}
		})
	}
}

// wrapRelay puts msg inside one more RELAY-FORW.
func wrapRelay(t *testing.T, msg []byte) []byte {
	b := Builder{buf: []byte{byte(RelayForw), 0}}
	b.buf = append(b.buf, make([]byte, 32)...)
	b.AddOption(OptRelayMsg, msg)
	out, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustGet(t *testing.T, o Options, code OptionCode) []byte {
	t.Helper()
	d, ok := o.Get(code)
	if !ok {
		t.Fatalf("option %v missing", code)
	}
	return d
}

func TestRelayMalformed(t *testing.T) {
	hdr := func(opts ...byte) []byte {
		return append(append([]byte{byte(RelayForw), 0}, make([]byte, 32)...), opts...)
	}
	for _, tc := range []struct {
		name    string
		in      []byte
		want    error
		errText string
	}{
		{"short relay header", hdr()[:20], ErrTruncated, "at offset 0: 20 bytes, shorter than the 34-byte relay header"},
		{"no relay-msg", hdr(0, 18, 0, 1, 'x'), ErrBadMessage, "at offset 39: relay message has no relay-msg option"},
		{"two relay-msg", hdr(0, 9, 0, 4, 1, 0, 0, 1, 0, 9, 0, 4, 1, 0, 0, 1), ErrBadMessage, "option 9 (RELAY_MSG) at offset 42: second relay-msg"},
		{"empty relay-msg", hdr(0, 9, 0, 0), ErrTruncated, "dhcp6: option 9 (RELAY_MSG) at offset 34: relay-msg option is empty"},
		{"relay-msg past end", hdr(0, 9, 0, 9, 1, 0, 0, 1), ErrTruncated, "option 9 (RELAY_MSG) at offset 34: length 9 runs past"},
		{"inner short", hdr(0, 9, 0, 2, 1, 0), ErrTruncated, "relay depth 1: at offset 38: message of 2 bytes"},
		{"inner option cut", hdr(0, 9, 0, 7, 1, 0, 0, 1, 0, 3, 0), ErrTruncated, "relay depth 1: at offset 42: 3 bytes left"},
		{"inner relay short", hdr(0, 9, 0, 3, 12, 0, 0), ErrTruncated, "relay depth 1: at offset 38: 3 bytes, shorter than the 34-byte relay header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p Packet
			err := p.Decode(tc.in)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.errText) {
				t.Fatalf("Decode = %v\nwant %v containing %q", err, tc.want, tc.errText)
			}
		})
	}
}

// A relay may put options after relay-msg; they must survive a round trip
// and stay in the hop's Options.
func TestRelayOptionsAfterRelayMsg(t *testing.T) {
	inner := solicitBytes(t)
	b := Builder{buf: append([]byte{byte(RelayForw), 1}, make([]byte, 32)...)}
	b.AddInterfaceID([]byte("ge-0/0/1"))
	b.AddOption(OptRelayMsg, inner)
	b.AddClientLinkLayerAddr(1, []byte{2, 0, 0, 0, 0, 1})
	in := mustFinish(t, &b)
	var p Packet
	if err := p.Decode(in); err != nil {
		t.Fatal(err)
	}
	h := p.Relays[0]
	if _, ok := h.Options.Get(OptClientLinkLayerAddr); !ok {
		t.Error("option after relay-msg lost")
	}
	out, err := p.AppendTo(nil)
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("round trip differs: %v", err)
	}
	// Changing the inner message re-encodes it in place.
	p.Msg.TransactionID = 0x654321
	out, err = p.AppendTo(nil)
	if err != nil {
		t.Fatal(err)
	}
	var q Packet
	if err := q.Decode(out); err != nil || q.Msg.TransactionID != 0x654321 || !q.Relays[0].Options.Has(OptClientLinkLayerAddr) {
		t.Fatalf("re-encoded packet: %v, xid %#x", err, q.Msg.TransactionID)
	}
}

func TestRelayReplyBuilder(t *testing.T) {
	var q Packet
	if err := q.Decode(relayedSolicitBytes(t, 3)); err != nil {
		t.Fatal(err)
	}
	b := NewRelayReplyBuilder(make([]byte, 0, 1500), &q, Reply, q.Msg.TransactionID)
	buildReply(&b)
	out := mustFinish(t, &b)
	var r Packet
	if err := r.Decode(out); err != nil {
		t.Fatal(err)
	}
	if r.NumRelays != 3 || r.Msg.Type != Reply || r.Msg.TransactionID != 0x123456 {
		t.Fatalf("reply: %d relays, %v %#x", r.NumRelays, r.Msg.Type, r.Msg.TransactionID)
	}
	for i := range 3 {
		qh, rh := q.Relays[i], r.Relays[i]
		if rh.Type != RelayRepl || rh.HopCount != qh.HopCount || rh.LinkAddr != qh.LinkAddr || rh.PeerAddr != qh.PeerAddr {
			t.Errorf("hop %d: %+v, query %+v", i, rh, qh)
		}
		if !bytes.Equal(mustGet(t, rh.Options, OptInterfaceID), mustGet(t, qh.Options, OptInterfaceID)) {
			t.Errorf("hop %d interface-id not echoed", i)
		}
		if rh.Options.Has(OptRemoteID) || rh.Options.Count(OptInterfaceID) != 1 {
			t.Errorf("hop %d: unexpected options echoed", i)
		}
	}
	// A direct query gives a plain message, the same as NewBuilder.
	var d Packet
	if err := d.Decode(solicitBytes(t)); err != nil {
		t.Fatal(err)
	}
	b = NewRelayReplyBuilder(nil, &d, Reply, 0x123456)
	buildReply(&b)
	if got := mustFinish(t, &b); !bytes.Equal(got, replyBytes(t)) {
		t.Errorf("direct reply differs from NewBuilder's")
	}
}

func TestPacketAppendToErrors(t *testing.T) {
	p := Packet{NumRelays: 33}
	if _, err := p.AppendTo(nil); !errors.Is(err, ErrTooManyRelays) {
		t.Errorf("NumRelays 33: %v", err)
	}
	p = Packet{Msg: Message{Type: RelayForw}}
	if _, err := p.AppendTo(nil); !errors.Is(err, ErrBadMessage) {
		t.Errorf("relay type in Msg: %v", err)
	}
	p = Packet{NumRelays: 1, Msg: Message{Type: Solicit}}
	p.Relays[0] = RelayHop{Type: RelayForw, Options: Options{0, 1, 0}}
	if _, err := p.AppendTo(nil); !errors.Is(err, ErrTruncated) {
		t.Errorf("bad hop options: %v", err)
	}
	p.Relays[0] = RelayHop{Type: Solicit}
	if _, err := p.AppendTo(nil); !errors.Is(err, ErrBadValue) {
		t.Errorf("non-relay hop type: %v", err)
	}
	// A hand-made hop without relay-msg gets one after its options.
	p.Relays[0] = RelayHop{Type: RelayForw, LinkAddr: relayLink, Options: Options{0, 18, 0, 1, 'x'}}
	out, err := p.AppendTo(nil)
	if err != nil {
		t.Fatal(err)
	}
	var q Packet
	if err := q.Decode(out); err != nil || q.NumRelays != 1 || q.Relays[0].LinkAddr != relayLink {
		t.Fatalf("decode of hand-made relay: %v", err)
	}
}

// Decoding a shallower packet into a Packet that held a deeper one must not
// leave the old hops visible.
func TestPacketReuse(t *testing.T) {
	var p Packet
	if err := p.Decode(relayedSolicitBytes(t, 5)); err != nil {
		t.Fatal(err)
	}
	if err := p.Decode(relayedSolicitBytes(t, 2)); err != nil {
		t.Fatal(err)
	}
	if p.NumRelays != 2 || p.Relays[2].Options != nil || p.Relays[4].LinkAddr.IsValid() {
		t.Errorf("stale hops after reuse: %d relays, hop 2 %+v", p.NumRelays, p.Relays[2])
	}
	_ = netip.Addr{}
}
