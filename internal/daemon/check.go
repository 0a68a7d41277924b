package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"os"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/hooks"
)

// configError is a configuration that cannot be used. syntax marks the
// errors Kea reports as a failed syntax check (unreadable file, bad JSON,
// no map for this daemon) rather than a bad value.
type configError struct {
	syntax bool
	err    error
}

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// checkOutput is what -t prints for err, worded as kea-dhcp4 -t does.
func checkOutput(err error) string {
	var ce *configError
	if errors.As(err, &ce) && ce.syntax {
		return "Syntax check failed with: " + err.Error()
	}
	return "Error encountered: " + err.Error()
}

// load reads the configuration file and checks what Kea checks before it
// accepts a file: the syntax and values (package config), then that the
// interfaces exist and the hook libraries can be started.
func (f *Family[C]) load(path string) (C, []string, error) {
	var zero C
	cfg, err := config.Load(path)
	if err != nil {
		return zero, nil, &configError{syntax: errors.Is(err, config.ErrSyntax), err: err}
	}
	c, ok := f.Section(cfg)
	if !ok {
		return zero, nil, &configError{syntax: true, err: fmt.Errorf("%s: no %s map: %s reads only %s", path, f.Map, f.Program, f.Map)}
	}
	if err := f.checkSystem(f.Common(c)); err != nil {
		return zero, nil, &configError{err: fmt.Errorf("%s: %w", path, err)}
	}
	return c, cfg.Warnings, nil
}

// checkSystem checks the configuration against this machine, as Kea 2.2's
// configuration parser does: every named interface exists and every hook
// library is an executable file (or one linked into the daemon).
func (f *Family[C]) checkSystem(s *config.Server) error {
	for i, ifc := range s.InterfacesConfig.Interfaces {
		if ifc.Name == "*" {
			continue
		}
		if _, err := net.InterfaceByName(ifc.Name); err != nil {
			return fmt.Errorf("%s/interfaces-config/interfaces[%d]: interface %q does not exist on this system", f.Map, i, ifc.Name)
		}
	}
	for i, h := range s.HooksLibraries {
		if _, err := librarySettings(h); err != nil {
			return fmt.Errorf("%s/hooks-libraries[%d]/leasehold: %w", f.Map, i, err)
		}
		if _, ok := f.Linked[h.Library]; ok {
			continue
		}
		st, err := os.Stat(h.Library)
		switch {
		case err != nil:
			return fmt.Errorf("%s/hooks-libraries[%d]: library %s: %w", f.Map, i, h.Library, err)
		case !st.Mode().IsRegular():
			return fmt.Errorf("%s/hooks-libraries[%d]: library %s is not a regular file", f.Map, i, h.Library)
		case st.Mode().Perm()&0o111 == 0:
			return fmt.Errorf("%s/hooks-libraries[%d]: library %s is not executable (leasehold hook libraries are plugin programs)", f.Map, i, h.Library)
		}
	}
	return nil
}

// hooksConfig maps the configuration's hooks-libraries onto the hooks
// manager's configuration.
func (f *Family[C]) hooksConfig(s *config.Server) hooks.Config {
	hc := hooks.Config{Linked: f.Linked, ParkedPacketLimit: int(s.ParkedPacketLimit)}
	if s.ParkedPacketLimit == 0 {
		// Kea's 0 is "no limit"; the manager's 0 is its default.
		hc.ParkedPacketLimit = math.MaxInt32
	}
	for _, h := range s.HooksLibraries {
		lc := hooks.LibraryConfig{Library: h.Library, Parameters: h.Parameters}
		// checkSettings has already accepted the settings; a failure here
		// cannot happen for a configuration that passed the checks.
		lc.Settings, _ = librarySettings(h)
		hc.Libraries = append(hc.Libraries, lc)
	}
	return hc
}

// librarySettings decodes leasehold's per-library settings (the "leasehold"
// object beside "library" and "parameters") with the hooks package's own
// strict rules, so an unknown or malformed setting is a configuration error.
func librarySettings(h config.HooksLibrary) (hooks.LibrarySettings, error) {
	if len(h.Leasehold) == 0 {
		return hooks.LibrarySettings{}, nil
	}
	entry, err := json.Marshal(map[string]any{"library": h.Library, "leasehold": h.Leasehold})
	if err != nil {
		return hooks.LibrarySettings{}, err
	}
	var lc hooks.LibraryConfig
	if err := json.Unmarshal(entry, &lc); err != nil {
		return hooks.LibrarySettings{}, err
	}
	return lc.Settings, nil
}
