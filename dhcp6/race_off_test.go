//go:build !race

package dhcp6

const raceEnabled = false
