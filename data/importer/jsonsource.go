package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// jsonlSource reads one JSON object per line, of any length.
type jsonlSource struct {
	r    *bufio.Reader
	line int
}

func (s *jsonlSource) next() (row, error) {
	for {
		text, err := s.readLine()
		if err != nil && (err != io.EOF || len(text) == 0) {
			return row{}, err
		}
		s.line++
		text = bytes.TrimSpace(text)
		if len(text) == 0 {
			continue
		}
		return objectRow(text, s.line), nil
	}
}

// readLine returns the next line without its newline; unlike
// bufio.Scanner it has no line length limit.
func (s *jsonlSource) readLine() ([]byte, error) {
	line, err := s.r.ReadSlice('\n')
	if err == nil || err == io.EOF {
		return bytes.Clone(line), err
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	buf := bytes.Clone(line)
	for {
		line, err = s.r.ReadSlice('\n')
		buf = append(buf, line...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return buf, err
		}
	}
}

// jsonArraySource streams the elements of a top-level JSON array. It
// finds element boundaries itself (tracking strings and nesting) so that
// it can name the line where each element starts and where a truncated
// file ends, then decodes each element on its own.
type jsonArraySource struct {
	r       *bufio.Reader
	line    int
	started bool
	done    bool
	buf     []byte
}

func (s *jsonArraySource) readByte() (byte, error) {
	c, err := s.r.ReadByte()
	if c == '\n' && err == nil {
		s.line++
	}
	return c, err
}

// skipSpace returns the next non-whitespace byte.
func (s *jsonArraySource) skipSpace() (byte, error) {
	for {
		c, err := s.readByte()
		if err != nil {
			return 0, err
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c, nil
		}
	}
}

func (s *jsonArraySource) next() (row, error) {
	if s.done {
		return row{}, io.EOF
	}
	c, err := s.skipSpace()
	if !s.started {
		if err != nil || c != '[' {
			return row{}, fmt.Errorf("line %d: expected a JSON array starting with [", s.line)
		}
		s.started = true
		if c, err = s.skipSpace(); err == nil && c == ']' {
			return row{}, s.end()
		}
	} else if err == nil {
		switch c {
		case ']':
			return row{}, s.end()
		case ',':
			c, err = s.skipSpace()
		default:
			return row{}, fmt.Errorf("line %d: expected , or ] between array elements, found %q", s.line, c)
		}
	}
	if err == io.EOF {
		return row{}, fmt.Errorf("line %d: truncated JSON array: missing ]", s.line)
	}
	if err != nil {
		return row{}, err
	}
	start := s.line
	if err := s.element(c); err != nil {
		if err == io.EOF {
			return row{}, fmt.Errorf("line %d: truncated JSON array: element starting at line %d is not closed", s.line, start)
		}
		return row{}, err
	}
	return objectRow(bytes.Clone(s.buf), start), nil
}

// element reads one array element starting with byte c into s.buf.
func (s *jsonArraySource) element(c byte) error {
	s.buf = append(s.buf[:0], c)
	if c != '{' && c != '[' {
		// A scalar ends at the next separator, which is put back.
		for {
			c, err := s.r.ReadByte()
			if err != nil {
				return err
			}
			if c == ',' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n' {
				return s.r.UnreadByte()
			}
			s.buf = append(s.buf, c)
		}
	}
	depth, inString, escaped := 1, false, false
	for depth > 0 {
		c, err := s.readByte()
		if err != nil {
			return err
		}
		s.buf = append(s.buf, c)
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// end checks that only whitespace follows the closing bracket.
func (s *jsonArraySource) end() error {
	s.done = true
	if c, err := s.skipSpace(); err == nil {
		return fmt.Errorf("line %d: unexpected %q after the JSON array", s.line, c)
	} else if err != io.EOF {
		return err
	}
	return io.EOF
}
