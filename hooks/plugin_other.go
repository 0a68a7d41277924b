//go:build !linux

package hooks

import (
	"runtime"
	"syscall"
)

// procAttr: without PDEATHSIG, plugins rely on ServePlugin's parent watch.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

func cpusAllowed() int { return runtime.NumCPU() }

// socketpairCloexec makes a stream socketpair whose ends a plugin started
// meanwhile does not inherit: without SOCK_CLOEXEC, under the lock that
// os/exec takes around fork.
func socketpairCloexec() ([2]int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fds[0])
		syscall.CloseOnExec(fds[1])
	}
	return fds, err
}
