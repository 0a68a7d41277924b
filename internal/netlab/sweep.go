package netlab

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stateDir holds one JSON file per live lab: who made it and what it holds,
// so Sweep can clean up after a test binary that died without Close (killed
// by a timeout, SIGKILL, a crash). It lives in /run: gone at reboot, as the
// namespaces are.
const stateDir = "/run/leasehold-netlab"

func statePath(id string) string { return filepath.Join(stateDir, id+".json") }

type procID struct {
	PID   int    `json:"pid"`
	Start uint64 `json:"start"` // clock ticks since boot (/proc/PID/stat field 22)
}

type labState struct {
	ID         string    `json:"id"`
	Prefix     string    `json:"prefix"`
	Owner      procID    `json:"owner"`
	Created    time.Time `json:"created"`
	Namespaces []string  `json:"namespaces"`
	Dir        string    `json:"dir,omitempty"`
	Procs      []procID  `json:"procs,omitempty"`
}

// saveStateLocked rewrites the lab's state file; l.mu is held. A failure
// only weakens Sweep, so it is logged, not returned.
func (l *Lab) saveStateLocked() {
	st := labState{
		ID:         l.ID,
		Prefix:     l.opts.Prefix,
		Owner:      procID{PID: os.Getpid(), Start: procStart(os.Getpid())},
		Created:    l.created,
		Namespaces: l.namespaces,
		Dir:        l.Dir,
	}
	for pid := range l.procs {
		st.Procs = append(st.Procs, procID{PID: pid, Start: procStart(pid)})
	}
	sort.Slice(st.Procs, func(i, j int) bool { return st.Procs[i].PID < st.Procs[j].PID })
	b, _ := json.Marshal(st)
	tmp := statePath(l.ID) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err == nil {
		err = os.Rename(tmp, statePath(l.ID))
		if err != nil {
			l.logf("netlab %s: state file: %v", l.ID, err)
		}
	} else {
		l.logf("netlab %s: state file: %v", l.ID, err)
	}
}

// procStart returns the start time of pid in clock ticks since boot, or 0
// when pid does not exist. With the PID it names one process for good.
func procStart(pid int) uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces and parentheses: count
	// fields after its closing parenthesis.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return 0
	}
	v, _ := strconv.ParseUint(f[19], 10, 64)
	return v
}

func (p procID) alive() bool {
	return p.PID > 0 && p.Start != 0 && procStart(p.PID) == p.Start
}

// SweepMinAge is how old a dead owner's lab must be before Sweep removes it.
const SweepMinAge = 2 * time.Minute

// Sweep removes the labs with exactly this prefix that earlier runs left
// behind: those whose owning process is gone and which were created at least
// SweepMinAge ago. It kills the processes such a lab had started (by PID,
// when PID and start time still match), deletes its namespaces and their
// /etc/netns directories, its directory and state file. It returns the IDs
// of the labs removed. Labs whose owner still runs are never touched, and
// namespaces without a netlab state file are not netlab's.
func Sweep(prefix string) ([]string, error) {
	return sweep(prefix, SweepMinAge)
}

func sweep(prefix string, minAge time.Duration) ([]string, error) {
	if err := validPrefix(prefix); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(stateDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("netlab: sweep: %w", err)
	}
	ipPath, err := LookTool("ip")
	if err != nil {
		return nil, fmt.Errorf("netlab: sweep: %w", err)
	}
	var removed []string
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		id := strings.TrimSuffix(name, ".json")
		if !strings.HasPrefix(id, prefix) || len(id) != len(prefix)+idLen {
			continue
		}
		b, err := os.ReadFile(filepath.Join(stateDir, name))
		if err != nil {
			continue
		}
		var st labState
		if len(b) == 0 {
			// Reserved but not written yet: judge by the file's age alone.
			info, err := e.Info()
			if err != nil || time.Since(info.ModTime()) < minAge {
				continue
			}
			st = labState{ID: id, Prefix: prefix, Created: info.ModTime()}
		} else if err := json.Unmarshal(b, &st); err != nil || st.ID != id {
			errs = append(errs, fmt.Errorf("netlab: sweep: state file %s unreadable; remove it by hand", name))
			continue
		}
		if st.Prefix != prefix || st.Owner.alive() || time.Since(st.Created) < minAge {
			continue
		}
		if err := sweepLab(ipPath, st); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, id)
	}
	return removed, errors.Join(errs...)
}

func sweepLab(ipPath string, st labState) error {
	for _, p := range st.Procs {
		if p.alive() {
			_ = syscall.Kill(p.PID, syscall.SIGKILL)
		}
	}
	killInNamespaces(st.Namespaces)
	var errs []error
	for i := len(st.Namespaces) - 1; i >= 0; i-- {
		ns := st.Namespaces[i]
		if !strings.HasPrefix(ns, st.ID+"-") {
			continue // never act on a name the lab could not have made
		}
		if err := removeNamespace(ipPath, ns); err != nil {
			errs = append(errs, err)
		}
	}
	if st.Dir != "" && strings.Contains(filepath.Base(st.Dir), "netlab-"+st.ID) {
		if err := os.RemoveAll(st.Dir); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		if err := os.Remove(statePath(st.ID)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("netlab: sweep lab %s: %w", st.ID, errors.Join(errs...))
	}
	return nil
}
