//go:build race

package dhcp6

// raceEnabled: the race detector allocates, so allocation counts mean little.
const raceEnabled = true
