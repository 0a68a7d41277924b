package dhcp6

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/lease"
)

// TestServerDUID checks the server DUID as Kea makes it: generated
// DUID-LLT from an interface and the time, kept in kea-dhcp6-serverid and
// reused, or built from server-id.
func TestServerDUID(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	secs := uint32(now.Sub(duidEpoch) / time.Second)
	ifaces := func() ([]linkLayer, error) {
		return []linkLayer{
			{htype: 772, addr: []byte{0, 0, 0, 0, 0, 0}},      // all zeros: skipped
			{htype: 32, addr: []byte{1, 2, 3, 4, 5, 6, 7, 8}}, // not Ethernet: taken unless one is
			{htype: 1, addr: []byte{2, 0, 0, 0, 0, 7}},
			{htype: 1, addr: []byte{2, 0, 0, 0, 0, 8}},
		}, nil
	}
	noEther := func() ([]linkLayer, error) {
		return []linkLayer{{htype: 32, addr: []byte{1, 2, 3, 4, 5, 6, 7, 8}}, {htype: 24, addr: []byte{9, 9, 9, 9, 9, 9}}}, nil
	}
	none := func() ([]linkLayer, error) { return nil, nil }
	tests := []struct {
		name   string
		id     config.ServerID
		stored string // file content before, "" for none
		ifaces func() ([]linkLayer, error)
		want   []byte
		err    string
	}{
		{"generated LLT", config.ServerID{Persist: true}, "", ifaces, AppendDUIDLLT(nil, 1, secs, []byte{2, 0, 0, 0, 0, 7}), ""},
		{"last non-Ethernet when no Ethernet", config.ServerID{Persist: true}, "", noEther, AppendDUIDLLT(nil, 24, secs, []byte{9, 9, 9, 9, 9, 9}), ""},
		{"stored LLT reused", config.ServerID{Persist: true}, "00:01:00:01:00:00:00:2a:0a:0b:0c:0d:0e:0f", ifaces,
			AppendDUIDLLT(nil, 1, 42, []byte{10, 11, 12, 13, 14, 15}), ""},
		{"stored of another type ignored", config.ServerID{Persist: true}, "00:03:00:01:0a:0b:0c:0d:0e:0f", ifaces,
			AppendDUIDLLT(nil, 1, secs, []byte{2, 0, 0, 0, 0, 7}), ""},
		{"garbage regenerated", config.ServerID{Persist: true}, "zz:yy", ifaces, AppendDUIDLLT(nil, 1, secs, []byte{2, 0, 0, 0, 0, 7}), ""},
		{"configured LLT parts win", config.ServerID{Persist: true, Time: 5, Identifier: []byte{1, 1, 1, 1, 1, 1}}, "00:01:00:20:00:00:00:2a:0a:0b:0c:0d:0e:0f", ifaces,
			AppendDUIDLLT(nil, 32, 5, []byte{1, 1, 1, 1, 1, 1}), ""},
		{"LL", config.ServerID{Type: "LL", HType: 6, Identifier: []byte{4, 4, 4, 4, 4, 4}}, "", ifaces, AppendDUIDLL(nil, 6, []byte{4, 4, 4, 4, 4, 4}), ""},
		{"LL from an interface", config.ServerID{Type: "LL", Persist: true}, "", ifaces, AppendDUIDLL(nil, 1, []byte{2, 0, 0, 0, 0, 7}), ""},
		{"EN configured", config.ServerID{Type: "EN", EnterpriseID: 9, Identifier: []byte{1, 2, 3}}, "", ifaces, AppendDUIDEN(nil, 9, []byte{1, 2, 3}), ""},
		{"EN stored", config.ServerID{Type: "EN", Persist: true}, "0002000009c4aabbccddeeff", ifaces, AppendDUIDEN(nil, 2500, []byte{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}), ""},
		{"no interface", config.ServerID{Persist: true}, "", none, nil, "no interface"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, ServerDUIDFile)
			if tc.stored != "" {
				if err := os.WriteFile(file, []byte(tc.stored+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, path, err := makeServerDUID(tc.id, dir, now, tc.ifaces)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v; want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("DUID %x; want %x", got, tc.want)
			}
			if !tc.id.Persist {
				if path != "" {
					t.Errorf("not persisted, yet kept in %q", path)
				}
				return
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			// Rewritten in Kea's form when it changed; left alone when not.
			if kept, ok := parseDUIDText(strings.TrimSpace(string(data))); !ok || !bytes.Equal(kept, tc.want) {
				t.Errorf("file holds %q", data)
			}
			if tc.stored == "" && string(data) != (DUID{Raw: tc.want}).String() {
				t.Errorf("file holds %q; want Kea's colon hex", data)
			}
		})
	}
	// A generated EN identifier is random, 6 bytes, under ISC's number.
	got, _, err := makeServerDUID(config.ServerID{Type: "EN"}, t.TempDir(), now, none)
	if err != nil || len(got) != 12 || !bytes.Equal(got[:6], []byte{0, 2, 0, 0, 0x09, 0xbf}) {
		t.Errorf("generated DUID-EN %x (%v)", got, err)
	}
}

// TestServerDUIDFile checks NewServer keeps the DUID in the data
// directory, and a second server on the same directory uses the same one.
func TestServerDUIDFile(t *testing.T) {
	dir := t.TempDir()
	store, _ := lease.OpenMemfile(context.Background(), lease.MemfileOptions{})
	cfgText := strings.Replace(tsBase, `"server-id": {"type": "LL", "identifier": "02000000aa01", "persist": false},`,
		`"data-directory": "`+dir+`", "server-id": {"type": "EN", "enterprise-id": 7},`, 1)
	s1, err := NewServer(parseCfg(t, cfgText), ServerOptions{Store: store, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := NewServer(parseCfg(t, cfgText), ServerOptions{Store: store, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	id1, id2 := s1.view.Load().serverID, s2.view.Load().serverID
	if !bytes.Equal(id1, id2) || DUIDType(be16(id1)) != DUIDEN {
		t.Fatalf("server DUIDs %x and %x", id1, id2)
	}
	if _, err := os.Stat(filepath.Join(dir, ServerDUIDFile)); err != nil {
		t.Fatal(err)
	}
}
