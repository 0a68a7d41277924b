package netlab

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"

	"golang.org/x/sys/unix"
)

// InNS runs fn on an OS thread switched into the named network namespace
// (a name under /run/netns, such as Lab.ServerNS) and returns fn's error.
//
// Rules, because a namespace belongs to a thread and Go moves goroutines
// between threads:
//   - fn runs on its own goroutine locked to one thread; the caller's thread
//     is never switched.
//   - A socket belongs to the namespace it was created in, for its whole
//     life. Create sockets (net.ListenPacket, net.Dial, unix.Socket,
//     net.InterfaceByName's netlink query) directly in fn; they keep working
//     after InNS returns, from any goroutine.
//   - Goroutines that fn starts run on other threads, in the process's own
//     namespace: do not create sockets in them.
//   - Name resolution may run on other threads: use literal addresses.
//   - Do not start processes from fn (Lab.Start does that for you with ip
//     netns exec): a child started on a thread that later dies gets the
//     lab's Pdeathsig.
//
// After fn the thread is switched back and returned to the scheduler; if
// that fails the thread stays locked and exits with the goroutine, so no
// other goroutine ever runs in the wrong namespace.
func InNS(ns string, fn func() error) error {
	target, err := os.Open(nsPath(ns))
	if err != nil {
		return fmt.Errorf("netlab: namespace %s: %w", ns, err)
	}
	defer target.Close()
	return inNSFile(ns, target, fn)
}

func inNSFile(name string, target *os.File, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("netlab: own namespace: %w", err)
			return
		}
		defer orig.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("netlab: setns %s: %w", name, err)
			return
		}
		var ferr error
		func() {
			defer func() {
				if r := recover(); r != nil {
					ferr = fmt.Errorf("netlab: panic in namespace %s: %v\n%s", name, r, debug.Stack())
				}
			}()
			ferr = fn()
		}()
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			// Leave the thread locked: it dies with this goroutine.
			errc <- fmt.Errorf("netlab: back from namespace %s: %w (fn: %v)", name, err, ferr)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// InNS is the package-level InNS for one of the lab's namespaces.
func (l *Lab) InNS(ns string, fn func() error) error {
	if err := l.checkNS(ns); err != nil {
		return err
	}
	return InNS(ns, fn)
}
