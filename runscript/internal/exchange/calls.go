package exchange

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Call is one run of the hook script: its arguments and its environment,
// in the order the server passed them.
type Call struct {
	Args []string
	Env  []string // KEY=VALUE
}

// Point is the hook point the script was called for (its one argument).
func (c Call) Point() string {
	if len(c.Args) < 2 {
		return ""
	}
	return c.Args[1]
}

// Get returns the value of key and whether it is set.
func (c Call) Get(key string) (string, bool) {
	for _, e := range c.Env {
		if k, v, _ := strings.Cut(e, "="); k == key {
			return v, true
		}
	}
	return "", false
}

// readDump parses a record written by envdump.
func readDump(path string) (Call, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Call{}, err
	}
	var c Call
	for len(b) > 0 {
		i := bytes.IndexByte(b, 0)
		if i < 1 {
			return Call{}, fmt.Errorf("%s: malformed record", path)
		}
		switch b[0] {
		case 'A':
			c.Args = append(c.Args, string(b[1:i]))
		case 'E':
			c.Env = append(c.Env, string(b[1:i]))
		default:
			return Call{}, fmt.Errorf("%s: unknown entry kind %q", path, b[0])
		}
		b = b[i+1:]
	}
	return c, nil
}

// readDumps returns the finished records in dir, oldest first, and their
// file names.
func readDumps(dir string) ([]Call, []string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.dump"))
	if err != nil {
		return nil, nil, err
	}
	slices.Sort(names)
	calls := make([]Call, 0, len(names))
	for _, n := range names {
		c, err := readDump(n)
		if err != nil {
			return nil, nil, err
		}
		calls = append(calls, c)
	}
	return calls, names, nil
}

// SortCalls puts the calls of one step in a canonical order: async
// scripts of one packet may start in any order, so golden files and
// comparisons must not depend on it.
func SortCalls(calls []Call) {
	slices.SortStableFunc(calls, func(a, b Call) int {
		if c := strings.Compare(a.Point(), b.Point()); c != 0 {
			return c
		}
		return strings.Compare(strings.Join(a.Env, "\n"), strings.Join(b.Env, "\n"))
	})
}

// Format writes calls in the golden file format:
//
//	== <hook point>
//	KEY=VALUE
//	%KEY="quoted value"
//
// one line per variable, in the order the server set them, a blank line
// between calls. A value that is not printable ASCII (or starts with a
// quote) is written Go-quoted on a line starting with '%'. argv[0] (the
// script path) is not recorded: it is the configured name by definition.
func Format(calls []Call) []byte {
	var b bytes.Buffer
	for i, c := range calls {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "== %s\n", strings.Join(c.Args[1:], " "))
		for _, e := range c.Env {
			k, v, _ := strings.Cut(e, "=")
			if printable(v) {
				fmt.Fprintf(&b, "%s=%s\n", k, v)
			} else {
				fmt.Fprintf(&b, "%%%s=%s\n", k, strconv.Quote(v))
			}
		}
	}
	return b.Bytes()
}

func printable(s string) bool {
	if strings.HasPrefix(s, `"`) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Parse reads what Format wrote. Args get a placeholder argv[0].
func Parse(data []byte) ([]Call, error) {
	var calls []Call
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		t := sc.Text()
		switch {
		case t == "":
		case strings.HasPrefix(t, "== "):
			calls = append(calls, Call{Args: append([]string{"@script"}, strings.Fields(t[3:])...)})
		case len(calls) == 0:
			return nil, fmt.Errorf("line %d: variable before the first call header", line)
		case strings.HasPrefix(t, "%"):
			k, q, ok := strings.Cut(t[1:], "=")
			v, err := strconv.Unquote(q)
			if !ok || err != nil {
				return nil, fmt.Errorf("line %d: bad quoted value", line)
			}
			calls[len(calls)-1].Env = append(calls[len(calls)-1].Env, k+"="+v)
		default:
			if !strings.Contains(t, "=") {
				return nil, fmt.Errorf("line %d: no '=' in %q", line, t)
			}
			calls[len(calls)-1].Env = append(calls[len(calls)-1].Env, t)
		}
	}
	return calls, sc.Err()
}

// FormatPackets writes messages as hex, one per line.
func FormatPackets(msgs [][]byte) []byte {
	var b bytes.Buffer
	for _, m := range msgs {
		b.WriteString(hex.EncodeToString(m))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ParsePackets reads what FormatPackets wrote.
func ParsePackets(data []byte) ([][]byte, error) {
	var out [][]byte
	for i, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if l == "" {
			continue
		}
		m, err := hex.DecodeString(l)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		out = append(out, m)
	}
	return out, nil
}
