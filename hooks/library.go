package hooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
)

// Library is a hook library. The same value works linked into an embedding
// program (Config.Linked or LibraryConfig.Linked) and as a plugin process
// (ServePlugin in the plugin's main).
type Library interface {
	// Load is called once, in configuration order, with the library's
	// "parameters" (JSON, nil when absent). It returns the points the library
	// handles; an error rejects the configuration with the error's message.
	Load(ctx context.Context, params json.RawMessage) (Registration, error)
	// Callout runs at point p. For a synchronous point it may change the
	// fields p.Changes lists and returns the next step; for an observe-only
	// point it is called later, in order, on a copy, and the step and any
	// change are ignored. An error is logged and treated as the library's
	// failure policy.
	Callout(ctx context.Context, p Point, a *Args) (NextStep, error)
	// Unload is called at reconfiguration and shutdown, in reverse order.
	Unload(ctx context.Context) error
}

// DecodeParameters decodes a library's parameters, as Load gets them, into
// v. A key v has no field for is an error, so a misspelt parameter fails
// the configuration instead of being ignored; absent parameters (nil, or
// JSON null) leave v as it is.
func DecodeParameters(params json.RawMessage, v any) error {
	if len(params) == 0 {
		return nil
	}
	return decodeStrict(params, v)
}

// decodeStrict decodes one JSON value into v, refusing unknown keys.
func decodeStrict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// Mode is how a library handles a point.
type Mode uint8

const (
	// Sync callouts run on the packet path, in configuration order, and can
	// change the outcome.
	Sync Mode = iota + 1
	// Observe callouts cannot change the outcome. They get a copy of the
	// arguments after the synchronous callouts ran, delivered in order on a
	// bounded queue that never blocks the packet path (see
	// LibrarySettings.ObserverOverflow).
	Observe
)

func (m Mode) String() string {
	switch m {
	case Sync:
		return "sync"
	case Observe:
		return "observe"
	}
	return "Mode(?)"
}

// Registration says which points a library handles and how.
type Registration map[Point]Mode

func (r Registration) validate() error {
	for p, m := range r {
		if !p.Valid() {
			return errors.New("registration names an unknown hook point")
		}
		if m != Sync && m != Observe {
			return errors.New("registration of " + p.String() + " has no valid mode")
		}
	}
	return nil
}

// Unpark is how a library ends the parking of a packet.
type Unpark struct {
	// Step is Continue (the remaining callouts run, then the server goes
	// on) or Drop.
	Step NextStep
	// OfferAddressInUse, at lease4_offer, says the offered address was found
	// in use: the server declines it (lease4_server_decline fires) instead
	// of offering it.
	OfferAddressInUse bool
}

// ParkHandle lets a callout that returned Park resume the packet later. It
// is a small value: keep it, not the Args (which belong to the server again
// once the callout returns).
type ParkHandle struct {
	id uint64
	r  resumer
}

type resumer interface {
	resume(id uint64, u Unpark) error
}

// ErrNotParked is returned by ParkHandle.Resume for a packet that is not
// (or no longer) parked: never parked, already resumed, timed out, or
// dropped because the parking lot was full.
var ErrNotParked = errors.New("hooks: packet is not parked")

// Valid reports whether the handle can park: it is set only at points that
// honour Park.
func (h ParkHandle) Valid() bool { return h.r != nil }

// Resume ends the parking with u.Step (Continue or Drop; anything else is
// Drop).
func (h ParkHandle) Resume(u Unpark) error {
	if h.r == nil {
		return ErrNotParked
	}
	return h.r.resume(h.id, u)
}
