package daemon_test

import (
	"fmt"
	"io"
	"os"

	"github.com/leasehold/leasehold/config"
	"github.com/leasehold/leasehold/internal/daemon"
)

// A daemon's main is one call; here the -t check of a bad file, with its
// error on the example's output.
func ExampleRun() {
	f := daemon.V4(func(*config.DHCP4, daemon.Deps) (daemon.Server[*config.DHCP4], error) {
		return nil, fmt.Errorf("not reached: -t builds no server")
	})
	code := daemon.Run(f, []string{"-t", "testdata/bad-pool4.json"}, daemon.Process{Stdout: io.Discard, Stderr: os.Stdout})
	fmt.Println("exit code", code)
	// Output:
	// Error encountered: Dhcp4/subnet4[0]/pools[0]/pool: pool 10.0.0.1 - 10.0.0.9 is not within the subnet 192.0.2.0/24 (testdata/bad-pool4.json:3:70)
	// exit code 1
}
