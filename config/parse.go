package config

import (
	"fmt"
	"path/filepath"
)

// Option adjusts Parse.
type Option func(*parseOptions)

type parseOptions struct {
	baseDir string
	name    string
}

// WithBaseDir sets the directory that relative <?include?> paths of the
// top-level text start from (default: the current directory). Paths in an
// included file are relative to that file's directory.
func WithBaseDir(dir string) Option { return func(o *parseOptions) { o.baseDir = dir } }

// WithFileName names the text in error positions (default "<input>").
func WithFileName(name string) Option { return func(o *parseOptions) { o.name = name } }

// Load reads and parses the configuration file at path. Includes are
// resolved relative to the file's directory.
func Load(path string) (*Config, error) {
	data, err := osReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: fmt.Sprintf("cannot read configuration: %v", err), Kind: ErrSyntax}
	}
	return Parse(data, WithBaseDir(filepath.Dir(path)), WithFileName(path))
}

// Parse parses and validates a configuration held in memory. The error,
// if any, is an *Error naming the JSON path and the source position.
func Parse(data []byte, opts ...Option) (*Config, error) {
	po := parseOptions{baseDir: "."}
	for _, o := range opts {
		o(&po)
	}
	lex := newLexer(po.name, po.baseDir, data, osReadFile)
	root, err := parseDocument(lex)
	if err != nil {
		return nil, err
	}
	cfg := &Config{Warnings: lex.warnings}
	top := &dec{}
	o := top.object(root, "", keys("Dhcp4 Dhcp6"), keaTopKeys)
	if top.failed() {
		return nil, top.err
	}
	if n := o.take("Dhcp4"); n != nil {
		d := &dec{}
		cfg.DHCP4 = d.dhcp4(n)
		cfg.Warnings = append(cfg.Warnings, d.warnings...)
		if d.failed() {
			return nil, d.err
		}
		cfg.DHCP4.JSON = toJSON(n)
	}
	if n := o.take("Dhcp6"); n != nil {
		d := &dec{v6: true}
		cfg.DHCP6 = d.dhcp6(n)
		cfg.Warnings = append(cfg.Warnings, d.warnings...)
		if d.failed() {
			return nil, d.err
		}
		cfg.DHCP6.JSON = toJSON(n)
	}
	if cfg.DHCP4 == nil && cfg.DHCP6 == nil {
		return nil, &Error{File: root.pos.file, Line: root.pos.line, Col: root.pos.col,
			Msg: "the configuration has neither a Dhcp4 nor a Dhcp6 map", Kind: ErrInvalid}
	}
	return cfg, nil
}
