//go:build race

package dhcp4

// raceEnabled: the race detector allocates, so allocation counts mean little.
const raceEnabled = true
