package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// fileRecord is one raw record read from a log file, with its 1-based line.
type fileRecord struct {
	Value []byte
	Line  int
}

// readFileRecords splits a log file into records. JSON lines and text logs
// (syslog) give one record per non-empty line; a file holding pretty-printed
// or concatenated JSON values (a CloudTrail file, a JSON array of events)
// gives one record per value, arrays split into their elements.
func readFileRecords(path string) ([]fileRecord, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return nil, nil
	}
	if (trimmed[0] == '{' || trimmed[0] == '[') && !allLinesJSON(data) {
		recs, err := jsonValues(data)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		return recs, nil
	}
	return lines(data)
}

func allLinesJSON(data []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if !json.Valid(line) {
			return false
		}
	}
	return sc.Err() == nil
}

func lines(data []byte) ([]fileRecord, error) {
	var out []fileRecord
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimRight(sc.Bytes(), "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		out = append(out, fileRecord{Value: bytes.Clone(line), Line: n})
	}
	return out, sc.Err()
}

func jsonValues(data []byte) ([]fileRecord, error) {
	var out []fileRecord
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		start := skipSpace(data, int(dec.InputOffset()))
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("JSON value at line %d: %w", lineOf(data, start), err)
		}
		line := lineOf(data, start)
		if len(raw) > 0 && raw[0] == '[' {
			var elems []json.RawMessage
			if err := json.Unmarshal(raw, &elems); err != nil {
				return out, fmt.Errorf("JSON array at line %d: %w", line, err)
			}
			for _, e := range elems {
				out = append(out, fileRecord{Value: compact(e), Line: line})
			}
			continue
		}
		out = append(out, fileRecord{Value: compact(raw), Line: line})
	}
}

func compact(raw []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return bytes.Clone(raw)
	}
	return b.Bytes()
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r' || data[i] == ',') {
		i++
	}
	return i
}

func lineOf(data []byte, offset int) int {
	if offset > len(data) {
		offset = len(data)
	}
	return bytes.Count(data[:offset], []byte{'\n'}) + 1
}
