package daemon

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version is the version both daemons report (-v, -V and the start log
// line). Release builds set it with
//
//	go build -ldflags "-X github.com/leasehold/leasehold/internal/daemon.Version=1.2.3" ./cmd/...
//
// When it is left at its default and the binary was built by
// `go install module@vX.Y.Z`, the module's version is reported instead.
var Version = "0.1.0-dev"

// versionString is what -v prints.
func versionString() string {
	if Version != "0.1.0-dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v := bi.Main.Version
		if v != "" && v != "(devel)" {
			return strings.TrimPrefix(v, "v")
		}
	}
	return Version
}

// extendedVersion is what -V prints: the version, then how the binary was
// built, then the modules linked in and the lease backends, in the order
// kea-dhcp4 -V lists its build, libraries and databases.
func extendedVersion() string {
	var b strings.Builder
	fmt.Fprintln(&b, versionString())
	fmt.Fprintf(&b, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	bi, ok := debug.ReadBuildInfo()
	if ok {
		for _, s := range bi.Settings {
			if strings.HasPrefix(s.Key, "vcs.") {
				fmt.Fprintf(&b, "%s %s\n", s.Key, s.Value)
			}
		}
		fmt.Fprintln(&b, "linked with:")
		fmt.Fprintf(&b, "%s %s\n", bi.Main.Path, bi.Main.Version)
		for _, m := range bi.Deps {
			v := m.Version
			if m.Replace != nil {
				v += " => " + m.Replace.Path + " " + m.Replace.Version
			}
			fmt.Fprintf(&b, "%s %s\n", m.Path, v)
		}
	} else {
		fmt.Fprintln(&b, "linked with: (no build information in this binary)")
	}
	fmt.Fprintln(&b, "database:")
	fmt.Fprintln(&b, "Memfile backend (Kea 2.2 lease file format)")
	return b.String()
}
