//go:build !race

package dhcp4

const raceEnabled = false
