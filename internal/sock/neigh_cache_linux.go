//go:build linux

package sock

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// neighTTL is how long a neighbour answer is reused: short, since a
// relay's or router's address can move to another box, long enough that a
// burst of hooked queries from one relay costs one lookup.
const neighTTL = 3 * time.Second

// neighMax bounds the cache: past it, expired entries go, and if none had
// expired, all do.
const neighMax = 256

type neighKey struct {
	ifIndex int
	addr    netip.Addr
}

type neighEntry struct {
	mac net.HardwareAddr // nil: not found
	at  time.Time
}

type neighCache struct {
	mu sync.Mutex
	m  map[neighKey]neighEntry
}

var neighs = &neighCache{m: map[neighKey]neighEntry{}}

// get returns a copy of the cached answer for k; hit is false when there is
// none younger than neighTTL.
func (c *neighCache) get(k neighKey, now time.Time) (mac net.HardwareAddr, ok, hit bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, found := c.m[k]
	if !found || now.Sub(e.at) >= neighTTL {
		return nil, false, false
	}
	if e.mac == nil {
		return nil, false, true
	}
	return append(net.HardwareAddr(nil), e.mac...), true, true
}

func (c *neighCache) put(k neighKey, mac net.HardwareAddr, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= neighMax {
		for k, e := range c.m {
			if now.Sub(e.at) >= neighTTL {
				delete(c.m, k)
			}
		}
		if len(c.m) >= neighMax {
			clear(c.m)
		}
	}
	c.m[k] = neighEntry{mac: append(net.HardwareAddr(nil), mac...), at: now}
	if mac == nil {
		c.m[k] = neighEntry{at: now}
	}
}
