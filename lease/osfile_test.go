package lease

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestOSFile(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("198.18.1.1,02:00:00:00:00:01,,4000,1800000000,1,0,0,,0,,0\n"), 5000)
	for _, tc := range []struct {
		name   string
		flag   int
		writes [][]byte
		want   string // file content; ignored when fails
		fails  bool   // Write and Sync fail with a *fs.PathError
	}{
		{"appends", os.O_WRONLY | os.O_APPEND, [][]byte{[]byte("a\n"), nil, []byte("b\n")}, "a\nb\n", false},
		{"large append", os.O_WRONLY | os.O_APPEND, [][]byte{big}, string(big), false},
		{"read-only file", os.O_RDONLY, [][]byte{[]byte("a\n")}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			of, err := os.OpenFile(p, tc.flag, 0)
			if err != nil {
				t.Fatal(err)
			}
			f := osFile{of}
			defer f.Close()
			for _, w := range tc.writes {
				n, err := f.Write(w)
				var pe *fs.PathError
				if tc.fails {
					if !errors.As(err, &pe) || pe.Op != "write" || pe.Path != p {
						t.Fatalf("Write error %v, want a write PathError for %s", err, p)
					}
					return
				}
				if err != nil || n != len(w) {
					t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(w))
				}
			}
			if err := f.Sync(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("file holds %d bytes, want %d", len(got), len(tc.want))
			}
		})
	}
	t.Run("closed", func(t *testing.T) {
		of, err := os.CreateTemp(dir, "closed")
		if err != nil {
			t.Fatal(err)
		}
		f := osFile{of}
		f.Close()
		var pe *fs.PathError
		if err := f.Sync(); !errors.As(err, &pe) || pe.Op != "fdatasync" {
			t.Errorf("Sync on a closed file: %v, want an fdatasync PathError", err)
		}
	})
}
