package dhcp6

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestParseDUID(t *testing.T) {
	uuid := [16]byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	for _, tc := range []struct {
		name    string
		data    []byte
		typ     DUIDType
		want    DUID
		errText string
	}{
		{name: "LLT", data: AppendDUIDLLT(nil, 1, 0x2f3a4b5c, []byte{2, 0, 0, 0, 0, 1}), typ: DUIDLLT,
			want: DUID{HardwareType: 1, Time: 0x2f3a4b5c, LinkLayerAddr: []byte{2, 0, 0, 0, 0, 1}}},
		{name: "EN", data: AppendDUIDEN(nil, 2495, []byte("kea")), typ: DUIDEN,
			want: DUID{Enterprise: 2495, Identifier: []byte("kea")}},
		{name: "LL", data: AppendDUIDLL(nil, 1, []byte{2, 0, 0, 0, 0, 0xfe}), typ: DUIDLL,
			want: DUID{HardwareType: 1, LinkLayerAddr: []byte{2, 0, 0, 0, 0, 0xfe}}},
		{name: "UUID", data: AppendDUIDUUID(nil, uuid), typ: DUIDUUID,
			want: DUID{Identifier: uuid[:]}},
		{name: "unknown type kept raw", data: []byte{0, 9, 1, 2, 3}, typ: 9,
			want: DUID{Identifier: []byte{1, 2, 3}}},
		{name: "too short", data: []byte{0, 3}, errText: "DUID of 2 bytes; want 3 to 130"},
		{name: "too long", data: append([]byte{0, 2}, make([]byte, 129)...), errText: "DUID of 131 bytes"},
		{name: "LLT short", data: []byte{0, 1, 0, 1, 0, 0, 0}, errText: "DUID-LLT of 7 bytes, shorter than its 8-byte fixed part"},
		{name: "EN short", data: []byte{0, 2, 0, 0, 9}, errText: "DUID-EN of 5 bytes"},
		{name: "UUID short", data: []byte{0, 4, 1, 2, 3}, errText: "DUID-UUID of 5 bytes; want 18"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDUID(tc.data)
			if tc.errText != "" {
				if !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("error %v, want ErrBadOption containing %q", err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Raw = tc.data
			if d.Type() != tc.typ || !deepEqualBytes(d, tc.want) {
				t.Errorf("got %v %+v\nwant %v %+v", d.Type(), d, tc.typ, tc.want)
			}
			b := Builder{}
			b.AddDUID(OptClientID, d)
			out := mustFinish(t, &b)
			if got, _ := Options(out).Get(OptClientID); !bytes.Equal(got, tc.data) {
				t.Errorf("AddDUID wrote % x", got)
			}
		})
	}
	if got := (DUID{Raw: []byte{0, 3, 0, 1, 0xab}}).String(); got != "00:03:00:01:ab" {
		t.Errorf("String = %q", got)
	}
	if (DUID{}).Type() != 0 || (DUID{}).String() != "" {
		t.Error("empty DUID")
	}
	if DUIDLLT.String() != "DUID-LLT" || DUIDType(7).String() != "DUID-7" {
		t.Error("DUIDType.String")
	}
	b := Builder{}
	b.AddDUID(OptServerID, DUID{Raw: []byte{0, 1}})
	if _, err := b.Finish(); !errors.Is(err, ErrBadValue) {
		t.Errorf("AddDUID of a 2-byte DUID: %v", err)
	}
}
