package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/leasehold/leasehold/lease"
)

// storeSpec is the lease database a configuration asks for, with Kea's
// default path filled in, and the store opened from it.
type storeSpec struct {
	path    string
	persist bool
	lfc     uint32 // seconds between lease file cleanups, 0 none

	m *lease.Memfile
}

// same reports whether two configurations ask for the same lease database.
func (s storeSpec) same(o storeSpec) bool {
	return s.path == o.path && s.persist == o.persist && s.lfc == o.lfc
}

func (f *Family[C]) storeSpec(c C) storeSpec {
	db := f.Common(c).LeaseDatabase
	s := storeSpec{path: db.Name, persist: db.Persist, lfc: db.LFCInterval}
	if s.path == "" {
		s.path = f.DefaultLeaseFile(c)
	}
	return s
}

// open opens the memfile store, loading the lease file when it persists.
func (s storeSpec) open(ctx context.Context, v6 bool, log *slog.Logger) (*lease.Memfile, error) {
	o := lease.MemfileOptions{
		Persist:     s.persist,
		LFCInterval: time.Duration(s.lfc) * time.Second,
		Logger:      log,
	}
	if v6 {
		o.V6Path = s.path
	} else {
		o.V4Path = s.path
	}
	if s.persist {
		log.Info("opening memfile lease database", "file", s.path, "lfc-interval", s.lfc)
	} else {
		log.Warn("memfile lease database in memory only (persist false): leases are lost when the server stops")
	}
	m, err := lease.OpenMemfile(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("lease database %s: %w", s.path, err)
	}
	return m, nil
}
