package exchange

import (
	"fmt"
	"slices"
	"strings"
)

// Diff is one difference between Kea's and leasehold's calls.
type Diff struct {
	Step  string
	Point string // "" for a difference in the step as a whole
	Key   string // the variable, "" when the difference is not one variable's
	Text  string
}

func (d Diff) String() string {
	if d.Point == "" {
		return d.Step + ": " + d.Text
	}
	return d.Step + ": " + d.Point + ": " + d.Text
}

// Compare lists every difference between what Kea and leasehold gave the
// script in the same phase: steps, hook points, and variable by variable
// (names, order and values) for each call. known says, for a variable Kea
// sets, the value leasehold is documented to give instead (ok false: none,
// the values must be equal).
func Compare(kea, lh *Result, known func(key string) (string, bool)) []Diff {
	var diffs []Diff
	for i, ks := range kea.Steps {
		if i >= len(lh.Steps) {
			diffs = append(diffs, Diff{Step: ks.Step, Text: "leasehold did not reach this step"})
			continue
		}
		ls := lh.Steps[i]
		if ls.Err != nil {
			diffs = append(diffs, Diff{Step: ks.Step, Text: ls.Err.Error()})
		}
		kp, lp := points(ks.Calls), points(ls.Calls)
		if !slices.Equal(kp, lp) {
			diffs = append(diffs, Diff{Step: ks.Step, Text: fmt.Sprintf("script called for %v, Kea %v", lp, kp)})
			continue
		}
		for j := range ks.Calls {
			for _, d := range compareCall(ks.Calls[j], ls.Calls[j], known) {
				d.Step, d.Point = ks.Step, fmt.Sprintf("%s #%d", kp[j], j)
				diffs = append(diffs, d)
			}
		}
	}
	return diffs
}

func points(calls []Call) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.Point()
	}
	return out
}

func compareCall(k, l Call, known func(string) (string, bool)) []Diff {
	var diffs []Diff
	lv := map[string]string{}
	for _, e := range l.Env {
		key, v, _ := strings.Cut(e, "=")
		lv[key] = v
	}
	kv := map[string]bool{}
	for _, e := range k.Env {
		key, want, _ := strings.Cut(e, "=")
		kv[key] = true
		got, ok := lv[key]
		if w, isKnown := known(key); isKnown {
			want = w
		}
		switch {
		case !ok:
			diffs = append(diffs, Diff{Key: key, Text: fmt.Sprintf("%s missing (Kea %q)", key, want)})
		case got != want:
			diffs = append(diffs, Diff{Key: key, Text: fmt.Sprintf("%s=%q, Kea %q", key, got, want)})
		}
	}
	for _, e := range l.Env {
		key, v, _ := strings.Cut(e, "=")
		if !kv[key] {
			diffs = append(diffs, Diff{Key: key, Text: fmt.Sprintf("%s=%q set, Kea does not set it", key, v)})
		}
	}
	if len(diffs) == 0 && !slices.Equal(keys(k.Env), keys(l.Env)) {
		diffs = append(diffs, Diff{Text: fmt.Sprintf("order %v, Kea %v", keys(l.Env), keys(k.Env))})
	}
	if !slices.Equal(k.Args[1:], l.Args[1:]) {
		diffs = append(diffs, Diff{Text: fmt.Sprintf("arguments %q, Kea %q", l.Args[1:], k.Args[1:])})
	}
	return diffs
}

func keys(env []string) []string {
	out := make([]string, len(env))
	for i, e := range env {
		out[i], _, _ = strings.Cut(e, "=")
	}
	return out
}
