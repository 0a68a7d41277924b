package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leasehold/leasehold/lease"
)

// The lease file the memory mode writes loads whole into the memfile,
// every lease active and distinct.
func TestWriteLeaseFile(t *testing.T) {
	for _, family := range []int{4, 6} {
		path := filepath.Join(t.TempDir(), "leases.csv")
		now := time.Now()
		if err := writeLeaseFile(path, family, 1000, now); err != nil {
			t.Fatal(err)
		}
		o := lease.MemfileOptions{Persist: true, Logger: slog.New(slog.DiscardHandler)}
		if family == 4 {
			o.V4Path = path
		} else {
			o.V6Path = path
		}
		m, err := lease.OpenMemfile(context.Background(), o)
		if err != nil {
			t.Fatalf("DHCPv%d: %v", family, err)
		}
		n := m.Len4()
		if family == 6 {
			n = m.Len6()
		}
		if n != 1000 {
			t.Errorf("DHCPv%d: %d leases loaded, want 1000", family, n)
		}
		m.Close()
	}
	if err := writeLeaseFile(filepath.Join(t.TempDir(), "x"), 6, 1<<21, time.Now()); err == nil {
		t.Error("more DHCPv6 leases than the pool holds were written")
	}
}

func TestLoadedCount(t *testing.T) {
	log := "2026-11-25 INFO [kea-dhcp4.dhcpsrv/1] lease file loaded family=DHCPv4 file=/x leases=1000000 expired=0\n"
	if got := loadedCount(log); got != "1000000" {
		t.Errorf("loadedCount = %q", got)
	}
	if got := loadedCount("DHCPSRV_MEMFILE_LEASE_FILE_LOAD loading leases from file /x"); got != "" {
		t.Errorf("loadedCount of Kea's line = %q, want none", got)
	}
}

func TestProcMemory(t *testing.T) {
	rss, hwm, err := procMemory(os.Getpid())
	if err != nil || rss <= 0 || hwm < rss {
		t.Errorf("procMemory = %d, %d, %v", rss, hwm, err)
	}
}
