// Command linked6 is leasehold-dhcp6 with the run_script library linked in
// under Kea's library path, as an embedding program would build it: a
// configuration naming libdhcp_run_script.so runs runscript in-process,
// any other hooks-libraries entry (such as cmd/leasehold-runscript) runs as
// a plugin. The compatibility test runs it; it is not installed.
package main

import (
	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/internal/daemon"
	"github.com/leasehold/leasehold/internal/daemon/dhcpd"
	"github.com/leasehold/leasehold/runscript"
)

// keaRunScript is where Debian's Kea packages put run_script.
const keaRunScript = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_run_script.so"

func main() {
	f := dhcpd.V6()
	f.Linked = map[string]hooks.Library{keaRunScript: runscript.New(runscript.Options{})}
	daemon.Main(f)
}
