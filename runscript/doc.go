// Package runscript is Kea's run_script hook library for leasehold: at the
// lease hook points it runs an external script with the hook point's name
// as its only argument and an environment holding exactly the variables
// Kea 2.2 sets there, with Kea's names and value formats, so a script
// written for Kea works unchanged.
//
// The formats were established by running Kea 2.2 with
// libdhcp_run_script.so and recording every call; the recordings are the
// golden files of testdata/kea, and its README lists every variable and
// format. The environment is built by Environment.
//
// # Loading
//
// In-process, link it under the library name a Kea configuration uses:
//
//	rs := runscript.New(runscript.Options{}) // logs through the Manager's logger
//	m, err := hooks.New(ctx, hooks.Config{
//		Libraries: libs, // from hooks-libraries
//		Linked:    map[string]hooks.Library{"/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_run_script.so": rs},
//	})
//
// or name the plugin binary cmd/leasehold-runscript in hooks-libraries:
//
//	"hooks-libraries": [{
//	    "library": "/usr/local/lib/leasehold/hooks/leasehold-runscript",
//	    "parameters": {"name": "/usr/local/lib/leasehold/scripts/lease.sh", "sync": false}
//	}]
//
// # Parameters
//
// Kea's "name" (absolute path of an executable regular file; required) and
// "sync" (default false), and leasehold's "max-concurrent" (8),
// "queue-size" (1024), "timeout" (milliseconds; 1000 in sync mode, no
// limit in async mode), "failure-policy" ("continue", "skip" or "drop";
// default continue) and "allowed-dir". See Params and README.md.
//
// # Modes
//
// Asynchronous ("sync": false, Kea's behaviour): the points are registered
// observe-only, so the packet never waits; the call is queued for a pool of
// max-concurrent workers; a call that finds queue-size calls waiting is
// dropped, counted (Stats.Overflow) and logged. Children are reaped; their
// stdout and stderr go to the log line by line (with hook_library=run_script
// and the script's path); a non-zero exit status, a signal or a timeout is
// logged.
//
// Synchronous ("sync": true, documented but not implemented by Kea 2.2):
// the server waits for the script, at most "timeout" (including the wait
// for a free slot). The script chooses the next step by printing a line
//
//	NEXT_STEP=CONTINUE | SKIP | DROP
//
// on stdout (the last such line counts, any case) and exiting 0; exiting 0
// without one means CONTINUE. A non-zero exit, a signal, a timeout (the
// script's process group is killed), a start failure or an unknown step
// give the failure policy. A step the point does not honour (see
// hooks/doc.go) is CONTINUE. As a plugin, give the library a
// "leasehold": {"deadline-ms": ...} above the timeout, or the host stops
// waiting first.
//
// # Confinement
//
// As in Kea 3.0, scripts can be confined to one directory: "allowed-dir",
// else the environment variable LEASEHOLD_HOOK_SCRIPTS_PATH, else
// KEA_HOOK_SCRIPTS_PATH. The script must then be directly in that directory
// (symbolic links resolved), or loading fails naming the path and the rule.
// Whether confined or not, a script writable by everyone, or in a directory
// writable by everyone, is refused.
//
// Values from packets (hostnames, option 82, client ids) only ever become
// environment values; the script is run directly, never through a shell. A
// value with a NUL byte is cut there, which is what execve made of it in
// Kea.
package runscript
