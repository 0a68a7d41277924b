package config

import "fmt"

// Kea's configuration dialect of JSON: comments (#, //, /* */) anywhere a
// blank may stand, <?include "file"?> directives spliced in at token level,
// and extra commas after a list or map element (Kea warns and goes on; so
// does leasehold). Every value keeps its source position so that errors can
// name file:line:col as well as the JSON path.

type kind uint8

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kList
	kMap
)

func (k kind) String() string {
	return [...]string{"null", "boolean", "number", "string", "list", "map"}[k]
}

// node is one parsed JSON value.
type node struct {
	kind    kind
	pos     pos
	str     string // string value, or the literal text of a number
	boolean bool
	isInt   bool // a number without fraction or exponent
	list    []*node
	members []member // map members in source order
}

type member struct {
	key    string
	keyPos pos
	val    *node
}

// get returns the value of key in a map node, or nil.
func (n *node) get(key string) *node {
	for i := range n.members {
		if n.members[i].key == key {
			return n.members[i].val
		}
	}
	return nil
}

// parser builds nodes from tokens with one token of look-ahead.
type parser struct {
	lex  *lexer
	tok  token
	deep int
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	p.tok = t
	return err
}

func (p *parser) warnComma(t token) {
	p.lex.warnings = append(p.lex.warnings, fmt.Sprintf("%s: extraneous comma; a piece of configuration may have been omitted", t.pos))
}

func (p *parser) unexpected(want string) error {
	return syntaxErr(p.tok.pos, "unexpected %s, expecting %s", tokNames[p.tok.kind], want)
}

// parseDocument parses the whole input: one top-level map and nothing after
// it (an extra comma after the map is tolerated, as Kea does).
func parseDocument(lex *lexer) (*node, error) {
	p := &parser{lex: lex}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tLBrace {
		return nil, p.unexpected("'{' (the configuration must be a map)")
	}
	root, err := p.value("")
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tComma {
		p.warnComma(p.tok)
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if p.tok.kind != tEOF {
		return nil, p.unexpected("end of input")
	}
	return root, nil
}

func (p *parser) value(path string) (*node, error) {
	t := p.tok
	n := &node{pos: t.pos}
	switch t.kind {
	case tokString:
		n.kind, n.str = kString, t.text
	case tokNumber:
		n.kind, n.str, n.isInt = kNumber, t.text, t.isInt
	case tTrue, tFalse:
		n.kind, n.boolean = kBool, t.kind == tTrue
	case tNull:
		n.kind = kNull
	case tLBrace:
		return p.object(path)
	case tLBracket:
		return p.array(path)
	default:
		return nil, p.unexpected("a value")
	}
	return n, p.advance()
}

func (p *parser) enter(at pos) error {
	p.deep++
	if p.deep > maxNesting {
		return syntaxErr(at, "maps and lists nested more than %d deep", maxNesting)
	}
	return nil
}

func (p *parser) object(path string) (*node, error) {
	n := &node{kind: kMap, pos: p.tok.pos}
	if err := p.enter(n.pos); err != nil {
		return nil, err
	}
	defer func() { p.deep-- }()
	if err := p.advance(); err != nil {
		return nil, err
	}
	for p.tok.kind != tRBrace {
		if p.tok.kind != tokString {
			return nil, p.unexpected("a quoted key or '}'")
		}
		key, keyPos := p.tok.text, p.tok.pos
		for _, m := range n.members {
			if m.key == key {
				return nil, syntaxErr(keyPos, "duplicate key %q in %s (first at %s)", key, pathOrTop(path), m.keyPos)
			}
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != tColon {
			return nil, p.unexpected("':'")
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		v, err := p.value(joinPath(path, key))
		if err != nil {
			return nil, err
		}
		n.members = append(n.members, member{key: key, keyPos: keyPos, val: v})
		if p.tok.kind == tRBrace {
			break
		}
		if p.tok.kind != tComma {
			return nil, p.unexpected("',' or '}'")
		}
		if err := p.commas(tRBrace); err != nil {
			return nil, err
		}
	}
	return n, p.advance()
}

// commas consumes the comma after an element and any extra ones, warning
// about each extra comma and about a comma right before the closing token.
func (p *parser) commas(closing tokKind) error {
	first := true
	for p.tok.kind == tComma {
		comma := p.tok
		if err := p.advance(); err != nil {
			return err
		}
		if !first || p.tok.kind == closing {
			p.warnComma(comma)
		}
		first = false
	}
	return nil
}

func (p *parser) array(path string) (*node, error) {
	n := &node{kind: kList, pos: p.tok.pos}
	if err := p.enter(n.pos); err != nil {
		return nil, err
	}
	defer func() { p.deep-- }()
	if err := p.advance(); err != nil {
		return nil, err
	}
	for p.tok.kind != tRBracket {
		v, err := p.value(fmt.Sprintf("%s[%d]", path, len(n.list)))
		if err != nil {
			return nil, err
		}
		n.list = append(n.list, v)
		if p.tok.kind == tRBracket {
			break
		}
		if p.tok.kind != tComma {
			return nil, p.unexpected("',' or ']'")
		}
		if err := p.commas(tRBracket); err != nil {
			return nil, err
		}
	}
	return n, p.advance()
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "/" + key
}

func pathOrTop(path string) string {
	if path == "" {
		return "the top-level map"
	}
	return path
}
