package logging

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"log/syslog"
	"os"
	"strings"
	"sync"
)

// sink is one output destination, shared by every logger that names it.
type sink struct {
	mu      sync.Mutex
	w       io.Writer
	buf     *bufio.Writer // non-nil when flush is off
	file    *os.File      // non-nil for file outputs
	path    string
	size    int64
	maxSize int64
	maxVer  int
	sys     *syslog.Writer
}

func openSink(o Output, stdout, stderr io.Writer) (*sink, error) {
	switch {
	case o.Output == "stdout":
		return &sink{w: stdout}, nil
	case o.Output == "stderr":
		return &sink{w: stderr}, nil
	case o.Output == "syslog" || strings.HasPrefix(o.Output, "syslog:"):
		tag := strings.TrimPrefix(strings.TrimPrefix(o.Output, "syslog"), ":")
		w, err := syslog.New(syslog.LOG_DAEMON|syslog.LOG_INFO, tag)
		if err != nil {
			return nil, fmt.Errorf("syslog: %w", err)
		}
		return &sink{sys: w}, nil
	case o.Output == "":
		return nil, fmt.Errorf("empty output")
	}
	f, err := os.OpenFile(o.Output, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	s := &sink{w: f, file: f, path: o.Output, size: st.Size(), maxSize: o.MaxSize, maxVer: o.MaxVer}
	if !o.Flush {
		s.buf = bufio.NewWriterSize(f, 8192)
		s.w = s.buf
	}
	return s, nil
}

func (s *sink) write(level slog.Level, line []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sys != nil {
		msg := string(line)
		switch {
		case level >= slog.LevelError:
			return s.sys.Err(msg)
		case level >= slog.LevelWarn:
			return s.sys.Warning(msg)
		case level >= slog.LevelInfo:
			return s.sys.Info(msg)
		}
		return s.sys.Debug(msg)
	}
	if s.file != nil && s.maxSize > 0 && s.size+int64(len(line)) > s.maxSize && s.size > 0 {
		if err := s.rotate(); err != nil {
			return err
		}
	}
	n, err := s.w.Write(line)
	s.size += int64(n)
	return err
}

// rotate renames path to path.1 (and path.1 to path.2 ... up to maxVer,
// dropping the oldest), then reopens path, as Kea's file appender does.
func (s *sink) rotate() error {
	if s.buf != nil {
		if err := s.buf.Flush(); err != nil {
			return err
		}
	}
	if err := s.file.Close(); err != nil {
		return err
	}
	if s.maxVer < 1 {
		if err := os.Truncate(s.path, 0); err != nil {
			return err
		}
	} else {
		for v := s.maxVer - 1; v >= 1; v-- {
			_ = os.Rename(fmt.Sprintf("%s.%d", s.path, v), fmt.Sprintf("%s.%d", s.path, v+1))
		}
		if err := os.Rename(s.path, s.path+".1"); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	s.file, s.size = f, 0
	if s.buf != nil {
		s.buf.Reset(f)
		s.w = s.buf
	} else {
		s.w = f
	}
	return nil
}

func (s *sink) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sys != nil {
		return s.sys.Close()
	}
	if s.file == nil {
		return nil
	}
	if s.buf != nil {
		if err := s.buf.Flush(); err != nil {
			s.file.Close()
			return err
		}
	}
	return s.file.Close()
}
