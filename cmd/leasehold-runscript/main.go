// Command leasehold-runscript is the run_script hook library (package
// runscript) as a leasehold hook plugin: name it in hooks-libraries where a
// Kea configuration names libdhcp_run_script.so, with the same parameters.
//
//	"hooks-libraries": [{
//	    "library": "/usr/local/lib/leasehold/hooks/leasehold-runscript",
//	    "parameters": {"name": "/usr/local/lib/leasehold/scripts/lease.sh", "sync": false}
//	}]
//
// The server starts it; run by hand it says so and exits. The scripts'
// output and the library's messages reach the server's log under the
// library's name. With "sync": true, give the entry a
// "leasehold": {"deadline-ms": ...} longer than the script's "timeout"
// (1000 ms by default), or the server stops waiting first. See
// runscript/README.md for the parameters, the sync protocol and
// confinement.
package main

import (
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/runscript"
)

func main() { hooks.ServePlugin(runscript.New(runscript.Options{})) }
