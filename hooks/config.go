package hooks

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// Config is what a Manager is built from.
type Config struct {
	// Libraries is the hooks-libraries list, in configuration order.
	Libraries []LibraryConfig
	// Linked maps "library" values to libraries linked into the program: an
	// entry whose Library matches a key runs in-process instead of starting
	// a plugin process (so a Kea configuration naming a bundled library
	// keeps working).
	Linked map[string]Library
	// ParkedPacketLimit bounds the packets parked at one point at a time,
	// as Kea's parked-packet-limit; a packet that would exceed it is
	// dropped. 0 means DefaultParkedPacketLimit.
	ParkedPacketLimit int
	// ParkTimeout drops a packet left parked this long. 0 means
	// DefaultParkTimeout.
	ParkTimeout time.Duration
	// Logger receives the manager's and the plugins' logs; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Defaults of Config and LibrarySettings.
const (
	DefaultParkedPacketLimit = 256 // Kea's default parked-packet-limit
	DefaultParkTimeout       = 10 * time.Second
	DefaultDeadline          = 100 * time.Millisecond
	DefaultObserverBuffer    = 4096
	DefaultObserverLinger    = 10 * time.Millisecond
	DefaultReplySpin         = 50 * time.Microsecond
	DefaultPingInterval      = 2 * time.Second
	DefaultRestartBackoffMax = 30 * time.Second
)

// LibraryConfig is one entry of hooks-libraries:
//
//	{
//	  "library": "/usr/lib/leasehold/hooks/policy",
//	  "parameters": { ... any JSON, handed to the library's Load ... },
//	  "leasehold": {
//	    "deadline-ms": 100,
//	    "failure-policy": "continue",
//	    "observer-buffer": 4096,
//	    "observer-overflow": "drop",
//	    "observer-linger-ms": 10,
//	    "reply-spin-us": 50,
//	    "sha256": "9f86d0...",
//	    "ping-interval-ms": 2000,
//	    "restart-backoff-max-ms": 30000,
//	    "transport": "socket"
//	  }
//	}
//
// "library" and "parameters" are Kea's keys; leasehold's own per-library
// settings live beside them under "leasehold" so that "parameters" stays
// exactly what the library gets.
type LibraryConfig struct {
	// Library is the plugin executable's path, or a key of Config.Linked.
	Library string `json:"library"`
	// Parameters are handed to the library's Load unchanged.
	Parameters json.RawMessage `json:"parameters,omitempty"`
	// Settings are leasehold's per-library settings.
	Settings LibrarySettings `json:"leasehold"`
	// Linked, when set, is the library to run in-process; Library is then
	// only its name in logs.
	Linked Library `json:"-"`
}

// LibrarySettings are leasehold's per-library settings (the "leasehold" key
// of a hooks-libraries entry). Zero values mean the defaults.
type LibrarySettings struct {
	// Deadline bounds one synchronous callout (JSON "deadline-ms", default
	// 100 ms). A callout that misses it meets the failure policy; the
	// packet does not wait longer.
	Deadline time.Duration
	// FailurePolicy is the step a synchronous call gets when the library
	// fails: error, missed deadline, plugin down or restarting (JSON
	// "failure-policy": "continue" (default) or "drop").
	FailurePolicy NextStep
	// ObserverBuffer bounds the library's observe-only events in flight
	// (JSON "observer-buffer", default 4096 events): queued, being written,
	// in the socket or read by the plugin and not yet handled (see the
	// package doc, Observers).
	ObserverBuffer int
	// ObserverBlock chooses back-pressure when the observer queue is full:
	// the packet waits for room up to Deadline, then the event is counted
	// lost. Default (JSON "observer-overflow": "drop") counts and logs the
	// loss at once; "block" sets this.
	ObserverBlock bool
	// ObserverLinger is how long a plugin's observe-only events may wait
	// for others to go with them in one write (JSON "observer-linger-ms",
	// default 10; 0 writes what is queued as soon as the writer wakes).
	// Each write wakes the plugin process, which costs far more than an
	// event: at 2,000 events/s, 1 ms of linger spends about 50 µs of CPU
	// per event on wake-ups, 20 ms about 8. A queue half full is written
	// at once. Zero means the default; negative means none.
	ObserverLinger time.Duration
	// ReplySpin is how long a synchronous caller polls the socket for the
	// plugin's reply before it sleeps (JSON "reply-spin-us", default 50; 0
	// turns it off). On a virtual machine waking a sleeping thread is most
	// of a round trip; a caller that stays awake halves it. It spins only
	// when its call is the only one in flight and recent round trips took
	// less than ReplySpin, so a slow plugin or a busy host is not made to
	// burn CPU; and never when the host may run on one CPU only (taskset),
	// which its plugins share. Zero means the default; negative means
	// none. Socket transport on Linux only.
	ReplySpin time.Duration
	// SHA256 is the expected checksum of the plugin executable, checked
	// before every start (JSON "sha256", hex).
	SHA256 []byte
	// PingInterval is how often a plugin's health is checked; a plugin that
	// misses a ping is killed and restarted (JSON "ping-interval-ms",
	// default 2000).
	PingInterval time.Duration
	// RestartBackoffMax caps the wait between restarts of a crashed plugin,
	// which starts at 100 ms and doubles (JSON "restart-backoff-max-ms",
	// default 30000).
	RestartBackoffMax time.Duration
	// GRPCStream makes a plugin carry calls on the gRPC Calls stream instead
	// of the framed socket (JSON "transport": "grpc" instead of "socket").
	// The socket is faster; the stream is for plugins that cannot use it.
	GRPCStream bool

	// noEventAcks makes the host not ask for event acknowledgements, as a
	// host before them did: tests use it to play a plugin built before them.
	noEventAcks bool
}

type settingsJSON struct {
	DeadlineMS          *int64 `json:"deadline-ms"`
	FailurePolicy       string `json:"failure-policy"`
	ObserverBuffer      *int   `json:"observer-buffer"`
	ObserverOverflow    string `json:"observer-overflow"`
	ObserverLingerMS    *int64 `json:"observer-linger-ms"`
	ReplySpinUS         *int64 `json:"reply-spin-us"`
	SHA256              string `json:"sha256"`
	PingIntervalMS      *int64 `json:"ping-interval-ms"`
	RestartBackoffMaxMS *int64 `json:"restart-backoff-max-ms"`
	Transport           string `json:"transport"`
}

// UnmarshalJSON reads the "leasehold" object; unknown keys are errors.
func (s *LibrarySettings) UnmarshalJSON(b []byte) error {
	var j settingsJSON
	if err := decodeStrict(b, &j); err != nil {
		return fmt.Errorf("leasehold settings: %w", err)
	}
	var out LibrarySettings
	ms := func(name string, v *int64, dst *time.Duration) error {
		if v == nil {
			return nil
		}
		if *v <= 0 {
			return fmt.Errorf("leasehold settings: %s must be positive, got %d", name, *v)
		}
		*dst = time.Duration(*v) * time.Millisecond
		return nil
	}
	if err := ms("deadline-ms", j.DeadlineMS, &out.Deadline); err != nil {
		return err
	}
	if err := ms("ping-interval-ms", j.PingIntervalMS, &out.PingInterval); err != nil {
		return err
	}
	if err := ms("restart-backoff-max-ms", j.RestartBackoffMaxMS, &out.RestartBackoffMax); err != nil {
		return err
	}
	switch j.FailurePolicy {
	case "", "continue":
		out.FailurePolicy = Continue
	case "drop":
		out.FailurePolicy = Drop
	default:
		return fmt.Errorf("leasehold settings: failure-policy %q: want \"continue\" or \"drop\"", j.FailurePolicy)
	}
	if j.ObserverBuffer != nil {
		if *j.ObserverBuffer <= 0 {
			return fmt.Errorf("leasehold settings: observer-buffer must be positive, got %d", *j.ObserverBuffer)
		}
		out.ObserverBuffer = *j.ObserverBuffer
	}
	// A duration whose 0 turns the feature off: stored negative, as a
	// zero LibrarySettings field means the default.
	zeroIsNone := func(name string, v *int64, unit time.Duration, dst *time.Duration) error {
		switch {
		case v == nil:
		case *v < 0:
			return fmt.Errorf("leasehold settings: %s must not be negative, got %d", name, *v)
		case *v == 0:
			*dst = -1
		default:
			*dst = time.Duration(*v) * unit
		}
		return nil
	}
	if err := zeroIsNone("observer-linger-ms", j.ObserverLingerMS, time.Millisecond, &out.ObserverLinger); err != nil {
		return err
	}
	if err := zeroIsNone("reply-spin-us", j.ReplySpinUS, time.Microsecond, &out.ReplySpin); err != nil {
		return err
	}
	switch j.ObserverOverflow {
	case "", "drop":
	case "block":
		out.ObserverBlock = true
	default:
		return fmt.Errorf("leasehold settings: observer-overflow %q: want \"drop\" or \"block\"", j.ObserverOverflow)
	}
	if j.SHA256 != "" {
		sum, err := hex.DecodeString(j.SHA256)
		if err != nil || len(sum) != 32 {
			return fmt.Errorf("leasehold settings: sha256 %q is not 64 hex digits", j.SHA256)
		}
		out.SHA256 = sum
	}
	switch j.Transport {
	case "", "socket":
	case "grpc":
		out.GRPCStream = true
	default:
		return fmt.Errorf("leasehold settings: transport %q: want \"socket\" or \"grpc\"", j.Transport)
	}
	*s = out
	return nil
}

// UnmarshalJSON reads one hooks-libraries entry; unknown keys are errors.
func (c *LibraryConfig) UnmarshalJSON(b []byte) error {
	type plain LibraryConfig
	var p plain
	if err := decodeStrict(b, &p); err != nil {
		return fmt.Errorf("hooks-libraries entry: %w", err)
	}
	if p.Library == "" {
		return fmt.Errorf("hooks-libraries entry: \"library\" is missing or empty")
	}
	if string(p.Parameters) == "null" {
		p.Parameters = nil
	}
	*c = LibraryConfig(p)
	return nil
}

func (s LibrarySettings) withDefaults() LibrarySettings {
	if s.Deadline == 0 {
		s.Deadline = DefaultDeadline
	}
	if s.ObserverBuffer == 0 {
		s.ObserverBuffer = DefaultObserverBuffer
	}
	if s.ObserverLinger == 0 {
		s.ObserverLinger = DefaultObserverLinger
	}
	if s.ReplySpin == 0 {
		s.ReplySpin = DefaultReplySpin
	}
	if s.PingInterval == 0 {
		s.PingInterval = DefaultPingInterval
	}
	if s.RestartBackoffMax == 0 {
		s.RestartBackoffMax = DefaultRestartBackoffMax
	}
	if s.FailurePolicy != Drop {
		s.FailurePolicy = Continue
	}
	return s
}
