package daemon

import (
	"context"
	"fmt"

	"github.com/leasehold/leasehold/internal/logging"
)

// reload is SIGHUP: read the file again and switch to it, or keep the
// configuration in force when any step fails. As in Kea the hook libraries
// are reloaded even when their list did not change (their parameters or
// files may have) and the loggers are set up anew.
//
// The lease database cannot change on reload: the server keeps the store it
// was built with, so a new lease-database is refused (restart to change it).
func (d *daemon[C]) reload(ctx context.Context) {
	file := d.fl.file
	d.log.Info("initiating server reconfiguration after SIGHUP", "file", file)
	if err := d.reconfigure(ctx); err != nil {
		d.log.Error(fmt.Sprintf("configuration error using file: %s, reason: %v", file, err))
		d.log.Error(fmt.Sprintf("dynamic server reconfiguration failed with file: %s; the previous configuration stays in force", file))
		return
	}
	d.log.Info("dynamic server reconfiguration succeeded with file: " + file)
}

func (d *daemon[C]) reconfigure(ctx context.Context) error {
	cfg, warnings, err := d.f.load(d.fl.file)
	if err != nil {
		return err
	}
	if spec := d.f.storeSpec(cfg); !spec.same(d.store) {
		return fmt.Errorf("%s/lease-database: changed (file %s, persist %v, lfc-interval %d; in force: file %s, persist %v, lfc-interval %d), which needs a restart",
			d.f.Map, spec.path, spec.persist, spec.lfc, d.store.path, d.store.persist, d.store.lfc)
	}
	h, closeNew, err := logging.New(loggingConfig(d.f.Logger, d.f.Common(cfg).Loggers, d.fl.debug, d.p.Stdout, d.p.Stderr))
	if err != nil {
		return fmt.Errorf("%s/loggers: %w", d.f.Map, err)
	}
	hc := d.f.hooksConfig(d.f.Common(cfg))
	hc.Logger = d.component("hooks")
	if err := d.hooks.Reload(ctx, hc); err != nil {
		closeNew()
		return fmt.Errorf("%s/hooks-libraries: %w", d.f.Map, err)
	}
	if err := d.srv.Reconfigure(cfg); err != nil {
		// Back to the libraries of the configuration that stays.
		old := d.f.hooksConfig(d.f.Common(d.cfg))
		old.Logger = hc.Logger
		if rerr := d.hooks.Reload(ctx, old); rerr != nil {
			d.log.Error("reloading the previous hook libraries failed; the new configuration's libraries stay loaded", "error", rerr)
		}
		closeNew()
		return err
	}
	d.cfg = cfg
	closeOld := d.closeLog
	d.sh.swap(h)
	d.closeLog = closeNew
	if err := closeOld(); err != nil {
		d.log.Warn("closing the previous log outputs", "error", err)
	}
	for _, w := range warnings {
		d.log.Warn("configuration warning", "file", d.fl.file, "warning", w)
	}
	return nil
}
