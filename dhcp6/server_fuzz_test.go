package dhcp6

import (
	"context"
	"errors"
	"testing"
)

// FuzzHandle feeds random datagrams to a server, directly and as if
// relayed: it must never panic (Handle's recover would hide a panic, so
// the fuzz target calls the unprotected path), and a reply must decode.
func FuzzHandle(f *testing.F) {
	d := duidLL(1)
	seeds := [][]byte{
		srvMsg(Solicit, 1, d, []opt{withNA(1), withPD(2), withTA(3), withORO(OptDNSServers, OptPDExclude), withRapidCommit()}),
		srvMsg(Request, 2, d, []opt{withServerID(duidLL(0xaa)), withNA(1, "2001:db8:1::100"), withPD(2, "2001:db8:8000::/56")}),
		srvMsg(Renew, 3, d, []opt{withNA(1, "2001:db8:1::100")}),
		srvMsg(Confirm, 4, d, []opt{withNA(1, "2001:db8:1::100")}),
		srvMsg(InformationRequest, 5, nil, []opt{withORO(OptDNSServers)}),
		srvMsg(Decline, 6, d, []opt{withNA(1, "2001:db8:1::100")}),
		srvMsg(Solicit, 7, d, []opt{withNA(1), withOption(OptClientFQDN, []byte{1, 4, 'h', 'o', 's', 't'}),
			withOption(OptVendorClass, vendorClass(4491, "docsis3.0")), withOption(OptVendorOpts, []byte{0, 0, 0x11, 0x8b, 0, 1, 0, 2, 0, 32})}),
		srvRelay(srvMsg(Solicit, 8, d, []opt{withNA(1)}), relayHop{link: "2001:db8:2::1", peer: "fe80::1",
			opts: []opt{withOption(OptInterfaceID, []byte("x")), withOption(OptRSOO, []byte{0, 23, 0, 0})}}),
	}
	for _, s := range seeds {
		f.Add(s, false)
	}
	f.Add(seeds[0], true)
	ts := newTS(f, tsResvConfig)
	f.Fuzz(func(t *testing.T, data []byte, relayed bool) {
		meta := tsDirect
		if relayed {
			meta = tsRelay
		}
		x := newExchange(ts.s)
		r, err := x.run(context.Background(), data, meta, nil)
		if err != nil {
			var de *DropError
			if !errors.As(err, &de) && !errors.Is(err, ErrParked) {
				t.Fatalf("error %v is not a drop", err)
			}
			return
		}
		var p Packet
		if err := p.Decode(r.Data); err != nil {
			t.Fatalf("reply does not decode: %v", err)
		}
		if p.Msg.Type != Advertise && p.Msg.Type != Reply {
			t.Fatalf("reply of type %v", p.Msg.Type)
		}
	})
}
