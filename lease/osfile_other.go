//go:build !linux

package lease

// Sync flushes the file the portable way (on macOS, F_FULLFSYNC): only
// Linux gets the raw fdatasync.
func (f osFile) Sync() error { return f.File.Sync() }
