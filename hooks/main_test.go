package hooks

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/leasehold/leasehold/internal/plugintest"
)

func TestMain(m *testing.M) {
	if path := os.Getenv("LEASEHOLD_HOOKS_TEST_HOST"); path != "" {
		os.Exit(runTestHost(path))
	}
	if os.Getenv("LEASEHOLD_HOOKS_TEST_ECHO") != "" {
		os.Exit(runEcho())
	}
	os.Exit(plugins.Run(m))
}

// plugins builds the test plugins, each once per test binary.
var plugins plugintest.Builder

func testPlugin(t testing.TB) string {
	return plugins.Build(t, "./testdata/plugins/testplugin")
}

// pids of the processes whose parent is ppid.
func childrenOf(ppid int) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may contain spaces, so cut at the last ')'.
		i := len(b) - 1
		for i > 0 && b[i] != ')' {
			i--
		}
		var state string
		var parent int
		if _, err := fmt.Sscan(string(b[i+1:]), &state, &parent); err == nil && parent == ppid {
			out = append(out, pid)
		}
	}
	return out
}

func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := len(b) - 1
	for i > 0 && b[i] != ')' {
		i--
	}
	var state string
	fmt.Sscan(string(b[i+1:]), &state)
	return state != "Z" && state != "X"
}
