// Command recplugin is a hook library for the daemon's tests: it appends
// "load TAG" and "unload TAG" to the file its parameters name, so a test
// sees when the daemon loads and unloads it, and it rejects its parameters
// when "reject" is set, as a library with a bad configuration does.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/leasehold/leasehold/hooks"
)

type params struct {
	File   string `json:"file"`
	Tag    string `json:"tag"`
	Reject string `json:"reject"`
}

type lib struct{ p params }

func (l *lib) Load(_ context.Context, raw json.RawMessage) (hooks.Registration, error) {
	if err := json.Unmarshal(raw, &l.p); err != nil {
		return nil, fmt.Errorf("recplugin parameters: %w", err)
	}
	if l.p.Reject != "" {
		return nil, errors.New(l.p.Reject)
	}
	return hooks.Registration{}, l.record("load")
}

func (l *lib) Callout(context.Context, hooks.Point, *hooks.Args) (hooks.NextStep, error) {
	return hooks.Continue, nil
}

func (l *lib) Unload(context.Context) error { return l.record("unload") }

func (l *lib) record(what string) error {
	f, err := os.OpenFile(l.p.File, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(f, "%s %s\n", what, l.p.Tag); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func main() { hooks.ServePlugin(&lib{}) }
