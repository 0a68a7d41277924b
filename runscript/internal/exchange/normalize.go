package exchange

import (
	"fmt"
	"strconv"
	"strings"
)

// Norm replaces the values that differ from run to run with placeholders,
// after checking that each is what it must be:
//
//   - *_CLTT: Unix seconds within [From-2, To+2] become "@cltt";
//   - *_IFACE_INDEX: the server interface's index (the veth's index
//     depends on what else the machine created) becomes "@ifindex";
//   - *_IFACE_NAME: the server interface's name (it carries the lab's
//     prefix) becomes "@ifname".
//
// Everything else (addresses, MACs, DUIDs, transaction ids, lifetimes) is
// fixed by the scenario and compared as is.
type Norm struct {
	From, To int64
	IfIndex  int
	IfName   string
}

// Apply normalises c in place; an error names a value of the wrong form.
func (n Norm) Apply(c *Call) error {
	for i, e := range c.Env {
		k, v, _ := strings.Cut(e, "=")
		switch {
		case strings.HasSuffix(k, "_CLTT") && v != "":
			t, err := strconv.ParseInt(v, 10, 64)
			if err != nil || t < n.From-2 || t > n.To+2 {
				return fmt.Errorf("%s: %s=%q is not a time of this run [%d, %d]", c.Point(), k, v, n.From, n.To)
			}
			c.Env[i] = k + "=@cltt"
		case strings.HasSuffix(k, "_IFACE_INDEX") && v != "":
			if v != strconv.Itoa(n.IfIndex) {
				return fmt.Errorf("%s: %s=%q, want the server interface's index %d", c.Point(), k, v, n.IfIndex)
			}
			c.Env[i] = k + "=@ifindex"
		case strings.HasSuffix(k, "_IFACE_NAME") && v != "":
			if v != n.IfName {
				return fmt.Errorf("%s: %s=%q, want the server interface %q", c.Point(), k, v, n.IfName)
			}
			c.Env[i] = k + "=@ifname"
		}
	}
	return nil
}
