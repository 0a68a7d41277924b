//go:build race

package expr

// raceEnabled: sync.Pool drops items at random under the race detector.
const raceEnabled = true
