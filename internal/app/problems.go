package app

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a configuration, named by its path
// (for example "storage.addr").
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// ConfigError lists every problem found in a configuration file.
type ConfigError struct {
	File     string
	Problems []Problem
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "config %s: %d problem(s)", e.File, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// problemsFrom turns a section's Validate error into problems. Joined errors
// become one problem each; a message that does not already start with the
// section's path is given it.
func problemsFrom(section string, err error) []Problem {
	if err == nil {
		return nil
	}
	var leaves []error
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, inner := range j.Unwrap() {
				walk(inner)
			}
			return
		}
		leaves = append(leaves, e)
	}
	walk(err)
	var out []Problem
	for _, leaf := range leaves {
		for _, line := range strings.Split(leaf.Error(), "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			out = append(out, splitProblem(section, line))
		}
	}
	return out
}

func splitProblem(section, line string) Problem {
	if path, msg, ok := strings.Cut(line, ": "); ok && !strings.Contains(path, " ") {
		if !strings.HasPrefix(path, section+".") && path != section {
			path = section + "." + path
		}
		return Problem{Path: path, Message: msg}
	}
	return Problem{Path: section, Message: line}
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Path < ps[j].Path })
}

var errNoConfig = errors.New("no configuration file given")
