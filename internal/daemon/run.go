package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/leasehold/leasehold/hooks"
	"github.com/leasehold/leasehold/internal/logging"
)

// ShutdownTimeout bounds how long SIGTERM waits for in-flight packets, the
// last lease sync and the hook libraries' unload before the daemon exits.
const ShutdownTimeout = 10 * time.Second

// Process is what a daemon run talks to: its output streams and the
// signals it obeys. The zero value is the real process's.
type Process struct {
	Stdout, Stderr io.Writer
	// Signals delivers SIGHUP (reload), SIGTERM and SIGINT (shut down).
	// nil: the process's own signals.
	Signals <-chan os.Signal
}

// Main runs the daemon on the process's command line and exits with its
// exit code.
func Main[C any](f Family[C]) {
	os.Exit(Run(f, os.Args[1:], Process{}))
}

// Run runs a daemon on the command line args (without the program name)
// and returns its exit code: 0 when it did what was asked, 1 when the
// command line, the configuration or the start-up failed, as Kea's.
func Run[C any](f Family[C], args []string, p Process) int {
	if p.Stdout == nil {
		p.Stdout = os.Stdout
	}
	if p.Stderr == nil {
		p.Stderr = os.Stderr
	}
	fl, err := parseFlags(f.Program, args)
	if err != nil {
		fmt.Fprintln(p.Stderr, err)
		printUsage(p.Stderr, f.Program, f.Title)
		return 1
	}
	switch fl.mode {
	case modeVersion:
		fmt.Fprintln(p.Stdout, versionString())
		return 0
	case modeExtVersion:
		fmt.Fprint(p.Stdout, extendedVersion())
		return 0
	case modeHelp:
		printUsage(p.Stdout, f.Program, f.Title)
		return 0
	}
	d := &daemon[C]{f: f, fl: fl, p: p}
	if fl.mode == modeCheck || fl.mode == modeDeepCheck {
		return d.check()
	}
	return d.run()
}

// daemon is one run of a daemon: what it loaded and what it runs.
type daemon[C any] struct {
	f  Family[C]
	fl flags
	p  Process

	sh       *swapHandler
	log      *slog.Logger
	closeLog func() error

	cfg   C
	store storeSpec
	hooks *hooks.Manager
	srv   Server[C]
}

// bootLogger sets up logging before the configuration is read: the root
// logger at INFO (DEBUG with -d) on stdout, as Kea starts.
func (d *daemon[C]) bootLogger() error {
	h, closeFn, err := logging.New(loggingConfig(d.f.Logger, nil, d.fl.debug, d.p.Stdout, d.p.Stderr))
	if err != nil {
		return err
	}
	d.sh, d.closeLog = newSwapHandler(h), closeFn
	d.log = slog.New(d.sh)
	return nil
}

// check is -t and -T.
func (d *daemon[C]) check() int {
	if err := d.bootLogger(); err != nil {
		fmt.Fprintf(d.p.Stderr, "%s: logging: %v\n", d.f.Program, err)
		return 1
	}
	defer d.closeLog()
	cfg, warnings, err := d.f.load(d.fl.file)
	if err != nil {
		fmt.Fprintln(d.p.Stderr, checkOutput(err))
		return 1
	}
	for _, w := range warnings {
		d.log.Warn("configuration warning", "file", d.fl.file, "warning", w)
	}
	if d.fl.mode == modeDeepCheck {
		if err := d.deepCheck(cfg); err != nil {
			fmt.Fprintln(d.p.Stderr, checkOutput(err))
			return 1
		}
	}
	d.log.Info("configuration check passed", "file", d.fl.file, "deep", d.fl.mode == modeDeepCheck)
	return 0
}

// deepCheck is what -T adds to -t: open the lease file (loading every
// lease in it) and load the hook libraries, then release both.
func (d *daemon[C]) deepCheck(cfg C) error {
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	spec := d.f.storeSpec(cfg)
	store, err := spec.open(ctx, d.f.V6, d.component("dhcpsrv"))
	if err != nil {
		return err
	}
	if err := store.Close(); err != nil {
		return fmt.Errorf("lease file %s: %w", spec.path, err)
	}
	hc := d.f.hooksConfig(d.f.Common(cfg))
	hc.Logger = d.component("hooks")
	m, err := hooks.New(ctx, hc)
	if err != nil {
		return fmt.Errorf("%s/hooks-libraries: %w", d.f.Map, err)
	}
	return m.Close(ctx)
}

// component returns the logger of one of Kea's child loggers
// ("kea-dhcp4.hooks"), so a configuration can route it on its own.
func (d *daemon[C]) component(name string) *slog.Logger {
	return d.log.With(logging.LoggerKey, d.f.Logger+"."+name)
}

// run is -c: start, serve, reload on SIGHUP, stop on SIGTERM/SIGINT.
func (d *daemon[C]) run() int {
	sigs := d.p.Signals
	if sigs == nil {
		ch := make(chan os.Signal, 4)
		signal.Notify(ch, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
		defer signal.Stop(ch)
		sigs = ch
	}
	if err := d.bootLogger(); err != nil {
		fmt.Fprintf(d.p.Stderr, "%s: logging: %v\n", d.f.Program, err)
		return 1
	}
	defer func() { d.closeLog() }()
	d.log.Info(fmt.Sprintf("leasehold %s server version %s starting", d.f.Title, versionString()))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := d.start(ctx); err != nil {
		d.log.Error("failed to initialize the server", "file", d.fl.file, "error", err)
		fmt.Fprintf(d.p.Stderr, "%s: failed to initialize the server with file '%s': %v\n", d.f.Program, d.fl.file, err)
		return 1
	}
	served := make(chan error, 1)
	go func() { served <- d.srv.Serve(ctx) }()
	started := fmt.Sprintf("leasehold %s server version %s started", d.f.Title, versionString())
	var ready <-chan struct{} // nil once the start line is out
	if r, ok := d.srv.(Readier); ok {
		ready = r.Ready()
	} else {
		d.log.Info(started)
	}

	for {
		select {
		case <-ready:
			d.log.Info(started)
			ready = nil
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				d.reload(ctx)
				continue
			}
			d.log.Info("server shutdown", "signal", sig.String())
			return d.stop(cancel, served)
		case err := <-served:
			return d.failed(ctx, err)
		}
	}
}

// failed handles Serve returning without being asked to: the server
// cannot go on.
func (d *daemon[C]) failed(ctx context.Context, err error) int {
	d.log.Error("server stopped unexpectedly", "error", err)
	fmt.Fprintf(d.p.Stderr, "%s: server stopped unexpectedly: %v\n", d.f.Program, err)
	d.release(ctx)
	return 1
}

// start loads the configuration, applies its loggers, opens the lease
// store, loads the hook libraries and builds the server. On error whatever
// was opened is released again.
func (d *daemon[C]) start(ctx context.Context) (err error) {
	cfg, warnings, err := d.f.load(d.fl.file)
	if err != nil {
		return fmt.Errorf("configuration error: %w", err)
	}
	if err := d.applyLoggers(cfg); err != nil {
		return err
	}
	for _, w := range warnings {
		d.log.Warn("configuration warning", "file", d.fl.file, "warning", w)
	}
	defer func() {
		if err != nil {
			d.release(ctx)
		}
	}()
	d.cfg, d.store = cfg, d.f.storeSpec(cfg)
	st, err := d.store.open(ctx, d.f.V6, d.component("dhcpsrv"))
	if err != nil {
		return err
	}
	d.store.m = st
	hc := d.f.hooksConfig(d.f.Common(cfg))
	hc.Logger = d.component("hooks")
	if d.hooks, err = hooks.New(ctx, hc); err != nil {
		return fmt.Errorf("%s/hooks-libraries: %w", d.f.Map, err)
	}
	srv, err := d.f.New(cfg, Deps{Store: st, Hooks: d.hooks, Logger: d.log, Port: d.fl.port, ClientPort: d.fl.clientPort})
	if err != nil {
		return err
	}
	if srv == nil {
		return errors.New("the server constructor returned no server")
	}
	d.srv = srv
	return nil
}

// applyLoggers switches logging to the configuration's loggers.
func (d *daemon[C]) applyLoggers(cfg C) error {
	h, closeFn, err := logging.New(loggingConfig(d.f.Logger, d.f.Common(cfg).Loggers, d.fl.debug, d.p.Stdout, d.p.Stderr))
	if err != nil {
		return fmt.Errorf("%s/loggers: %w", d.f.Map, err)
	}
	old := d.closeLog
	d.sh.swap(h)
	d.closeLog = closeFn
	if err := old(); err != nil {
		d.log.Warn("closing the previous log outputs", "error", err)
	}
	return nil
}

// stop shuts the server down (in-flight packets finish, the store is
// synced), then closes the store and unloads the hook libraries.
func (d *daemon[C]) stop(cancel context.CancelFunc, served <-chan error) int {
	ctx, stopTimer := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer stopTimer()
	code := 0
	if err := d.srv.Shutdown(ctx); err != nil {
		d.log.Error("server shutdown failed", "error", err)
		code = 1
	}
	select {
	case err := <-served:
		if err != nil && !errors.Is(err, context.Canceled) {
			d.log.Warn("server stopped with an error", "error", err)
		}
	case <-ctx.Done():
		d.log.Error("server did not stop in time", "timeout", ShutdownTimeout.String())
		code = 1
	}
	if d.f.Stats != nil {
		d.log.LogAttrs(ctx, slog.LevelInfo, "server statistics", d.f.Stats(d.srv)...)
	}
	cancel()
	if !d.release(ctx) {
		code = 1
	}
	return code
}

// release closes the lease store and unloads the hook libraries; it
// reports whether both went cleanly.
func (d *daemon[C]) release(ctx context.Context) bool {
	ok := true
	if d.store.m != nil {
		if err := d.store.m.Close(); err != nil {
			d.log.Error("closing the lease database", "file", d.store.path, "error", err)
			ok = false
		}
		d.store.m = nil
	}
	if d.hooks != nil {
		if err := d.hooks.Close(ctx); err != nil {
			d.log.Error("unloading the hook libraries", "error", err)
			ok = false
		}
		d.hooks = nil
	}
	return ok
}
