package hooks

import "fmt"

// NextStep is what a callout asks the server to do next. Its values travel
// on the plugin protocol, so they are fixed.
type NextStep uint8

// The next steps, with Kea's meaning at each point (see doc.go).
const (
	Continue NextStep = iota // go on as if no callout ran
	Skip                     // skip the server's own action at this point
	Drop                     // drop the packet (or abort, at *_srv_configured)
	Park                     // hold the packet until the library resumes it
)

var stepNames = [...]string{"continue", "skip", "drop", "park"}

// String returns the lower-case name used in configuration and logs.
func (s NextStep) String() string {
	if int(s) < len(stepNames) {
		return stepNames[s]
	}
	return fmt.Sprintf("NextStep(%d)", uint8(s))
}

// ParseNextStep reads "continue", "skip", "drop" or "park".
func ParseNextStep(s string) (NextStep, error) {
	for i, n := range stepNames {
		if n == s {
			return NextStep(i), nil
		}
	}
	return Continue, fmt.Errorf("hooks: unknown next step %q", s)
}

type stepSet uint8

func steps(s ...NextStep) stepSet {
	var set stepSet
	for _, x := range s {
		set |= 1 << x
	}
	return set
}

func (set stepSet) has(s NextStep) bool { return s < 8 && set&(1<<s) != 0 }
