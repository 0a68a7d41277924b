//go:build !linux

package hooks

import "time"

type rawIO struct{}

func (s *socketLink) initRaw() {}

// read reads into b; spinning is for Linux only.
func (s *socketLink) read(b []byte, _ time.Duration) (int, error) { return s.c.Read(b) }

func (s *socketLink) write(b []byte) error {
	_, err := s.c.Write(b)
	return err
}
