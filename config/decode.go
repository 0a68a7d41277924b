package config

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// dec carries the state of one decoding pass. The first error sticks and
// every later helper call becomes a no-op, so that the decoding code reads
// as a straight list of keys instead of a ladder of error checks.
type dec struct {
	err      error
	v6       bool // decoding Dhcp6
	warnings []string
	refs     []subnetRef // every subnet decoded, in parse order
}

func (d *dec) failed() bool { return d.err != nil }

// fail records an ErrInvalid error for the element at path.
func (d *dec) fail(n *node, path, format string, args ...any) {
	d.failKind(ErrInvalid, n, path, fmt.Sprintf(format, args...))
}

func (d *dec) failKind(kind error, n *node, path, msg string) {
	if d.err != nil {
		return
	}
	e := &Error{Path: path, Msg: msg, Kind: kind}
	if n != nil {
		e.File, e.Line, e.Col = n.pos.file, n.pos.line, n.pos.col
	}
	d.err = e
}

// unsupported records "unsupported: <what> at <path>".
func (d *dec) unsupported(n *node, what, path string) {
	d.failKind(ErrUnsupported, n, path, fmt.Sprintf("unsupported: %s at %s", what, path))
}

func (d *dec) warn(format string, args ...any) {
	d.warnings = append(d.warnings, fmt.Sprintf(format, args...))
}

// obj reads one JSON map.
type obj struct {
	d    *dec
	n    *node
	path string
}

// object opens n as a map at path and checks its keys before anything is
// read, so that a feature leasehold lacks is reported as such even when
// other values of the map are wrong too: a key in sup is read by the
// caller; a key Kea 2.2 accepts there (kea) but not in sup is
// unsupported; any other key is unknown. A non-map records an error and
// yields an empty object so callers can go on without checks.
func (d *dec) object(n *node, path string, sup, kea keySet) *obj {
	o := &obj{d: d, n: n, path: path}
	if n == nil {
		o.n = &node{kind: kMap}
		return o
	}
	if n.kind != kMap {
		d.fail(n, path, "expected a map, got a %s", n.kind)
		o.n = &node{kind: kMap, pos: n.pos}
		return o
	}
	for _, m := range n.members {
		at := &node{pos: m.keyPos}
		switch {
		case sup.has(m.key):
		case kea.has(m.key):
			d.unsupported(at, m.key, pathOrTop(path))
			return o
		default:
			d.failKind(ErrUnknownKey, at, joinPath(path, m.key),
				fmt.Sprintf("unknown key %q at %s", m.key, pathOrTop(path)))
			return o
		}
	}
	return o
}

func (o *obj) sub(key string) string { return joinPath(o.path, key) }

// take returns the value of key; nil when absent.
func (o *obj) take(key string) *node { return o.n.get(key) }

func (o *obj) has(key string) bool { return o.n.get(key) != nil }

func (o *obj) str(key string) (string, bool) {
	n := o.take(key)
	if n == nil || o.d.failed() {
		return "", false
	}
	if n.kind != kString {
		o.d.fail(n, o.sub(key), "expected a string, got a %s", n.kind)
		return "", false
	}
	return n.str, true
}

func (o *obj) strOr(key, def string) string {
	if s, ok := o.str(key); ok {
		return s
	}
	return def
}

func (o *obj) boolean(key string) (bool, bool) {
	n := o.take(key)
	if n == nil || o.d.failed() {
		return false, false
	}
	if n.kind != kBool {
		o.d.fail(n, o.sub(key), "expected a boolean, got a %s", n.kind)
		return false, false
	}
	return n.boolean, true
}

func (o *obj) boolOr(key string, def bool) bool {
	if b, ok := o.boolean(key); ok {
		return b
	}
	return def
}

// boolPtr returns nil when the key is absent.
func (o *obj) boolPtr(key string) *bool {
	if b, ok := o.boolean(key); ok {
		return &b
	}
	return nil
}

// integer reads an integer key and checks it lies in [lo, hi].
func (o *obj) integer(key string, lo, hi int64) (int64, bool) {
	n := o.take(key)
	if n == nil || o.d.failed() {
		return 0, false
	}
	return o.d.intValue(n, o.sub(key), lo, hi)
}

func (d *dec) intValue(n *node, path string, lo, hi int64) (int64, bool) {
	if n.kind != kNumber || !n.isInt {
		d.fail(n, path, "expected an integer, got %s", describe(n))
		return 0, false
	}
	v, err := strconv.ParseInt(n.str, 10, 64)
	if err != nil || v < lo || v > hi {
		d.fail(n, path, "value %s out of range [%d, %d]", n.str, lo, hi)
		return 0, false
	}
	return v, true
}

func (o *obj) u32(key string) (uint32, bool) {
	v, ok := o.integer(key, 0, math.MaxUint32)
	return uint32(v), ok
}

func (o *obj) u32Or(key string, def uint32) uint32 {
	if v, ok := o.u32(key); ok {
		return v
	}
	return def
}

func (o *obj) u32Ptr(key string) *uint32 {
	if v, ok := o.u32(key); ok {
		return &v
	}
	return nil
}

// real reads a floating point key; integers are accepted too (Kea insists
// on a literal with a dot; leasehold is lenient in that one direction).
func (o *obj) real(key string) (float64, bool) {
	n := o.take(key)
	if n == nil || o.d.failed() {
		return 0, false
	}
	if n.kind != kNumber {
		o.d.fail(n, o.sub(key), "expected a number, got %s", describe(n))
		return 0, false
	}
	v, err := strconv.ParseFloat(n.str, 64)
	if err != nil {
		o.d.fail(n, o.sub(key), "bad number %s", n.str)
		return 0, false
	}
	return v, true
}

func (o *obj) realPtr(key string) *float64 {
	if v, ok := o.real(key); ok {
		return &v
	}
	return nil
}

// list returns the elements of a list key (nil when absent).
func (o *obj) list(key string) []*node {
	n := o.take(key)
	if n == nil || o.d.failed() {
		return nil
	}
	if n.kind != kList {
		o.d.fail(n, o.sub(key), "expected a list, got a %s", n.kind)
		return nil
	}
	return n.list
}

// strings reads a list of strings.
func (o *obj) strings(key string) []string {
	items := o.list(key)
	var out []string
	for i, it := range items {
		if it.kind != kString {
			o.d.fail(it, fmt.Sprintf("%s[%d]", o.sub(key), i), "expected a string, got a %s", it.kind)
			return nil
		}
		out = append(out, it.str)
	}
	return out
}

// enum reads a string key that must be one of allowed.
func (o *obj) enum(key, def string, allowed ...string) string {
	n := o.n.get(key)
	s, ok := o.str(key)
	if !ok {
		return def
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	o.d.fail(n, o.sub(key), "%q is not one of %s", s, strings.Join(allowed, ", "))
	return def
}

// userContext reads "user-context" (a map, kept as raw JSON) and "comment".
func (o *obj) userContext() (json.RawMessage, string) {
	var raw json.RawMessage
	if n := o.take("user-context"); n != nil && !o.d.failed() {
		if n.kind != kMap {
			o.d.fail(n, o.sub("user-context"), "user context must be a map, got a %s", n.kind)
		} else {
			raw = toJSON(n)
		}
	}
	comment, _ := o.str("comment")
	return raw, comment
}

// raw returns any JSON value of key as raw JSON (nil when absent).
func (o *obj) raw(key string) json.RawMessage {
	n := o.take(key)
	if n == nil || o.d.failed() {
		return nil
	}
	return toJSON(n)
}

// addr reads an IP address of the server's family (v4 when want4).
func (d *dec) addr(n *node, path string, want4 bool) (netip.Addr, bool) {
	if n.kind != kString {
		d.fail(n, path, "expected an address string, got a %s", n.kind)
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(strings.TrimSpace(n.str))
	if err != nil || a.Zone() != "" {
		d.fail(n, path, "%q is not a valid IP address", n.str)
		return netip.Addr{}, false
	}
	if want4 && !a.Is4() {
		d.fail(n, path, "%q is not an IPv4 address", n.str)
		return netip.Addr{}, false
	}
	if !want4 && !a.Is6() {
		d.fail(n, path, "%q is not an IPv6 address", n.str)
		return netip.Addr{}, false
	}
	return a, true
}

func (o *obj) addr(key string, want4 bool) (netip.Addr, bool) {
	n := o.take(key)
	if n == nil || o.d.failed() {
		return netip.Addr{}, false
	}
	return o.d.addr(n, o.sub(key), want4)
}

func describe(n *node) string {
	if n.kind == kNumber {
		return "the number " + n.str
	}
	return "a " + n.kind.String()
}

// each runs fn for every element of a list key with its path.
func (o *obj) each(key string, fn func(i int, n *node, path string)) {
	for i, it := range o.list(key) {
		if o.d.failed() {
			return
		}
		fn(i, it, fmt.Sprintf("%s[%d]", o.sub(key), i))
	}
}

// toJSON renders a node back to compact standard JSON.
func toJSON(n *node) json.RawMessage {
	var b []byte
	b = appendJSON(b, n)
	return json.RawMessage(b)
}

func appendJSON(b []byte, n *node) []byte {
	switch n.kind {
	case kNull:
		return append(b, "null"...)
	case kBool:
		return strconv.AppendBool(b, n.boolean)
	case kNumber:
		if n.isInt {
			return append(b, n.str...)
		}
		f, _ := strconv.ParseFloat(n.str, 64)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, f, 'g', -1, 64)
	case kString:
		q, _ := json.Marshal(n.str)
		return append(b, q...)
	case kList:
		b = append(b, '[')
		for i, e := range n.list {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	default:
		b = append(b, '{')
		for i, m := range n.members {
			if i > 0 {
				b = append(b, ',')
			}
			q, _ := json.Marshal(m.key)
			b = append(b, q...)
			b = append(b, ':')
			b = appendJSON(b, m.val)
		}
		return append(b, '}')
	}
}
