package hooks

import "syscall"

// procAttr makes the kernel kill a plugin when the thread that started it
// (the library's forker thread) ends, which includes the host dying.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
