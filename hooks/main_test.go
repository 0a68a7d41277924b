package hooks

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

func TestMain(m *testing.M) {
	if path := os.Getenv("LEASEHOLD_HOOKS_TEST_HOST"); path != "" {
		os.Exit(runTestHost(path))
	}
	if os.Getenv("LEASEHOLD_HOOKS_TEST_ECHO") != "" {
		os.Exit(runEcho())
	}
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
	built     = map[string]string{}
)

// buildPlugin builds a plugin main package (once per test binary) and
// returns the executable's path.
func buildPlugin(t testing.TB, pkg string) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "leasehold-hooks-plugins-")
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	if p, ok := built[pkg]; ok {
		return p
	}
	out := filepath.Join(buildDir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
	built[pkg] = out
	return out
}

func testPlugin(t testing.TB) string {
	return buildPlugin(t, "./testdata/plugins/testplugin")
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
