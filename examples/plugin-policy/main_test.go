package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/leasehold/leasehold/dhcp4"
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/internal/plugintest"
)

const testParams = `{"drop-macs": ["02:00:00:00:00:66"], "add-option": {"code": 224, "text": "policy=lab"}}`

var plugins plugintest.Builder

func TestMain(m *testing.M) { os.Exit(plugins.Run(m)) }

func query(t *testing.T, mac [6]byte) []byte {
	h := dhcp4.Header{Op: dhcp4.BootRequest, HType: 1, HLen: 6, XID: 0x11223344}
	copy(h.CHAddr[:], mac[:])
	b := dhcp4.NewBuilder(nil, h)
	if err := b.AddMessageType(dhcp4.Discover); err != nil {
		t.Fatal(err)
	}
	p, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func offer(t *testing.T) []byte {
	h := dhcp4.Header{Op: dhcp4.BootReply, HType: 1, HLen: 6, XID: 0x11223344, YIAddr: netip.MustParseAddr("192.0.2.10")}
	b := dhcp4.NewBuilder(nil, h)
	_ = b.AddMessageType(dhcp4.Offer)
	_ = b.AddIP(dhcp4.OptServerID, netip.MustParseAddr("192.0.2.1"))
	_ = b.AddUint32(dhcp4.OptLeaseTime, 3600)
	p, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPolicy(t *testing.T) {
	path := plugins.Build(t, ".")
	for _, way := range []struct {
		name string
		lc   hooks.LibraryConfig
	}{
		{"plugin process", hooks.LibraryConfig{Library: path, Parameters: json.RawMessage(testParams)}},
		{"linked in", hooks.LibraryConfig{Library: "policy", Linked: &policy{}, Parameters: json.RawMessage(testParams)}},
	} {
		t.Run(way.name, func(t *testing.T) {
			m, err := hooks.New(context.Background(), hooks.Config{Libraries: []hooks.LibraryConfig{way.lc},
				Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close(context.Background())
			listed := query(t, [6]byte{2, 0, 0, 0, 0, 0x66})
			other := query(t, [6]byte{2, 0, 0, 0, 0, 0x01})
			if got := m.Call(context.Background(), hooks.Pkt4Receive, &hooks.Args{Query: listed}); got != hooks.Drop {
				t.Errorf("listed MAC: %s, want drop", got)
			}
			if got := m.Call(context.Background(), hooks.Pkt4Receive, &hooks.Args{Query: other}); got != hooks.Continue {
				t.Errorf("other MAC: %s, want continue", got)
			}
			a := &hooks.Args{Query: other, Response: offer(t)}
			if got := m.Call(context.Background(), hooks.Pkt4Send, a); got != hooks.Continue {
				t.Errorf("pkt4_send: %s", got)
			}
			if st := m.Stats()[0]; st.Invalid != 0 || st.Errors != 0 {
				t.Fatalf("stats %+v", st)
			}
			var r dhcp4.Message
			if err := r.Decode(a.Response); err != nil {
				t.Fatalf("changed reply does not decode: %v", err)
			}
			if v, ok := r.Option(224); !ok || string(v) != "policy=lab" {
				t.Errorf("option 224 = %q, %v", v, ok)
			}
			if mt, _ := r.MessageType(); mt != dhcp4.Offer || r.XID != 0x11223344 {
				t.Errorf("reply is %v xid %x", mt, r.XID)
			}
			if lt, ok := r.LeaseTime(); !ok || lt != 3600 {
				t.Errorf("lease time lost: %d, %v", lt, ok)
			}
		})
	}
}

func TestPolicyRejectsParameters(t *testing.T) {
	path := plugins.Build(t, ".")
	for _, tt := range []struct{ params, want string }{
		{`{"drop-macs": ["zz"]}`, `"zz" is not a hardware address`},
		{`{"add-option": {"code": 53, "text": "x"}}`, "code 53 is the server's to write"},
		{`{"add-option": {"code": 224}}`, "exactly one of text and hex"},
		{`{}`, "nothing to do"},
		{`{"drop-mac": []}`, `unknown field "drop-mac"`},
	} {
		_, err := hooks.New(context.Background(), hooks.Config{
			Libraries: []hooks.LibraryConfig{{Library: path, Parameters: json.RawMessage(tt.params)}},
			Logger:    slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.params, err, tt.want)
		}
	}
}
