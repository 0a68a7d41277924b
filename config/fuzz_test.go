package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary text to Parse: it must never panic, and every
// failure must be an *Error of one of the four kinds.
func FuzzParse(f *testing.F) {
	for _, tc := range cfgCases {
		f.Add([]byte(tc.conf))
	}
	for _, text := range []string{
		`{ "Dhcp4": { "subnet4": [ { "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.1-192.0.2.9" } ] } ] } }`,
		"# c\n{ /* x */ \"Dhcp6\": { \"option-data\": [ { \"name\": \"dns-servers\", \"data\": \"2001:db8::1\" } ], } }",
		`{ "Dhcp4": { <?include "nowhere.json"?> } }`,
	} {
		f.Add([]byte(text))
	}
	if paths, _ := filepath.Glob(filepath.Join(keaExamples, "kea[46]", "*.json")); len(paths) > 0 {
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, WithBaseDir(dir))
		if err == nil {
			if cfg == nil || (cfg.DHCP4 == nil && cfg.DHCP6 == nil) {
				t.Fatalf("nil configuration without error")
			}
			return
		}
		var ce *Error
		if !errors.As(err, &ce) {
			t.Fatalf("error %v is not an *Error", err)
		}
		if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("error %v has no kind", err)
		}
	})
}
