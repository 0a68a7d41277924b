//go:build !amd64 && !arm64

package netlab

// sysSetns is unknown here: InNS reports ENOSYS.
const sysSetns = 0
