package daemontest

import (
	"strings"
	"testing"
)

// TestWithPool: the broken configuration CheckReloads loads differs from
// the one in force only in subnet 1's pool, and leaves that one as it was.
func TestWithPool(t *testing.T) {
	for _, f := range []Family{V4, V6} {
		x := texts[f]
		orig := &Config{Map: x.Map, M: Obj{
			"valid-lifetime": 20,
			x.Subnets: []any{
				Obj{"id": 1, "pools": []any{Obj{"pool": x.Pool}}, "option-data": []any{}},
				Obj{"id": 2, "pools": []any{Obj{"pool": "kept"}}},
			},
		}}
		before := orig.JSON(t)
		bad := orig.withPool(x.BadPool).JSON(t)
		if orig.JSON(t) != before {
			t.Errorf("%s: withPool changed the configuration in force:\n%s", x.Map, orig.JSON(t))
		}
		if want := strings.Replace(before, x.Pool, x.BadPool, 1); bad != want {
			t.Errorf("%s: withPool made\n%s\nwant\n%s", x.Map, bad, want)
		}
	}
}
