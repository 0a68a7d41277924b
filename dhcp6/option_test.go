package dhcp6

import (
	"bytes"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestParseSimpleOptions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		parse   func([]byte) (any, error)
		data    string
		want    any
		errText string
	}{
		{name: "preference", parse: parseAny(ParsePreference), data: "ff", want: uint8(255)},
		{name: "preference empty", parse: parseAny(ParsePreference), data: "", errText: "option 7 (PREFERENCE) at offset 0: length 0; PREFERENCE is 1 bytes"},
		{name: "elapsed", parse: parseAny(ParseElapsedTime), data: "01 2c", want: uint16(300)},
		{name: "elapsed long", parse: parseAny(ParseElapsedTime), data: "01 2c 00", errText: "length 3; ELAPSED_TIME is 2 bytes"},
		{name: "sol max rt", parse: parseAny(ParseSolMaxRT), data: "00 00 0e 10", want: uint32(3600)},
		{name: "sol max rt short", parse: parseAny(ParseSolMaxRT), data: "00 0e 10", errText: "SOL_MAX_RT is 4 bytes"},
		{name: "inf max rt", parse: parseAny(ParseInfMaxRT), data: "00 01 51 80", want: uint32(86400)},
		{name: "inf max rt short", parse: parseAny(ParseInfMaxRT), data: "", errText: "INF_MAX_RT is 4 bytes"},
		{name: "ORO", parse: parseAny(ParseORO), data: "00 17 00 18", want: ORO{0, 23, 0, 24}},
		{name: "ORO empty", parse: parseAny(ParseORO), data: "", want: ORO{}},
		{name: "ORO odd", parse: parseAny(ParseORO), data: "00 17 00", errText: "option 6 (ORO) at offset 0: length 3 is odd"},
		{name: "DNS", parse: parseAny(ParseDNSServers), data: "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 53", want: AddrList(dnsAddr.AsSlice())},
		{name: "DNS partial", parse: parseAny(ParseDNSServers), data: "20 01 0d b8", errText: "option 23 (DNS_SERVERS) at offset 0: length 4 is not a multiple of 16"},
		{name: "remote-id", parse: parseAny(ParseRemoteID), data: "00 00 11 8b 63 37", want: RemoteID{Enterprise: 4491, ID: []byte("c7")}},
		{name: "remote-id short", parse: parseAny(ParseRemoteID), data: "00 00 11", errText: "option 37 (REMOTE_ID) at offset 0: length 3 shorter than 4-byte"},
		{name: "subscriber-id", parse: parseAny(ParseSubscriberID), data: "61 62", want: []byte("ab")},
		{name: "subscriber-id empty", parse: parseAny(ParseSubscriberID), data: "", errText: "option 38 (SUBSCRIBER_ID) at offset 0: empty"},
		{name: "client link-layer", parse: parseAny(ParseClientLinkLayerAddr), data: "00 01 02 00 00 00 00 01", want: ClientLinkLayerAddr{HardwareType: 1, Addr: []byte{2, 0, 0, 0, 0, 1}}},
		{name: "client link-layer short", parse: parseAny(ParseClientLinkLayerAddr), data: "00", errText: "option 79 (CLIENT_LINKLAYER_ADDR) at offset 0: length 1 shorter than 2-byte"},
		{name: "user class", parse: parseAny(ParseUserClass), data: "00 02 61 62 00 00 00 01 63", want: DataItems(hexb("00 02 61 62 00 00 00 01 63"))},
		{name: "user class bad item", parse: parseAny(ParseUserClass), data: "00 02 61 62 00 05 63", errText: "option 15 (USER_CLASS) at offset 4: data item of length 5 runs past the end (1 bytes left)"},
		{name: "user class odd byte", parse: parseAny(ParseUserClass), data: "00 01 61 00", errText: "option 15 (USER_CLASS) at offset 3: 1 byte left"},
		{name: "vendor class", parse: parseAny(ParseVendorClass), data: "00 00 0d e9 00 03 6b 65 61", want: VendorClass{Enterprise: 3561, Data: DataItems(hexb("00 03 6b 65 61"))}},
		{name: "vendor class short", parse: parseAny(ParseVendorClass), data: "00 00 0d", errText: "option 16 (VENDOR_CLASS) at offset 0: length 3 shorter than 4-byte"},
		{name: "vendor class bad item", parse: parseAny(ParseVendorClass), data: "00 00 0d e9 00 03 6b", errText: "option 16 (VENDOR_CLASS) at offset 4: data item of length 3"},
		{name: "vendor opts", parse: parseAny(ParseVendorOpts), data: "00 00 11 8b 00 20 00 01 ff", want: VendorOpts{Enterprise: 4491, Options: Options(hexb("00 20 00 01 ff"))}},
		{name: "vendor opts short", parse: parseAny(ParseVendorOpts), data: "00", errText: "length 1 shorter than 4-byte VENDOR_OPTS header"},
		{name: "vendor opts bad sub-option", parse: parseAny(ParseVendorOpts), data: "00 00 11 8b 00 20 00 09 ff", errText: "option 17 (VENDOR_OPTS) at offset 4: in VENDOR_OPTS sub-option 32: length 9 runs past"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.parse(hexb(tc.data))
			var wantErr error
			if tc.errText != "" {
				wantErr = ErrBadOption
				if strings.Contains(tc.errText, "runs past") && strings.Contains(tc.errText, "sub-option") {
					wantErr = ErrTruncated
				}
			}
			checkParse(t, got, err, tc.want, wantErr, tc.errText)
		})
	}
}

func TestWalkers(t *testing.T) {
	o, _ := ParseORO(hexb("00 17 00 18 00 52"))
	if o.Len() != 3 || o.At(2) != OptSolMaxRT || !o.Contains(OptDomainList) || o.Contains(OptIANA) {
		t.Errorf("ORO accessors wrong")
	}
	if got := slices.Collect(o.All()); !slices.Equal(got, []OptionCode{23, 24, 82}) {
		t.Errorf("ORO.All = %v", got)
	}
	a2 := netip.MustParseAddr("2001:db8::54")
	l, _ := ParseDNSServers(append(dnsAddr.AsSlice(), a2.AsSlice()...))
	if l.Len() != 2 || l.At(1) != a2 || !slices.Equal(slices.Collect(l.All()), []netip.Addr{dnsAddr, a2}) {
		t.Errorf("AddrList accessors wrong")
	}
	items, _ := ParseUserClass(hexb("00 02 61 62 00 00 00 01 63"))
	var got []string
	for it := range items.All() {
		got = append(got, string(it))
	}
	if !slices.Equal(got, []string{"ab", "", "c"}) {
		t.Errorf("DataItems.All = %q", got)
	}
	if _, _, err := items.Next(len(items)); !errors.Is(err, ErrTruncated) {
		t.Errorf("DataItems.Next at end: %v", err)
	}
}

func TestSimpleBuildRoundTrip(t *testing.T) {
	a2 := netip.MustParseAddr("2001:db8::54")
	b := NewBuilder(nil, Advertise, 0xfffffe)
	b.AddPreference(255)
	b.AddElapsedTime(0xffff)
	b.AddSolMaxRT(3600)
	b.AddInfMaxRT(86400)
	b.AddORO(OptDNSServers, OptDomainList)
	b.AddDNSServers(dnsAddr, a2)
	b.AddAddrList(OptSNTPServers, a2)
	b.AddRapidCommit()
	b.AddReconfAccept()
	b.AddRemoteID(4491, []byte("c7"))
	b.AddOption(OptSubscriberID, []byte("sub"))
	b.AddClientLinkLayerAddr(1, []byte{2, 0, 0, 0, 0, 1})
	b.AddInterfaceID([]byte("eth0"))
	b.AddUserClass([]byte("ab"), []byte{})
	b.AddVendorClass(3561, []byte("kea"))
	b.StartVendorOpts(4491)
	b.AddOption(32, []byte{0xff})
	b.EndOption()
	out := mustFinish(t, &b)
	var m Message
	if err := m.Decode(out); err != nil {
		t.Fatal(err)
	}
	if m.Type != Advertise || m.TransactionID != 0xfffffe {
		t.Fatalf("header %v %#x", m.Type, m.TransactionID)
	}
	check := func(name string, ok bool) {
		t.Helper()
		if !ok {
			t.Errorf("%s did not round-trip", name)
		}
	}
	p, err := ParsePreference(mustGet(t, m.Options, OptPreference))
	check("preference", err == nil && p == 255)
	e, err := ParseElapsedTime(mustGet(t, m.Options, OptElapsedTime))
	check("elapsed", err == nil && e == 0xffff)
	s, err := ParseSolMaxRT(mustGet(t, m.Options, OptSolMaxRT))
	check("sol max rt", err == nil && s == 3600)
	i, err := ParseInfMaxRT(mustGet(t, m.Options, OptInfMaxRT))
	check("inf max rt", err == nil && i == 86400)
	o, err := ParseORO(mustGet(t, m.Options, OptORO))
	check("ORO", err == nil && o.Len() == 2 && o.At(0) == OptDNSServers)
	d, err := ParseDNSServers(mustGet(t, m.Options, OptDNSServers))
	check("DNS", err == nil && d.Len() == 2 && d.At(0) == dnsAddr)
	sn, err := ParseAddrList(OptSNTPServers, mustGet(t, m.Options, OptSNTPServers))
	check("SNTP", err == nil && sn.Len() == 1)
	check("rapid commit", len(mustGet(t, m.Options, OptRapidCommit)) == 0)
	check("reconf accept", len(mustGet(t, m.Options, OptReconfAccept)) == 0)
	r, err := ParseRemoteID(mustGet(t, m.Options, OptRemoteID))
	check("remote-id", err == nil && r.Enterprise == 4491 && string(r.ID) == "c7")
	sub, err := ParseSubscriberID(mustGet(t, m.Options, OptSubscriberID))
	check("subscriber-id", err == nil && string(sub) == "sub")
	ll, err := ParseClientLinkLayerAddr(mustGet(t, m.Options, OptClientLinkLayerAddr))
	check("link-layer", err == nil && ll.HardwareType == 1 && len(ll.Addr) == 6)
	check("interface-id", string(mustGet(t, m.Options, OptInterfaceID)) == "eth0")
	uc, err := ParseUserClass(mustGet(t, m.Options, OptUserClass))
	check("user class", err == nil && len(slices.Collect(uc.All())) == 2)
	vc, err := ParseVendorClass(mustGet(t, m.Options, OptVendorClass))
	check("vendor class", err == nil && vc.Enterprise == 3561 && len(slices.Collect(vc.Data.All())) == 1)
	vo, err := ParseVendorOpts(mustGet(t, m.Options, OptVendorOpts))
	check("vendor opts", err == nil && vo.Enterprise == 4491 && bytes.Equal(mustGet(t, vo.Options, 32), []byte{0xff}))
}

func TestBuildValueErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		want  error
		build func(b *Builder)
	}{
		{"DNS IPv4", ErrBadValue, func(b *Builder) { b.AddDNSServers(netip.MustParseAddr("192.0.2.53")) }},
		{"user class item too long", ErrOptionTooLong, func(b *Builder) { b.AddUserClass(make([]byte, 70000)) }},
		{"option too long", ErrOptionTooLong, func(b *Builder) { b.AddOption(OptInterfaceID, make([]byte, 65536)) }},
		{"nested too long", ErrOptionTooLong, func(b *Builder) {
			b.StartOption(OptVendorOpts)
			b.WriteBytes(make([]byte, 65536))
			b.EndOption()
		}},
		{"end without start", ErrNesting, func(b *Builder) { b.EndOption() }},
		{"never ended", ErrNesting, func(b *Builder) { b.AddIANA(1, 2, 3) }},
		{"too deep", ErrNesting, func(b *Builder) {
			for range maxOpen + 1 {
				b.StartOption(OptVendorOpts)
			}
		}},
		{"PD exclude outside", ErrBadValue, func(b *Builder) {
			b.AddPDExclude(leasePfx, netip.MustParsePrefix("2001:db8:9000::/64"))
		}},
		{"PD exclude not longer", ErrBadValue, func(b *Builder) { b.AddPDExclude(leasePfx, leasePfx) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBuilder(nil, Reply, 1)
			tc.build(&b)
			_, err := b.Finish()
			if !errors.Is(err, tc.want) {
				t.Fatalf("Finish = %v, want %v", err, tc.want)
			}
			if b.Err() == nil && tc.name != "never ended" {
				t.Error("Err() nil after failure")
			}
		})
	}
	for _, tc := range []struct {
		name string
		b    Builder
	}{
		{"relay type", NewBuilder(nil, RelayForw, 1)},
		{"xid over 24 bits", NewBuilder(nil, Solicit, 1<<24)},
	} {
		if _, err := tc.b.Finish(); !errors.Is(err, ErrBadValue) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	b := NewRelayBuilder(nil, make([]RelayHop, 33), Solicit, 1)
	if _, err := b.Finish(); !errors.Is(err, ErrTooManyRelays) {
		t.Errorf("33 hops: %v", err)
	}
	b = NewRelayBuilder(nil, []RelayHop{{Type: RelayForw, Options: Options{0, 1}}}, Solicit, 1)
	if _, err := b.Finish(); !errors.Is(err, ErrTruncated) {
		t.Errorf("bad hop options: %v", err)
	}
	// The error sticks: nothing after it is written.
	b = NewBuilder(nil, Reply, 1)
	b.EndOption()
	n := len(b.buf)
	b.AddRapidCommit()
	b.WriteUint32(7)
	if len(b.buf) != n {
		t.Error("builder wrote after an error")
	}
}

func TestPDExclude(t *testing.T) {
	for _, tc := range []struct {
		name      string
		delegated string
		data      string
		want      string
		errText   string
	}{
		{name: "/56 from /48", delegated: "2001:db8:1::/48", data: "38 12", want: "2001:db8:1:1200::/56"},
		{name: "/64 from /56", delegated: "2001:db8:8000::/56", data: "40 01", want: "2001:db8:8000:1::/64"},
		{name: "/64 from /59, unaligned", delegated: "2001:db8:0:20::/59", data: "40 e8", want: "2001:db8:0:3d::/64"},
		{name: "/128 from /120", delegated: "2001:db8::100/120", data: "80 ab", want: "2001:db8::1ab/128"},
		{name: "/64 from /48 two bytes", delegated: "2001:db8:1::/48", data: "40 ab cd", want: "2001:db8:1:abcd::/64"},
		{name: "empty", delegated: "2001:db8:1::/48", data: "40", errText: "length 1; at least"},
		{name: "not longer", delegated: "2001:db8:1::/48", data: "30 00", errText: "excluded prefix length 48 must be more than the delegated /48"},
		{name: "over 128", delegated: "2001:db8:1::/48", data: "81 00", errText: "excluded prefix length 129"},
		{name: "wrong length", delegated: "2001:db8:1::/48", data: "40 ab", errText: "length 2; a /64 excluded from a /48 takes 3 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			del := netip.MustParsePrefix(tc.delegated)
			got, err := ParsePDExclude(hexb(tc.data), del)
			if tc.errText != "" {
				if !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("error %v, want containing %q", err, tc.errText)
				}
				return
			}
			if err != nil || got.String() != tc.want {
				t.Fatalf("got %v %v, want %s", got, err, tc.want)
			}
			b := Builder{}
			b.AddPDExclude(del, got)
			out := mustFinish(t, &b)
			if d, _ := Options(out).Get(OptPDExclude); !bytes.Equal(d, hexb(tc.data)) {
				t.Errorf("AddPDExclude wrote % x, want %s", d, tc.data)
			}
		})
	}
	if _, err := ParsePDExclude([]byte{64, 1}, netip.Prefix{}); !errors.Is(err, ErrBadValue) {
		t.Errorf("invalid delegated prefix: %v", err)
	}
}
