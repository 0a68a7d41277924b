package config

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

const (
	maxIncludeDepth = 10  // Kea's limit on nested includes
	maxNesting      = 256 // maps and lists inside each other
)

// source is one file (or the caller's buffer) being read.
type source struct {
	name string // shown in positions
	abs  string // absolute path for loop detection; "" for a buffer
	dir  string // base directory for relative includes
	data []byte
	off  int
	line int
	col  int
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tLBrace
	tRBrace
	tLBracket
	tRBracket
	tColon
	tComma
	tokString
	tokNumber
	tTrue
	tFalse
	tNull
)

var tokNames = [...]string{"end of input", "'{'", "'}'", "'['", "']'", "':'", "','", "string", "number", "true", "false", "null"}

type token struct {
	kind  tokKind
	pos   pos
	text  string // decoded string or number literal
	isInt bool
}

// lexer reads tokens from a stack of sources: the top one is the innermost
// include being read.
type lexer struct {
	stack    []*source
	readFile func(string) ([]byte, error)
	warnings []string
}

func newLexer(name, dir string, data []byte, readFile func(string) ([]byte, error)) *lexer {
	abs := ""
	if name != "" {
		if a, err := filepath.Abs(name); err == nil {
			abs = a
		}
	} else {
		name = "<input>"
	}
	return &lexer{
		stack:    []*source{{name: name, abs: abs, dir: dir, data: data, line: 1, col: 1}},
		readFile: readFile,
	}
}

func (s *source) pos() pos { return pos{s.name, s.line, s.col} }

func (s *source) advance(n int) {
	for i := 0; i < n && s.off < len(s.data); i++ {
		if s.data[s.off] == '\n' {
			s.line++
			s.col = 1
		} else {
			s.col++
		}
		s.off++
	}
}

func (s *source) hasPrefix(p string) bool {
	return strings.HasPrefix(string(s.data[s.off:min(len(s.data), s.off+len(p))]), p)
}

// skip passes blanks, comments and include directives; it pops finished
// includes. It stops at the next token or at the end of the outermost source.
func (l *lexer) skip() error {
	for {
		s := l.stack[len(l.stack)-1]
		if s.off >= len(s.data) {
			if len(l.stack) == 1 {
				return nil
			}
			l.stack = l.stack[:len(l.stack)-1]
			continue
		}
		c := s.data[s.off]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			s.advance(1)
		case c == '#' || s.hasPrefix("//"):
			for s.off < len(s.data) && s.data[s.off] != '\n' {
				s.advance(1)
			}
		case s.hasPrefix("/*"):
			start := s.pos()
			s.advance(2)
			for !s.hasPrefix("*/") {
				if s.off >= len(s.data) {
					return syntaxErr(start, "comment not closed")
				}
				s.advance(1)
			}
			s.advance(2)
		case s.hasPrefix("<?"):
			if err := l.include(s); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

// include handles <?include "file"?> at the current position of s.
func (l *lexer) include(s *source) error {
	start := s.pos()
	s.advance(2)
	skipBlanks := func() {
		for s.off < len(s.data) && (s.data[s.off] == ' ' || s.data[s.off] == '\t') {
			s.advance(1)
		}
	}
	skipBlanks()
	if !s.hasPrefix("include") {
		return syntaxErr(start, "unknown directive (only <?include \"file\"?> is known)")
	}
	s.advance(len("include"))
	skipBlanks()
	if s.off >= len(s.data) || s.data[s.off] != '"' {
		return syntaxErr(start, "include directive needs a quoted file name")
	}
	s.advance(1)
	begin := s.off
	for s.off < len(s.data) && s.data[s.off] != '"' && s.data[s.off] != '\n' {
		s.advance(1)
	}
	if s.off >= len(s.data) || s.data[s.off] != '"' || s.off == begin {
		return syntaxErr(start, "include directive needs a quoted file name")
	}
	name := string(s.data[begin:s.off])
	s.advance(1)
	skipBlanks()
	if !s.hasPrefix("?>") {
		return syntaxErr(start, "directive not closed (missing ?>)")
	}
	s.advance(2)

	if len(l.stack) > maxIncludeDepth {
		return syntaxErr(start, "too many nested includes (more than %d)", maxIncludeDepth)
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(s.dir, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return syntaxErr(start, "include %q: %v", name, err)
	}
	for _, o := range l.stack {
		if o.abs == abs {
			return syntaxErr(start, "include loop: %s includes %s, which is already being read", s.name, path)
		}
	}
	data, err := l.readFile(path)
	if err != nil {
		return syntaxErr(start, "cannot read include file: %v", err)
	}
	l.stack = append(l.stack, &source{name: path, abs: abs, dir: filepath.Dir(abs), data: data, line: 1, col: 1})
	return nil
}

func (l *lexer) next() (token, error) {
	if err := l.skip(); err != nil {
		return token{}, err
	}
	s := l.stack[len(l.stack)-1]
	p := s.pos()
	if s.off >= len(s.data) {
		return token{kind: tEOF, pos: p}, nil
	}
	c := s.data[s.off]
	if k := punctuation(c); k != tEOF {
		s.advance(1)
		return token{kind: k, pos: p}, nil
	}
	switch {
	case c == '"':
		str, err := lexString(s)
		return token{kind: tokString, pos: p, text: str}, err
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return lexNumber(s)
	}
	for _, kw := range []struct {
		word string
		kind tokKind
	}{{"true", tTrue}, {"false", tFalse}, {"null", tNull}} {
		if s.hasPrefix(kw.word) {
			s.advance(len(kw.word))
			return token{kind: kw.kind, pos: p}, nil
		}
	}
	r, _ := utf8.DecodeRune(s.data[s.off:])
	return token{}, syntaxErr(p, "unexpected character %q", r)
}

func lexString(s *source) (string, error) {
	start := s.pos()
	s.advance(1)
	var b strings.Builder
	for {
		if s.off >= len(s.data) {
			return "", syntaxErr(start, "string not closed")
		}
		c := s.data[s.off]
		switch {
		case c == '"':
			s.advance(1)
			return b.String(), nil
		case c < 0x20:
			return "", syntaxErr(s.pos(), "control character %#02x in a string", c)
		case c == '\\':
			if s.off+1 >= len(s.data) {
				return "", syntaxErr(start, "string not closed")
			}
			esc := s.data[s.off+1]
			if r, ok := simpleEscape(esc); ok {
				b.WriteByte(r)
				s.advance(2)
				continue
			}
			if esc != 'u' {
				return "", syntaxErr(s.pos(), "bad escape \\%c in a string", esc)
			}
			r, n, err := lexUnicodeEscape(s.data[s.off:])
			if err != nil {
				return "", syntaxErr(s.pos(), "%v", err)
			}
			b.WriteRune(r)
			s.advance(n)
		default:
			b.WriteByte(c)
			s.advance(1)
		}
	}
}

func punctuation(c byte) tokKind {
	switch c {
	case '{':
		return tLBrace
	case '}':
		return tRBrace
	case '[':
		return tLBracket
	case ']':
		return tRBracket
	case ':':
		return tColon
	case ',':
		return tComma
	}
	return tEOF
}

func simpleEscape(c byte) (byte, bool) {
	switch c {
	case '"', '\\', '/':
		return c, true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
}

// lexUnicodeEscape decodes \uXXXX (and a following low surrogate) at the
// start of data; it returns the rune and the bytes consumed.
func lexUnicodeEscape(data []byte) (rune, int, error) {
	hex4 := func(b []byte) (rune, bool) {
		if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(b[2:6]), 16, 16)
		return rune(v), err == nil
	}
	r, ok := hex4(data)
	if !ok {
		return 0, 0, fmt.Errorf("bad unicode escape (want \\u and four hex digits)")
	}
	if utf16.IsSurrogate(r) {
		if r2, ok := hex4(data[6:]); ok {
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				return d, 12, nil
			}
		}
		return utf8.RuneError, 6, nil
	}
	return r, 6, nil
}

// lexNumber reads Kea's number forms: integers (-?[0-9]+) and reals with an
// optional sign, optional digits around an optional dot and an optional
// exponent (Kea accepts ".5" and "+1.0").
func lexNumber(s *source) (token, error) {
	p := s.pos()
	i := s.off
	d := s.data
	if d[i] == '-' || d[i] == '+' {
		i++
	}
	digits := 0
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
		digits++
	}
	isInt := d[s.off] != '+'
	if i < len(d) && d[i] == '.' {
		isInt = false
		i++
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return token{}, syntaxErr(p, "malformed number")
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		isInt = false
		i++
		if i < len(d) && (d[i] == '-' || d[i] == '+') {
			i++
		}
		exp := 0
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return token{}, syntaxErr(p, "malformed number exponent")
		}
	}
	text := string(d[s.off:i])
	if isInt {
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			return token{}, syntaxErr(p, "integer %s out of range", text)
		}
	} else if _, err := strconv.ParseFloat(text, 64); err != nil {
		return token{}, syntaxErr(p, "bad number %s", text)
	}
	s.advance(i - s.off)
	return token{kind: tokNumber, pos: p, text: text, isInt: isInt}, nil
}

// maxFileSize bounds a configuration or include file.
const maxFileSize = 64 << 20

// osReadFile reads a configuration file: a regular file of at most
// maxFileSize bytes, so that an include of a device or a FIFO fails
// instead of hanging or eating memory.
func osReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxFileSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err == nil && len(data) > maxFileSize {
		err = fmt.Errorf("%s is larger than %d bytes", path, maxFileSize)
	}
	return data, err
}
