package dhcp6

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func hexb(s string) []byte {
	var out []byte
	for _, f := range strings.Fields(s) {
		var v byte
		for _, c := range f {
			switch {
			case c >= '0' && c <= '9':
				v = v<<4 | byte(c-'0')
			case c >= 'a' && c <= 'f':
				v = v<<4 | byte(c-'a'+10)
			}
		}
		out = append(out, v)
	}
	return out
}

func TestParseIA(t *testing.T) {
	iaHdr := "00 00 00 01 00 00 03 e8 00 00 07 d0"
	iaaddr := "00 05 00 18 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 01 00 00 00 0b b8 00 00 0f a0"
	status := "00 0d 00 04 00 02 6e 6f"
	for _, tc := range []struct {
		name    string
		parse   func([]byte) (any, error)
		data    string
		want    any
		wantErr error
		errText string
	}{
		{name: "IA_NA empty", parse: parseAny(ParseIANA), data: iaHdr,
			want: IANA{IAID: 1, T1: 1000, T2: 2000, Options: Options{}}},
		{name: "IA_NA with IAADDR", parse: parseAny(ParseIANA), data: iaHdr + " " + iaaddr,
			want: IANA{IAID: 1, T1: 1000, T2: 2000, Options: Options(hexb(iaaddr))}},
		{name: "IA_NA short", parse: parseAny(ParseIANA), data: "00 00 00 01 00 00 03 e8 00 00",
			wantErr: ErrBadOption, errText: "option 3 (IA_NA) at offset 0: length 10 shorter than 12-byte IA_NA header"},
		{name: "IA_NA bad sub-option", parse: parseAny(ParseIANA), data: iaHdr + " 00 05 00 18 20",
			wantErr: ErrTruncated, errText: "option 5 (IAADDR) at offset 12: in IA_NA sub-options: length 24 runs past"},
		{name: "IA_TA", parse: parseAny(ParseIATA), data: "00 00 00 07 " + status,
			want: IATA{IAID: 7, Options: Options(hexb(status))}},
		{name: "IA_TA short", parse: parseAny(ParseIATA), data: "00 00 07",
			wantErr: ErrBadOption, errText: "length 3 shorter than 4-byte IA_TA header"},
		{name: "IA_PD", parse: parseAny(ParseIAPD), data: iaHdr,
			want: IAPD{IAID: 1, T1: 1000, T2: 2000, Options: Options{}}},
		{name: "IA_PD short", parse: parseAny(ParseIAPD), data: "",
			wantErr: ErrBadOption, errText: "option 25 (IA_PD) at offset 0: length 0 shorter than 12-byte"},
		{name: "IA_PD trailing byte", parse: parseAny(ParseIAPD), data: iaHdr + " 00",
			wantErr: ErrTruncated, errText: "at offset 12: in IA_PD sub-options: 1 bytes left"},
		{name: "IAADDR", parse: parseAny(ParseIAAddr), data: iaaddr[12:] + " " + status,
			want: IAAddr{Addr: leaseAddr, Preferred: 3000, Valid: 4000, Options: Options(hexb(status))}},
		{name: "IAADDR short", parse: parseAny(ParseIAAddr), data: "20 01 0d b8",
			wantErr: ErrBadOption, errText: "length 4 shorter than 24-byte IAADDR header"},
		{name: "IAPREFIX", parse: parseAny(ParseIAPrefix), data: "00 00 0b b8 ff ff ff ff 38 20 01 0d b8 80 00 00 00 00 00 00 00 00 00 00 00",
			want: IAPrefix{Preferred: 3000, Valid: Infinity, Prefix: leasePfx, Options: Options{}}},
		{name: "IAPREFIX keeps host bits", parse: parseAny(ParseIAPrefix), data: "00 00 00 00 00 00 00 00 30 20 01 0d b8 80 00 00 00 00 00 00 00 00 00 00 01",
			want: IAPrefix{Prefix: netip.PrefixFrom(netip.MustParseAddr("2001:db8:8000::1"), 48), Options: Options{}}},
		{name: "IAPREFIX length 129", parse: parseAny(ParseIAPrefix), data: "00 00 00 00 00 00 00 00 81 20 01 0d b8 80 00 00 00 00 00 00 00 00 00 00 00",
			wantErr: ErrBadOption, errText: "at offset 8: prefix length 129 is more than 128"},
		{name: "IAPREFIX short", parse: parseAny(ParseIAPrefix), data: "00 00 00 00 00 00 00 00 40",
			wantErr: ErrBadOption, errText: "shorter than 25-byte IAPREFIX header"},
		{name: "status", parse: parseAny(ParseStatusCode), data: "00 02 6e 6f",
			want: Status{Code: NoAddrsAvail, Message: []byte("no")}},
		{name: "status empty message", parse: parseAny(ParseStatusCode), data: "00 00",
			want: Status{Code: Success, Message: []byte{}}},
		{name: "status short", parse: parseAny(ParseStatusCode), data: "00",
			wantErr: ErrBadOption, errText: "option 13 (STATUS_CODE) at offset 0: length 1 shorter than 2-byte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.parse(hexb(tc.data))
			checkParse(t, got, err, tc.want, tc.wantErr, tc.errText)
		})
	}
}

func parseAny[T any](f func([]byte) (T, error)) func([]byte) (any, error) {
	return func(b []byte) (any, error) { v, err := f(b); return v, err }
}

func checkParse(t *testing.T, got any, err error, want any, wantErr error, errText string) {
	t.Helper()
	if wantErr != nil {
		if !errors.Is(err, wantErr) || !strings.Contains(err.Error(), errText) {
			t.Fatalf("error %v\nwant %v containing %q", err, wantErr, errText)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if !deepEqualBytes(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// deepEqualBytes compares by formatted value, so a nil and an empty slice
// inside a struct count as equal: callers cannot tell them apart either.
func deepEqualBytes(a, b any) bool {
	return strings.ReplaceAll(sprint(a), "[]", "") == strings.ReplaceAll(sprint(b), "[]", "")
}

func TestIABuildRoundTrip(t *testing.T) {
	b := NewBuilder(nil, Reply, 1)
	b.AddIANA(1, 1000, 2000)
	b.StartIAAddr(leaseAddr, 3000, 4000)
	b.AddStatusCode(Success, "ok")
	b.EndOption()
	b.EndOption()
	b.AddIATA(9)
	b.AddIAAddr(leaseAddr, 0, 0)
	b.EndOption()
	b.AddIAPD(2, 1000, 2000)
	b.StartIAPrefix(leasePfx, 3000, 4000)
	b.AddPDExclude(leasePfx, netip.MustParsePrefix("2001:db8:8000:1::/64"))
	b.EndOption()
	b.EndOption()
	b.AddStatusCode(NoPrefixAvail, "")
	out := mustFinish(t, &b)

	var m Message
	if err := m.Decode(out); err != nil {
		t.Fatal(err)
	}
	na, err := ParseIANA(mustGet(t, m.Options, OptIANA))
	if err != nil || na.IAID != 1 || na.T1 != 1000 || na.T2 != 2000 {
		t.Fatalf("IA_NA %+v %v", na, err)
	}
	addr, err := ParseIAAddr(mustGet(t, na.Options, OptIAAddr))
	if err != nil || addr.Addr != leaseAddr || addr.Preferred != 3000 || addr.Valid != 4000 {
		t.Fatalf("IAADDR %+v %v", addr, err)
	}
	st, err := ParseStatusCode(mustGet(t, addr.Options, OptStatusCode))
	if err != nil || st.Code != Success || string(st.Message) != "ok" {
		t.Fatalf("status %+v %v", st, err)
	}
	ta, err := ParseIATA(mustGet(t, m.Options, OptIATA))
	if err != nil || ta.IAID != 9 || !ta.Options.Has(OptIAAddr) {
		t.Fatalf("IA_TA %+v %v", ta, err)
	}
	pd, err := ParseIAPD(mustGet(t, m.Options, OptIAPD))
	if err != nil || pd.IAID != 2 {
		t.Fatalf("IA_PD %+v %v", pd, err)
	}
	pfx, err := ParseIAPrefix(mustGet(t, pd.Options, OptIAPrefix))
	if err != nil || pfx.Prefix != leasePfx || pfx.Preferred != 3000 || pfx.Valid != 4000 {
		t.Fatalf("IAPREFIX %+v %v", pfx, err)
	}
	ex, err := ParsePDExclude(mustGet(t, pfx.Options, OptPDExclude), pfx.Prefix)
	if err != nil || ex != netip.MustParsePrefix("2001:db8:8000:1::/64") {
		t.Fatalf("PD_EXCLUDE %v %v", ex, err)
	}
	st, err = ParseStatusCode(mustGet(t, m.Options, OptStatusCode))
	if err != nil || st.Code != NoPrefixAvail || len(st.Message) != 0 {
		t.Fatalf("top status %+v %v", st, err)
	}
	if !bytes.Equal(m.AppendTo(nil), out) {
		t.Error("message round trip differs")
	}
}

func TestIABuildErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(b *Builder)
	}{
		{"IAADDR with IPv4", func(b *Builder) { b.AddIAAddr(netip.MustParseAddr("192.0.2.1"), 1, 2) }},
		{"IAADDR zero", func(b *Builder) { b.AddIAAddr(netip.Addr{}, 1, 2) }},
		{"IAPREFIX invalid", func(b *Builder) { b.AddIAPrefix(netip.Prefix{}, 1, 2) }},
		{"IAPREFIX IPv4", func(b *Builder) { b.AddIAPrefix(netip.MustParsePrefix("192.0.2.0/24"), 1, 2) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBuilder(nil, Reply, 1)
			tc.build(&b)
			if _, err := b.Finish(); !errors.Is(err, ErrBadValue) {
				t.Fatalf("Finish = %v, want ErrBadValue", err)
			}
		})
	}
}
