package dhcp6

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestMessageTypeString(t *testing.T) {
	for _, tc := range []struct {
		t    MessageType
		want string
	}{
		{Solicit, "SOLICIT"}, {Advertise, "ADVERTISE"}, {Request, "REQUEST"},
		{Confirm, "CONFIRM"}, {Renew, "RENEW"}, {Rebind, "REBIND"},
		{Reply, "REPLY"}, {Release, "RELEASE"}, {Decline, "DECLINE"},
		{Reconfigure, "RECONFIGURE"}, {InformationRequest, "INFORMATION_REQUEST"},
		{RelayForw, "RELAY_FORWARD"}, {RelayRepl, "RELAY_REPLY"},
		{LeaseQuery, "LEASEQUERY"}, {LeaseQueryReply, "LEASEQUERY_REPLY"},
		{DHCPv4Query, "DHCPV4_QUERY"}, {DHCPv4Response, "DHCPV4_RESPONSE"},
		{0, "UNKNOWN"}, {18, "UNKNOWN"}, {255, "UNKNOWN"},
	} {
		if got := tc.t.String(); got != tc.want {
			t.Errorf("MessageType(%d).String() = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestMessageDecode(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      []byte
		wantErr error
		errText string
		wantXID uint32
	}{
		{name: "header only", in: []byte{1, 0xab, 0xcd, 0xef}, wantXID: 0xabcdef},
		{name: "one option", in: []byte{11, 0, 0, 1, 0, 8, 0, 2, 0, 0}, wantXID: 1},
		{name: "empty", in: nil, wantErr: ErrTruncated, errText: "at offset 0: message of 0 bytes"},
		{name: "three bytes", in: []byte{1, 2, 3}, wantErr: ErrTruncated},
		{name: "relay type", in: append([]byte{12, 0}, make([]byte, 32)...), wantErr: ErrBadMessage, errText: "RELAY_FORWARD is a relay message"},
		{name: "option header cut", in: []byte{1, 0, 0, 1, 0, 8, 0}, wantErr: ErrTruncated, errText: "at offset 4: 3 bytes left"},
		{name: "option data cut", in: []byte{1, 0, 0, 1, 0, 3, 0, 12, 0, 0}, wantErr: ErrTruncated, errText: "option 3 (IA_NA) at offset 4: length 12 runs past"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m Message
			err := m.Decode(tc.in)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Decode error %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tc.errText) {
					t.Errorf("error %q does not contain %q", err, tc.errText)
				}
				return
			}
			if m.TransactionID != tc.wantXID || m.Type != MessageType(tc.in[0]) {
				t.Errorf("got type %v xid %#x", m.Type, m.TransactionID)
			}
			if out := m.AppendTo(nil); !bytes.Equal(out, tc.in) {
				t.Errorf("AppendTo = % x, want % x", out, tc.in)
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	_, err := ParseIANA(make([]byte, 10))
	want := "dhcp6: option 3 (IA_NA) at offset 0: length 10 shorter than 12-byte IA_NA header"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	e := &Error{Err: ErrBadOption, Offset: 42, Code: 200, Depth: 2, Detail: "x"}
	if got, want := e.Error(), "dhcp6: relay depth 2: option 200 at offset 42: x"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	if !errors.Is(e, ErrBadOption) {
		t.Error("errors.Is(ErrBadOption) false")
	}
}

func TestStatusCodeString(t *testing.T) {
	if NoPrefixAvail.String() != "NoPrefixAvail" || StatusCode(99).String() != "StatusCode(99)" {
		t.Errorf("got %q, %q", NoPrefixAvail, StatusCode(99))
	}
	if OptIAPD.String() != "IA_PD" || OptionCode(999).String() != "OPTION_999" {
		t.Errorf("got %q, %q", OptIAPD, OptionCode(999))
	}
}
