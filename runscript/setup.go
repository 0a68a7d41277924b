package runscript

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"golang.org/x/sys/unix"
)

// Defaults of the parameters leasehold adds to Kea's.
const (
	DefaultMaxConcurrent = 8
	DefaultQueueSize     = 1024
	DefaultSyncTimeout   = time.Second
)

// Environment variables naming the directory scripts must live in, read
// when "allowed-dir" is not given: leasehold's own first, then Kea 3.0's,
// so that a Kea 3 installation's confinement carries over.
const (
	EnvScriptsPath    = "LEASEHOLD_HOOK_SCRIPTS_PATH"
	EnvKeaScriptsPath = "KEA_HOOK_SCRIPTS_PATH"
)

// Params are the library's parameters, the "parameters" map of its
// hooks-libraries entry:
//
//	{
//	  "name": "/usr/local/lib/leasehold/scripts/lease.sh",  // Kea: required
//	  "sync": false,                                        // Kea: default false
//	  "max-concurrent": 8,     // scripts running at once
//	  "queue-size": 1024,      // async calls waiting for a free slot
//	  "timeout": 1000,         // ms; sync default 1000, async default none
//	  "failure-policy": "continue",  // sync: "continue", "skip" or "drop"
//	  "allowed-dir": "/usr/local/lib/leasehold/scripts"
//	}
type Params struct {
	// Name is the script: an absolute path to an executable regular file.
	Name string
	// Sync makes the server wait for the script and take its next step
	// (see the package documentation); false runs it in the background,
	// as Kea 2.2 always does.
	Sync bool
	// MaxConcurrent bounds the scripts running at once.
	MaxConcurrent int
	// QueueSize bounds the asynchronous calls waiting for a free slot;
	// calls beyond it are dropped, counted and logged.
	QueueSize int
	// Timeout ends a script that runs longer (its whole process group is
	// killed). In sync mode it includes the wait for a free slot; 0 in
	// async mode means no limit.
	Timeout time.Duration
	// FailurePolicy is the next step a synchronous call takes when the
	// script cannot decide: it could not start, timed out, was killed,
	// exited non-zero or printed an unknown step.
	FailurePolicy hooks.NextStep
	// AllowedDir, when set, is the only directory a script may be in.
	AllowedDir string
}

// ParseParams reads the library's parameters and checks the script. getenv
// reads the environment (os.Getenv; tests pass their own). Errors name the
// parameter or path that is wrong and the rule it breaks.
func ParseParams(raw json.RawMessage, getenv func(string) string) (Params, error) {
	p, err := decodeParams(raw)
	if err != nil {
		return Params{}, err
	}
	if p.AllowedDir == "" {
		for _, k := range []string{EnvScriptsPath, EnvKeaScriptsPath} {
			if v := getenv(k); v != "" {
				if !filepath.IsAbs(v) {
					return Params{}, fmt.Errorf("run_script: %s=%q: the scripts directory must be an absolute path", k, v)
				}
				p.AllowedDir = v
				break
			}
		}
	}
	if err := checkScript(p.Name, p.AllowedDir); err != nil {
		return Params{}, err
	}
	return p, nil
}

var knownParams = []string{"name", "sync", "max-concurrent", "queue-size", "timeout", "failure-policy", "allowed-dir"}

func decodeParams(raw json.RawMessage) (Params, error) {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return Params{}, errors.New("run_script: the 'name' parameter is mandatory (no parameters given)")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return Params{}, fmt.Errorf("run_script: parameters must be a map: %w", err)
	}
	for k := range m {
		if !slices.Contains(knownParams, k) {
			return Params{}, fmt.Errorf("run_script: unknown parameter %q (known: %s)", k, strings.Join(knownParams, ", "))
		}
	}
	p := Params{MaxConcurrent: DefaultMaxConcurrent, QueueSize: DefaultQueueSize}
	if _, ok := m["name"]; !ok {
		return Params{}, errors.New("run_script: the 'name' parameter is mandatory")
	}
	if err := param(m, "name", "a string", &p.Name); err != nil {
		return Params{}, err
	}
	if err := param(m, "sync", "a boolean", &p.Sync); err != nil {
		return Params{}, err
	}
	for _, n := range []struct {
		key string
		dst *int
		min int
	}{{"max-concurrent", &p.MaxConcurrent, 1}, {"queue-size", &p.QueueSize, 0}} {
		if err := param(m, n.key, "an integer", n.dst); err != nil {
			return Params{}, err
		}
		if *n.dst < n.min || *n.dst > 1<<20 {
			return Params{}, fmt.Errorf("run_script: %q is %d, want %d to %d", n.key, *n.dst, n.min, 1<<20)
		}
	}
	if p.Sync {
		p.Timeout = DefaultSyncTimeout
	}
	if _, ok := m["timeout"]; ok {
		var ms int64
		if err := param(m, "timeout", "an integer (milliseconds)", &ms); err != nil {
			return Params{}, err
		}
		if ms < 0 || ms > 24*3600*1000 || (p.Sync && ms == 0) {
			return Params{}, fmt.Errorf("run_script: \"timeout\" is %d ms, want 1 to 86400000 (0 allowed only with sync false: no limit)", ms)
		}
		p.Timeout = time.Duration(ms) * time.Millisecond
	}
	if _, ok := m["failure-policy"]; ok {
		var s string
		if err := param(m, "failure-policy", "a string", &s); err != nil {
			return Params{}, err
		}
		step, err := hooks.ParseNextStep(strings.ToLower(s))
		if err != nil || step == hooks.Park {
			return Params{}, fmt.Errorf("run_script: \"failure-policy\" is %q, want \"continue\", \"skip\" or \"drop\"", s)
		}
		p.FailurePolicy = step
	}
	if err := param(m, "allowed-dir", "a string", &p.AllowedDir); err != nil {
		return Params{}, err
	}
	if p.AllowedDir != "" && !filepath.IsAbs(p.AllowedDir) {
		return Params{}, fmt.Errorf("run_script: \"allowed-dir\" %q must be an absolute path", p.AllowedDir)
	}
	return p, nil
}

// param decodes m[key] into dst when present; want names the JSON type for
// the error.
func param(m map[string]json.RawMessage, key, want string, dst any) error {
	v, ok := m[key]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(v, dst); err != nil {
		return fmt.Errorf("run_script: the %q parameter must be %s, got %s", key, want, v)
	}
	return nil
}

// checkScript enforces what Kea checks (an absolute path to an existing
// file the server may execute) and the confinement leasehold adds: inside
// allowedDir when set (Kea 3.0's rule: directly in it, after resolving
// symbolic links), and never writable by everyone, nor in a directory
// others could use to replace it.
func checkScript(name, allowedDir string) error {
	if name == "" {
		return errors.New("run_script: the 'name' parameter is empty")
	}
	if !filepath.IsAbs(name) {
		return fmt.Errorf("run_script: script %q: the name must be an absolute path", name)
	}
	if allowedDir != "" {
		dir := filepath.Clean(allowedDir)
		if filepath.Dir(filepath.Clean(name)) != dir {
			return fmt.Errorf("run_script: script %q is not in the allowed scripts directory %q (scripts must be directly in it)", name, dir)
		}
	}
	real, err := filepath.EvalSymlinks(name)
	if err != nil {
		return fmt.Errorf("run_script: script %q: %w", name, err)
	}
	if allowedDir != "" {
		realDir, err := filepath.EvalSymlinks(allowedDir)
		if err != nil {
			return fmt.Errorf("run_script: allowed scripts directory %q: %w", allowedDir, err)
		}
		if filepath.Dir(real) != realDir {
			return fmt.Errorf("run_script: script %q resolves to %q, outside the allowed scripts directory %q", name, real, allowedDir)
		}
	}
	fi, err := os.Stat(real)
	if err != nil {
		return fmt.Errorf("run_script: script %q: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("run_script: script %q is not a regular file (%s)", name, fi.Mode().Type())
	}
	if fi.Mode().Perm()&0o002 != 0 {
		return fmt.Errorf("run_script: script %q is writable by everyone (mode %04o); refusing to run it", name, fi.Mode().Perm())
	}
	if err := unix.Access(real, unix.X_OK); err != nil {
		return fmt.Errorf("run_script: script %q is not executable by the server: %w", name, err)
	}
	return checkDirs(name, real)
}

// checkDirs refuses a script whose directory anyone may write to, and a
// path through a directory where anyone may rename entries (world-writable
// without the sticky bit): either would let another user swap the script.
func checkDirs(name, real string) error {
	parent := filepath.Dir(real)
	fi, err := os.Stat(parent)
	if err != nil {
		return fmt.Errorf("run_script: script %q: directory: %w", name, err)
	}
	if fi.Mode().Perm()&0o002 != 0 {
		return fmt.Errorf("run_script: script %q is in directory %q, which is writable by everyone (mode %04o); refusing to run it", name, parent, fi.Mode().Perm())
	}
	for d := filepath.Dir(parent); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("run_script: script %q: directory %q: %w", name, d, err)
		}
		if fi.Mode().Perm()&0o002 != 0 && fi.Mode()&os.ModeSticky == 0 {
			return fmt.Errorf("run_script: script %q: directory %q on its path is writable by everyone without the sticky bit (mode %04o); refusing to run it", name, d, fi.Mode().Perm())
		}
		if d == "/" {
			return nil
		}
	}
}
