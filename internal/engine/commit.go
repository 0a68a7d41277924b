package engine

import (
	"context"
	"errors"
	"net/netip"
	"time"
)

// The committer side: syncing durable state once per group of batches and
// sending their replies.

func (e *Engine) committer() {
	group := make([]*batch, 0, cap(e.commit))
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for b := range e.commit {
		// Take every batch already waiting too: one sync covers them all,
		// where syncing batch by batch would pay an fsync for each of the
		// batches that piled up during the previous one.
		group = append(group[:0], b)
		needSync := b.needSync
		open := true
	drain:
		for len(group) < cap(group) {
			select {
			case nb, ok := <-e.commit:
				if !ok {
					open = false
					break drain
				}
				group = append(group, nb)
				needSync = needSync || nb.needSync
			default:
				break drain
			}
		}
		if needSync && open && e.cfg.SyncInterval > 0 {
			if wait := e.cfg.SyncInterval - time.Since(time.Unix(0, e.lastSync.Load())); wait > 0 {
				timer.Reset(wait)
			gather:
				for len(group) < cap(group) {
					select {
					case nb, ok := <-e.commit:
						if !ok {
							break gather
						}
						group = append(group, nb)
					case <-timer.C:
						break gather
					}
				}
				timer.Stop()
			}
		}
		synced := true
		if needSync {
			synced = e.sync()
		}
		for _, g := range group {
			e.sendBatch(g, synced)
			e.inflight.Add(-1)
			e.free <- g
		}
	}
}

// sync calls Config.Sync and reports whether it succeeded.
func (e *Engine) sync() bool {
	if e.cfg.Sync == nil {
		return true
	}
	e.lastSync.Store(time.Now().UnixNano())
	e.syncs.Add(1)
	// Not the Run context: batches already processed are finished after a
	// stop, as their leases are already in the store.
	if err := e.cfg.Sync(context.Background()); err != nil {
		e.log.Error("engine: sync failed; replies that promise leases are not sent", "error", err)
		return false
	}
	return true
}

// sendBatch writes the batch's replies; those that need a sync are
// written only if synced.
func (e *Engine) sendBatch(b *batch, synced bool) {
	k := 0
	for i := range b.n {
		v := b.verdicts[i]
		if v&Send == 0 {
			continue
		}
		if v&NeedSync != 0 && !synced {
			e.syncErrs.Add(1)
			continue
		}
		if b.out[i].Raw && e.writeRaw(&b.out[i]) {
			continue
		}
		// Compact the UDP replies at the front; swapping keeps every
		// buffer owned by this batch.
		if k != i {
			b.out[k], b.out[i] = b.out[i], b.out[k]
			b.verdicts[k], b.verdicts[i] = b.verdicts[i], b.verdicts[k]
		}
		k++
	}
	e.write(b.out[:k])
}

// writeRaw sends p as a link-layer frame if the Conn can; otherwise it
// turns p into a broadcast and reports false so the caller sends it as UDP.
func (e *Engine) writeRaw(p *Packet) bool {
	if rw, ok := e.cfg.Conn.(RawWriter); ok {
		err := rw.WriteRaw(p)
		if err == nil {
			e.sent.Add(1)
			return true
		}
		if !errors.Is(err, ErrRawUnsupported) {
			e.sendErrs.Add(1)
			e.log.Warn("engine: raw send failed", "to", p.Dst, "ifindex", p.IfIndex, "error", err)
			return true
		}
	}
	p.Raw = false
	p.Dst = netip.AddrPortFrom(Broadcast4, p.Dst.Port())
	return false
}

func (e *Engine) write(ps []Packet) {
	for len(ps) > 0 {
		n, err := e.cfg.Conn.WriteBatch(ps)
		n = min(max(n, 0), len(ps))
		e.sent.Add(uint64(n))
		ps = ps[n:]
		switch {
		case len(ps) == 0:
			return
		case err != nil:
			// Skip the packet that failed and carry on with the rest.
			e.sendErrs.Add(1)
			e.log.Warn("engine: send failed", "to", ps[0].Dst, "error", err)
			ps = ps[1:]
		case n == 0:
			// A Conn that writes nothing and reports no error would
			// loop here for ever.
			e.sendErrs.Add(uint64(len(ps)))
			e.log.Warn("engine: send made no progress", "dropped", len(ps))
			return
		}
	}
}

// Send writes one packet outside the batch flow: a reply finished later,
// such as one a hook library parked. The caller makes any lease change
// durable first. Safe for concurrent use.
func (e *Engine) Send(p *Packet) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if p.Raw && e.writeRaw(p) {
		return
	}
	ps := [1]Packet{*p}
	e.write(ps[:])
}
