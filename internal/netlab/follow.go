package netlab

import (
	"strings"
	"time"
)

// FollowOutput calls fn with each complete line of the process's output
// (both streams, in the order they arrived), from the first, as the lines
// come, and with the unfinished rest once the process has exited. The
// channel it returns is closed after the last call, so a caller that logs
// through fn can wait for it before its test ends.
func (p *Process) FollowOutput(fn func(line string)) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		sent := 0
		flush := func(all bool) {
			out := p.Output()
			end := strings.LastIndexByte(out, '\n') + 1
			if all {
				end = len(out)
			}
			if end > sent {
				for _, line := range strings.Split(strings.TrimSuffix(out[sent:end], "\n"), "\n") {
					fn(line)
				}
				sent = end
			}
		}
		exited := p.done
		for {
			changed := p.out.changed()
			flush(false)
			var quiet <-chan time.Time
			if exited == nil {
				// The pipes may still hold the last output, or be kept
				// open by a child that outlived the process: wait until
				// they have been quiet for a moment.
				quiet = time.After(followGrace)
			}
			select {
			case <-changed:
			case <-exited:
				exited = nil
			case <-quiet:
				flush(true)
				return
			}
		}
	}()
	return done
}

// followGrace is how long FollowOutput waits for more output after the
// process exited.
const followGrace = 100 * time.Millisecond
