package harness

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// PolicySet describes a detection set built for one run.
type PolicySet struct {
	Dir        string   `json:"-"`
	Detections int      `json:"detections"`
	Library    int      `json:"library_detections"` // taken from the library as they are
	Variants   int      `json:"variants"`           // templated copies that (almost) never match
	IDs        []string `json:"-"`                  // library detection ids in the set
}

type detectionFile struct {
	family, name, path, pkg, id string
}

var (
	rePackage = regexp.MustCompile(`(?m)^package\s+(\S+)`)
	reID      = regexp.MustCompile(`"id"\s*:\s*"([^"]+)"`)
	reString  = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
	// Conditions a detection is keyed on, most selective first; the
	// variant builder changes the string literals of the first that occurs.
	keyConds = []*regexp.Regexp{
		regexp.MustCompile(`^\s*input\.event\.(action|code)\s*(==|in)\s*.*"`),
		regexp.MustCompile(`^\s*input\.(process|winlog|user|dns|url|tls)\.[a-z_.]+\s*(==|in)\s*.*"`),
		regexp.MustCompile(`^\s*(input\.[a-z_.]+|lib\.[a-z_]+\([^)]*\))\s*(==|in)\s*.*"`),
		regexp.MustCompile(`^\s*(startswith|endswith)\(input\.[a-z_.]+,\s*"`),
	}
)

// LibraryDetections lists the detections (detections/<family>/<name>.rego)
// of a policy directory.
func LibraryDetections(src string) ([]detectionFile, error) {
	var out []detectionFile
	root := filepath.Join(src, "detections")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") || strings.HasSuffix(p, "_test.rego") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		pm, im := rePackage.FindSubmatch(b), reID.FindSubmatch(b)
		if pm == nil || im == nil {
			return nil // a helper module, not a detection
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, detectionFile{
			family: filepath.Dir(rel), name: strings.TrimSuffix(filepath.Base(p), ".rego"),
			path: p, pkg: string(pm[1]), id: string(im[1]),
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read detections of %s: %w", src, err)
	}
	return out, nil
}

// spread orders detections round robin over their families (each family
// sorted by id), so that a small subset still covers every log source.
func spread(ds []detectionFile) []detectionFile {
	byFam := map[string][]detectionFile{}
	var fams []string
	for _, d := range ds {
		if _, ok := byFam[d.family]; !ok {
			fams = append(fams, d.family)
		}
		byFam[d.family] = append(byFam[d.family], d)
	}
	slices.Sort(fams)
	for _, f := range fams {
		slices.SortFunc(byFam[f], func(a, b detectionFile) int { return strings.Compare(a.id, b.id) })
	}
	var out []detectionFile
	for i := 0; len(out) < len(ds); i++ {
		for _, f := range fams {
			if i < len(byFam[f]) {
				out = append(out, byFam[f][i])
			}
		}
	}
	return out
}

// BuildPolicySet writes a policy directory with exactly n detections to
// dst: lib/, data/, correlations/ and everything else of src as they are;
// with n at most the library's size, the first n detections spread over
// the families, with their tests and fixtures; with more, the whole library
// and n−library variants — copies of library detections with a new package
// and id whose key literal is changed so that they never (or rarely) match,
// the cost of a large rule set without its alerts.
func BuildPolicySet(src, dst string, n int) (*PolicySet, error) {
	lib, err := LibraryDetections(src)
	if err != nil {
		return nil, err
	}
	if len(lib) == 0 {
		return nil, fmt.Errorf("no detections in %s/detections", src)
	}
	order := spread(lib)
	keep := order[:min(n, len(order))]
	if err := copyTree(src, dst, func(rel string) bool {
		return rel == "detections" || rel == "fixtures" || strings.HasSuffix(rel, ".go")
	}); err != nil {
		return nil, err
	}
	// A set of none still has the folder, as the library has.
	if err := os.MkdirAll(filepath.Join(dst, "detections"), 0o755); err != nil {
		return nil, err
	}
	ps := &PolicySet{Dir: dst}
	for _, d := range keep {
		rel, _ := filepath.Rel(src, d.path)
		test := strings.TrimSuffix(d.path, ".rego") + "_test.rego"
		files := [][2]string{{d.path, filepath.Join(dst, rel)}}
		if _, err := os.Stat(test); err == nil {
			files = append(files, [2]string{test, filepath.Join(dst, strings.TrimSuffix(rel, ".rego")+"_test.rego")})
		}
		for _, ext := range []string{".yaml", ".yml"} {
			fx := filepath.Join(src, "fixtures", d.id+ext)
			if _, err := os.Stat(fx); err == nil {
				files = append(files, [2]string{fx, filepath.Join(dst, "fixtures", d.id+ext)})
			}
		}
		for _, f := range files {
			if err := copyFile(f[0], f[1]); err != nil {
				return nil, err
			}
		}
		ps.IDs = append(ps.IDs, d.id)
		ps.Library++
	}
	for i := 0; ps.Library+ps.Variants < n; i++ {
		if i >= 20*len(order) {
			return nil, fmt.Errorf("could build only %d of %d variants: no detection has a key literal to change", ps.Variants, n-ps.Library)
		}
		base := order[i%len(order)]
		ok, err := writeVariant(base, filepath.Join(dst, "detections"), ps.Variants+1)
		if err != nil {
			return nil, err
		}
		if ok {
			ps.Variants++
		}
	}
	ps.Detections = ps.Library + ps.Variants
	return ps, nil
}

// Variant returns the Rego of variant k of a detection, or false when no
// key condition with a string literal was found.
func Variant(src []byte, k int) ([]byte, bool) {
	suffix := fmt.Sprintf("_bv%d", k)
	lines := strings.Split(string(src), "\n")
	changed := false
	for _, re := range keyConds {
		for i, l := range lines {
			if !re.MatchString(l) || strings.Contains(l, "event.dataset") {
				continue
			}
			lines[i] = reString.ReplaceAllString(l, `"${1}#bench`+suffix+`"`)
			changed = true
		}
		if changed {
			break
		}
	}
	if !changed {
		return nil, false
	}
	out := strings.Join(lines, "\n")
	out = rePackage.ReplaceAllString(out, "package ${1}"+suffix)
	out = reID.ReplaceAllString(out, `"id": "${1}-`+strings.TrimPrefix(suffix, "_")+`"`)
	return []byte(out), true
}

func writeVariant(d detectionFile, detDir string, k int) (bool, error) {
	b, err := os.ReadFile(d.path)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", d.path, err)
	}
	v, ok := Variant(b, k)
	if !ok {
		return false, nil
	}
	p := filepath.Join(detDir, d.family, fmt.Sprintf("%s_bv%d.rego", d.name, k))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return false, err
	}
	return true, os.WriteFile(p, v, 0o644)
}

func copyTree(src, dst string, skip func(rel string) bool) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel != "." && skip(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		return copyFile(p, filepath.Join(dst, rel))
	})
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("read %s: %w", from, err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", to, err)
	}
	return nil
}
