package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// hookLib is a hook library loaded into leasehold for a comparison run:
// the plugin executable and the parameters it gets.
type hookLib struct {
	name     string // for the rows: "plugin-observe"
	path     string
	params   json.RawMessage
	settings json.RawMessage // the entry's "leasehold" object, if any
}

// buildHook resolves the -hooks value: the path of a plugin executable, or
// the name of one of the module's examples (examples/NAME), which is built
// into dir. Kea cannot load Go plugins, so only leasehold gets it.
func buildHook(spec, params, settings, dir string) (*hookLib, error) {
	h := &hookLib{name: filepath.Base(spec), path: spec}
	for _, v := range []struct {
		flag, val string
		dst       *json.RawMessage
	}{{"-hooks-params", params, &h.params}, {"-hooks-settings", settings, &h.settings}} {
		if v.val == "" {
			continue
		}
		if !json.Valid([]byte(v.val)) {
			return nil, fmt.Errorf("%s is not JSON: %s", v.flag, v.val)
		}
		*v.dst = json.RawMessage(v.val)
	}
	if st, err := os.Stat(spec); err == nil && st.Mode().IsRegular() {
		if st.Mode().Perm()&0o111 == 0 {
			return nil, fmt.Errorf("-hooks %s is not executable", spec)
		}
		h.path, _ = filepath.Abs(spec)
		return h, nil
	}
	if strings.ContainsAny(spec, `/\`) {
		return nil, fmt.Errorf("-hooks %s: no such plugin executable", spec)
	}
	h.path = filepath.Join(dir, spec)
	pkg := "github.com/leasehold/leasehold/examples/" + spec
	if out, err := exec.Command("go", "build", "-o", h.path, pkg).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("-hooks %s: go build %s: %v\n%s", spec, pkg, err, out)
	}
	return h, nil
}

// hooksJSON is the hooks-libraries member for the server's configuration,
// with a leading comma, or "" when no library is loaded.
func (h *hookLib) hooksJSON() string {
	if h == nil {
		return ""
	}
	lib := map[string]any{"library": h.path}
	if h.params != nil {
		lib["parameters"] = h.params
	}
	if h.settings != nil {
		lib["leasehold"] = h.settings
	}
	b, _ := json.Marshal([]any{lib})
	return ",\n  \"hooks-libraries\": " + string(b)
}

// printRatios compares each run with the library to the run without it
// that came just before it (same rate, mode and round): achieved rate and
// CPU per exchange, as ratios with / without.
func printRatios(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "mode\toffered/s\twithout/s\twith/s\twith/without\tCPU µs without\tCPU µs with\tof which plugin\t\n")
	for i := 1; i < len(rows); i++ {
		a, b := rows[i-1], rows[i]
		if a.hook != "" || b.hook == "" || a.offered != b.offered || a.mode != b.mode {
			continue
		}
		mode := b.mode
		if mode == "" {
			mode = "-"
		}
		ratio := 0.0
		if a.res.Rate > 0 {
			ratio = b.res.Rate / a.res.Rate
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.0f\t%.3f\t%.1f\t%.1f\t%.1f\t\n", mode, rateName(b.offered), a.res.Rate, b.res.Rate, ratio,
			microsPer(a.cpu, a.res.Received), microsPer(b.cpu, b.res.Received), microsPer(b.plugins, b.res.Received))
	}
	tw.Flush()
}

// microsPer is d per completed exchange, in microseconds.
func microsPer(d time.Duration, exchanges int) float64 {
	if exchanges == 0 {
		return 0
	}
	return float64(d.Nanoseconds()) / 1000 / float64(exchanges)
}
