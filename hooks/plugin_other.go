//go:build !linux

package hooks

import (
	"runtime"
	"syscall"
)

// procAttr: without PDEATHSIG, plugins rely on ServePlugin's parent watch.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

func cpusAllowed() int { return runtime.NumCPU() }
