package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"
	"gopkg.in/yaml.v3"

	"github.com/vigil-soc/vigil/policies"
)

// Layout of a policy directory (and of the embedded policies).
const (
	dataDir     = "data"
	fixturesDir = "fixtures"
	// detectionsRoot is the package every detection lives under.
	detectionsRoot = "data.vigil.detections"
	// aggregatePkg is the generated package holding every finding rule.
	aggregatePkg  = "data.vigil.engine"
	aggregateRule = "findings"
	findingRule   = "finding"
	metadataRule  = "metadata"
)

// reservedData are names under data.vigil that data files may not use.
var reservedData = map[string]bool{"detections": true, "lib": true, "engine": true, "correlations": true}

// source is where a policy set is read from.
type source struct {
	label  string // directory or "embedded", for messages
	fsys   fs.FS
	data   fs.FS
	dataAt string // label of the data root
}

func newSource(policyDir, dataDirPath string) (source, error) {
	var s source
	if policyDir == "" {
		s.label = "policies"
		s.fsys = policies.FS
	} else {
		if st, err := os.Stat(policyDir); err != nil {
			return s, fmt.Errorf("open policy dir: %w", err)
		} else if !st.IsDir() {
			return s, fmt.Errorf("open policy dir: %s is not a directory", policyDir)
		}
		s.label = policyDir
		s.fsys = os.DirFS(policyDir)
	}
	if dataDirPath == "" {
		sub, err := fs.Sub(s.fsys, dataDir)
		if err != nil {
			return s, fmt.Errorf("open data dir: %w", err)
		}
		s.data = sub
		s.dataAt = path.Join(s.label, dataDir)
	} else {
		s.data = os.DirFS(dataDirPath)
		s.dataAt = dataDirPath
	}
	return s, nil
}

// files is a policy set as read from its source, not yet compiled.
type files struct {
	modules  map[string]*ast.Module // detections and libraries, by file name
	tests    map[string]*ast.Module // *_test.rego
	data     map[string]any         // mounted under data.vigil
	fixtures []fixtureFile
	version  string
}

// errorList collects file:line: message problems.
type errorList []string

func (l *errorList) add(file string, line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		*l = append(*l, fmt.Sprintf("%s:%d: %s", file, line, msg))
	} else {
		*l = append(*l, fmt.Sprintf("%s: %s", file, msg))
	}
}

func (l errorList) err() error {
	if len(l) == 0 {
		return nil
	}
	return errors.New(strings.Join(l, "\n"))
}

// astErrors converts compiler errors to file:line: message lines.
func astErrors(label string, err error) errorList {
	var out errorList
	var errs ast.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			if e.Location != nil {
				out.add(path.Join(label, e.Location.File), e.Location.Row, "%s", e.Message)
			} else {
				out.add(label, 0, "%s", e.Message)
			}
		}
		return out
	}
	out.add(label, 0, "%v", err)
	return out
}

// readFiles reads and parses every policy, data file and fixture of src.
func readFiles(src source) (*files, error) {
	f := &files{
		modules: map[string]*ast.Module{},
		tests:   map[string]*ast.Module{},
		data:    map[string]any{},
	}
	var problems errorList
	h := sha256.New()
	var regoPaths []string
	err := fs.WalkDir(src.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == dataDir || p == fixturesDir || p == "correlations" || strings.HasPrefix(d.Name(), ".") && p != "." {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".rego") {
			regoPaths = append(regoPaths, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read policies in %s: %w", src.label, err)
	}
	sort.Strings(regoPaths)
	for _, p := range regoPaths {
		b, err := fs.ReadFile(src.fsys, p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path.Join(src.label, p), err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
		m, err := ast.ParseModuleWithOpts(p, string(b), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			problems = append(problems, astErrors(src.label, err)...)
			continue
		}
		if strings.HasSuffix(p, "_test.rego") {
			f.tests[p] = m
		} else {
			f.modules[p] = m
		}
	}

	var dataPaths []string
	err = fs.WalkDir(src.data, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == "." {
				return fs.SkipAll
			}
			return err
		}
		switch path.Ext(p) {
		case ".json", ".yaml", ".yml":
			if !d.IsDir() {
				dataPaths = append(dataPaths, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read data in %s: %w", src.dataAt, err)
	}
	sort.Strings(dataPaths)
	for _, p := range dataPaths {
		b, err := fs.ReadFile(src.data, p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path.Join(src.dataAt, p), err)
		}
		fmt.Fprintf(h, "data/%s\x00%d\x00", p, len(b))
		h.Write(b)
		v, err := decodeData(p, b)
		if err != nil {
			problems.add(path.Join(src.dataAt, p), 0, "%v", err)
			continue
		}
		keys := strings.Split(strings.TrimSuffix(p, path.Ext(p)), "/")
		if reservedData[keys[0]] {
			problems.add(path.Join(src.dataAt, p), 0, "data.vigil.%s is reserved for policies", keys[0])
			continue
		}
		if err := mount(f.data, keys, v); err != nil {
			problems.add(path.Join(src.dataAt, p), 0, "%v", err)
		}
	}
	f.version = hex.EncodeToString(h.Sum(nil)[:8])

	fx, fxProblems := readFixtures(src)
	f.fixtures = fx
	problems = append(problems, fxProblems...)
	if len(problems) > 0 {
		return f, problems.err()
	}
	return f, nil
}

func decodeData(p string, b []byte) (any, error) {
	var v any
	if path.Ext(p) == ".json" {
		if err := util.UnmarshalJSON(b, &v); err != nil {
			return nil, err
		}
		return v, nil
	}
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	// Normalise YAML types (ints, map[string]any) to what JSON decoding gives.
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := util.UnmarshalJSON(j, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// mount places v at keys in root, merging objects.
func mount(root map[string]any, keys []string, v any) error {
	m := root
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k]
		if !ok {
			n := map[string]any{}
			m[k] = n
			m = n
			continue
		}
		n, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("data.vigil path %s is not an object", strings.Join(keys, "."))
		}
		m = n
	}
	last := keys[len(keys)-1]
	if old, ok := m[last]; ok {
		om, ok1 := old.(map[string]any)
		nm, ok2 := v.(map[string]any)
		if !ok1 || !ok2 {
			return fmt.Errorf("data.vigil.%s defined twice", strings.Join(keys, "."))
		}
		for k, x := range nm {
			if _, dup := om[k]; dup {
				return fmt.Errorf("data.vigil.%s.%s defined twice", strings.Join(keys, "."), k)
			}
			om[k] = x
		}
		return nil
	}
	m[last] = v
	return nil
}

// fingerprint summarises names, sizes and modification times of every file
// under the source directories, for Watch.
func fingerprint(dirs ...string) string {
	h := sha256.New()
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		_ = fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			fmt.Fprintf(h, "%s\x00%s\x00%d\x00%d\n", dir, p, info.Size(), info.ModTime().UnixNano())
			return nil
		})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// isDetection reports whether m is a detection module: a package under
// data.vigil.detections with a finding rule.
func isDetection(m *ast.Module) bool {
	if !strings.HasPrefix(m.Package.Path.String(), detectionsRoot+".") {
		return false
	}
	for _, r := range m.Rules {
		if r.Head.Name.String() == findingRule || (len(r.Head.Reference) > 0 && r.Head.Reference[0].String() == findingRule) {
			return true
		}
	}
	return false
}
