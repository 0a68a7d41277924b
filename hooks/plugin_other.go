//go:build !linux

package hooks

import "syscall"

// procAttr: without PDEATHSIG, plugins rely on ServePlugin's parent watch.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }
