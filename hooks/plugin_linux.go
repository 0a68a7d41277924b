package hooks

import (
	"math/bits"
	"runtime"
	"syscall"
	"unsafe"
)

// procAttr makes the kernel kill a plugin when the thread that started it
// (the library's forker thread) ends, which includes the host dying.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// socketpairCloexec makes a stream socketpair whose ends a plugin started
// meanwhile does not inherit.
func socketpairCloexec() ([2]int, error) {
	return syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
}

// cpusAllowed is how many CPUs the calling thread may run on; a plugin
// started now inherits the same set.
func cpusAllowed() int {
	var mask [1024 / 64]uint64
	n, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, 0, unsafe.Sizeof(mask), uintptr(unsafe.Pointer(&mask)))
	if e != 0 {
		return runtime.NumCPU()
	}
	c := 0
	for _, w := range mask[:n/8] {
		c += bits.OnesCount64(w)
	}
	return c
}
