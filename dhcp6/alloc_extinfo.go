package dhcp6

import (
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// With store-extended-info, a relayed client's leases keep what the relays
// said about it in the lease's user context, as Kea 2.2 does:
//
//	{ "ISC": { "relays": [ { "hop": 0, "link": "2001:db8:2::1", "options": "0x00120002...", "peer": "fe80::1" } ] } }
//
// one entry per relay, outermost first, with the relay's options (not
// relay-msg) in code order as upper-case hex.

// extendedInfo returns the user context a lease gets for this message:
// uc with its "ISC" entry set, and whether that changed it.
func (x *exchange) extendedInfo(uc string) (string, bool) {
	if x.subnet == nil || !x.subnet.cfg.StoreExtendedInfo || x.pkt.NumRelays == 0 {
		return uc, false
	}
	var sb strings.Builder
	sb.WriteString(`{ "relays": [ `)
	for i := range x.pkt.NumRelays {
		h := &x.pkt.Relays[i]
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(`{ "hop": ` + strconv.Itoa(int(h.HopCount)) + `, "link": "` + h.LinkAddr.String() + `"`)
		if opts := sortedRelayOptions(h.Options); len(opts) > 0 {
			sb.WriteString(`, "options": "0x` + strings.ToUpper(hex.EncodeToString(opts)) + `"`)
		}
		sb.WriteString(`, "peer": "` + h.PeerAddr.String() + `" }`)
	}
	sb.WriteString(" ] }")
	isc := sb.String()
	if uc == "" {
		return `{ "ISC": ` + isc + ` }`, true
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(uc), &m); err != nil || m == nil {
		return `{ "ISC": ` + isc + ` }`, true
	}
	if old, ok := m["ISC"]; ok && sameJSON(old, []byte(isc)) {
		return uc, false
	}
	m["ISC"] = json.RawMessage(isc)
	out, err := json.Marshal(m)
	if err != nil {
		return uc, false
	}
	return string(out), true
}

// sortedRelayOptions returns a relay's options other than relay-msg, in
// code order (the order Kea packs them in).
func sortedRelayOptions(opts Options) []byte {
	type entry struct {
		code OptionCode
		data []byte
	}
	var list []entry
	for code, data := range opts.All() {
		if code != OptRelayMsg {
			list = append(list, entry{code, data})
		}
	}
	slices.SortStableFunc(list, func(a, b entry) int { return int(a.code) - int(b.code) })
	var out []byte
	for _, e := range list {
		out = append(out, byte(e.code>>8), byte(e.code), byte(len(e.data)>>8), byte(len(e.data)))
		out = append(out, e.data...)
	}
	return out
}

func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ax, _ := json.Marshal(x)
	by, _ := json.Marshal(y)
	return string(ax) == string(by)
}
