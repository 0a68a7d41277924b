package dhcp4

import (
	"context"
	"net/netip"
	"testing"
)

// Malformed and hostile packets are dropped and counted with a reason;
// nothing reaches the store.
func TestMalformedDropped(t *testing.T) {
	good := func(t *testing.T) []byte { return client{typ: Discover, mac: mac(1)}.bytes(t) }
	tests := []struct {
		name   string
		pkt    func(t *testing.T) []byte
		meta   func(*PacketMeta)
		reason DropReason
	}{
		{"empty", func(*testing.T) []byte { return nil }, nil, DropTruncated},
		{"truncated header", func(t *testing.T) []byte { return good(t)[:100] }, nil, DropTruncated},
		{"bad magic cookie", func(t *testing.T) []byte { b := good(t); b[236] = 0; return b }, nil, DropBadCookie},
		{"option running past the end", func(t *testing.T) []byte {
			b := good(t)[:MinLen]
			return append(b, OptHostname, 50, 'x')
		}, nil, DropBadOption},
		{"overload loop: option 52 inside the file field", func(t *testing.T) []byte {
			b := good(t)
			b[108] = OptOverload // file field starts at 108
			b[109], b[110], b[111] = 1, 3, OptEnd
			return append(b[:MinLen], OptMessageType, 1, 1, OptOverload, 1, 3, OptEnd)
		}, nil, DropBadOverload},
		{"BOOTREPLY", func(t *testing.T) []byte { return client{typ: Discover, mac: mac(1), op: BootReply}.bytes(t) }, nil, DropNotRequest},
		{"huge hop count", func(t *testing.T) []byte {
			return client{typ: Discover, mac: mac(1), hops: 200, giaddr: hSrvAddr}.bytes(t)
		}, func(m *PacketMeta) { m.Src = netip.AddrPortFrom(hSrvAddr, 67) }, DropTooManyHops},
		{"relayed from the client port", func(t *testing.T) []byte {
			return client{typ: Discover, mac: mac(1), giaddr: netip.MustParseAddr("192.0.2.250")}.bytes(t)
		}, func(m *PacketMeta) { m.Src = netip.MustParseAddrPort("192.0.2.250:68") }, DropRelayClientPort},
		{"no message type (BOOTP)", func(t *testing.T) []byte { return client{mac: mac(1), noType: true}.bytes(t) }, nil, DropNoMessageType},
		{"OFFER sent to the server", func(t *testing.T) []byte { return client{typ: Offer, mac: mac(1)}.bytes(t) }, nil, DropUnsupportedType},
		{"unknown message type", func(t *testing.T) []byte { return client{typ: 77, mac: mac(1)}.bytes(t) }, nil, DropUnsupportedType},
		{"no hardware address and no client id", func(t *testing.T) []byte {
			return client{typ: Discover, hlen: -1}.bytes(t)
		}, nil, DropNoClientID},
		{"empty client id and no hardware address", func(t *testing.T) []byte {
			return client{typ: Discover, hlen: -1, cid: []byte{}}.bytes(t)
		}, nil, DropNoClientID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, hBasic)
			meta := h.meta
			if tt.meta != nil {
				tt.meta(&meta)
			}
			r, err := h.s.Handle(context.Background(), tt.pkt(t), meta, nil)
			wantDrop(t, r, err, tt.reason)
			c := h.s.Counters()
			if c.Dropped[tt.reason] != 1 || c.DroppedTotal() != 1 || c.Received.Total != 1 {
				t.Errorf("counters: dropped[%v]=%d total %d received %d", tt.reason, c.Dropped[tt.reason], c.DroppedTotal(), c.Received.Total)
			}
			if h.store.Len4() != 0 {
				t.Error("a dropped packet changed the store")
			}
		})
	}
}

func TestCountersPerType(t *testing.T) {
	h := newHarness(t, hBasic)
	h.dora(client{mac: mac(1)})
	h.send(client{typ: Request, mac: mac(2), reqIP: hAddr10, srvID: hSrvAddr}) // NAK
	c := h.s.Counters()
	if c.Received.Of(Discover) != 1 || c.Received.Of(Request) != 2 || c.Received.Total != 3 {
		t.Errorf("received %+v", c.Received)
	}
	if c.Sent.Of(Offer) != 1 || c.Sent.Of(Ack) != 1 || c.Sent.Of(Nak) != 1 || c.Naks != 1 {
		t.Errorf("sent %+v naks %d", c.Sent, c.Naks)
	}
	if c.LeasesAllocated != 1 {
		t.Errorf("allocated %d", c.LeasesAllocated)
	}
	if DropNoAddress.String() != "no-address-available" || DropReason(250).String() != "unknown" {
		t.Error("drop reason names")
	}
	for r := DropReason(1); r < NumDropReasons; r++ {
		if r.String() == "" || r.String() == "unknown" {
			t.Errorf("drop reason %d has no name", r)
		}
	}
}
