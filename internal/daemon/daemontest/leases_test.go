package daemontest

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

func TestReadLeases4(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, file string
		want       map[string]Lease4 // by address
		rows       int
	}{
		{
			name: "Kea 2.2 rows: renewal, release, decline, torn last line",
			file: "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context\n" +
				"192.0.2.100,02:00:00:00:00:01,,20,1000,1,0,0,,0,\n" +
				"192.0.2.101,02:00:00:00:00:02,01:02,20,1000,1,0,0,a&#x2c;b,0,\n" +
				"192.0.2.100,02:00:00:00:00:01,,20,1010,1,0,0,,0,\n" +
				"192.0.2.101,02:00:00:00:00:02,01:02,0,1005,1,0,0,,0,\n" +
				"192.0.2.102,,,6,1020,1,0,0,,1,\n" +
				"192.0.2.103,02:00:00:00:00:03,,20,10",
			want: map[string]Lease4{
				"192.0.2.100": {HWAddr: "02:00:00:00:00:01", ValidLifetime: 20, Expire: 1010, SubnetID: 1},
				"192.0.2.102": {ValidLifetime: 6, Expire: 1020, SubnetID: 1, State: 1},
			},
			rows: 5,
		},
		{
			name: "Kea 2.6 header with pool_id",
			file: "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id\n" +
				"192.0.2.7,02:00:00:00:00:07,,20,1000,3,0,0,h,2,,0\n",
			want: map[string]Lease4{"192.0.2.7": {HWAddr: "02:00:00:00:00:07", ValidLifetime: 20, Expire: 1000, SubnetID: 3, Hostname: "h", State: 2}},
			rows: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "leases.csv")
			if err := os.WriteFile(path, []byte(tc.file), 0o644); err != nil {
				t.Fatal(err)
			}
			rows, err := Rows4(path)
			if err != nil || len(rows) != tc.rows {
				t.Fatalf("Rows4: %d rows, %v; want %d", len(rows), err, tc.rows)
			}
			got, err := ReadLeases4(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Errorf("leases %v, want %v", got, tc.want)
			}
			for a, w := range tc.want {
				w.Addr = netip.MustParseAddr(a)
				if g := got[w.Addr]; g != w {
					t.Errorf("%s: %+v, want %+v", a, g, w)
				}
			}
		})
	}
	if rows, err := Rows4(filepath.Join(dir, "missing.csv")); err != nil || len(rows) != 0 {
		t.Errorf("missing file: %v, %v; want no rows, no error", rows, err)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("address,hwaddr\n192.0.2.1,x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Rows4(bad); err == nil {
		t.Error("a header without valid_lifetime read without error")
	}
}

func TestReadLeases6(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leases6.csv")
	file := "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source\n" +
		"2001:db8:1::100,00:03:00:01:02:00:00:00:00:01,20,1000,1,10,0,1,128,0,0,,02:00:00:00:00:01,0,,1,2\n" +
		"2001:db8:100::,00:03:00:01:02:00:00:00:00:01,20,1000,1,10,2,2,56,0,0,,,0,,,\n" +
		"2001:db8:1::100,00:03:00:01:02:00:00:00:00:01,0,1001,1,10,0,1,128,0,0,,02:00:00:00:00:01,0,,1,2\n"
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadLeases6(path)
	if err != nil {
		t.Fatal(err)
	}
	pd := Key6{2, netip.MustParseAddr("2001:db8:100::")}
	if len(got) != 1 || got[pd].PrefixLen != 56 || got[pd].IAID != 2 || got[pd].PrefLifetime != 10 {
		t.Errorf("leases %+v; want only the /56 prefix of IAID 2", got)
	}
}
