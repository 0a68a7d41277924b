package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
)

// floorPkg is the no-logic responder measured as the "floor" server: what
// the kernel, Go's runtime and perfdhcp cost with no DHCP logic, one
// fdatasync per batch of ACKs/REPLYs included. Where leasehold comes close
// to it, the client is the limit, not the server.
const floorPkg = "github.com/leasehold/leasehold/bench/floor"

// buildFloor builds the floor responder into dir (from the module's
// directory, like the examples -hooks builds).
func buildFloor(dir string) (string, error) {
	bin := filepath.Join(dir, "floor")
	if out, err := exec.Command("go", "build", "-o", bin, floorPkg).CombinedOutput(); err != nil {
		return "", fmt.Errorf("floor: go build %s: %v\n%s", floorPkg, err, out)
	}
	return bin, nil
}
