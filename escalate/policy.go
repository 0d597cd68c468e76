package escalate

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/regosandbox"
)

//go:embed policy/confirm.rego
var defaultPolicy string

// DefaultPolicySource is the embedded auto-confirmation policy.
func DefaultPolicySource() string { return defaultPolicy }

// Policy decides auto-confirmation. It is compiled once and safe for
// concurrent use.
type Policy struct {
	name  string
	query rego.PreparedEvalQuery
}

// Decision is what the policy said about one incident.
type Decision struct {
	Confirm bool
	Reasons []string
}

// LoadPolicy reads and compiles a policy file; an empty path loads the
// embedded default.
func LoadPolicy(ctx context.Context, path string) (*Policy, error) {
	if path == "" {
		return CompilePolicy(ctx, "policy/confirm.rego", defaultPolicy)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	return CompilePolicy(ctx, path, string(b))
}

// CompilePolicy compiles a policy and checks that it yields a boolean
// data.vigil.escalate.confirm, so a bad policy is rejected at load rather
// than silently confirming nothing. It runs in the sandbox detections do:
// no network, environment or runtime access.
func CompilePolicy(ctx context.Context, name, src string) (*Policy, error) {
	q, err := rego.New(
		rego.Query("data.vigil.escalate"),
		rego.Module(name, src),
		rego.Capabilities(regosandbox.Capabilities()),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("compile policy %s: %w", name, err)
	}
	p := &Policy{name: name, query: q}
	if _, err := p.Decide(ctx, event.Incident{Status: event.StatusCandidate}, nil); err != nil {
		return nil, fmt.Errorf("check policy %s: %w", name, err)
	}
	return p, nil
}

// Decide evaluates the policy for an incident and its alerts.
func (p *Policy) Decide(ctx context.Context, inc event.Incident, alerts []event.Alert) (Decision, error) {
	input, err := policyInput(inc, alerts)
	if err != nil {
		return Decision{}, err
	}
	rs, err := p.query.Eval(ctx, rego.EvalInput(input))
	if err != nil {
		return Decision{}, fmt.Errorf("evaluate policy %s: %w", p.name, err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return Decision{}, errors.New("policy has no package vigil.escalate")
	}
	doc, ok := rs[0].Expressions[0].Value.(map[string]any)
	if !ok {
		return Decision{}, errors.New("data.vigil.escalate is not an object")
	}
	c, ok := doc["confirm"].(bool)
	if !ok {
		return Decision{}, errors.New("data.vigil.escalate.confirm is not a boolean (declare `default confirm := false`)")
	}
	d := Decision{Confirm: c}
	if rs, ok := doc["reasons"].([]any); ok {
		for _, r := range rs {
			if s, ok := r.(string); ok {
				d.Reasons = append(d.Reasons, s)
			}
		}
	}
	sort.Strings(d.Reasons)
	return d, nil
}

func policyInput(inc event.Incident, alerts []event.Alert) (map[string]any, error) {
	if alerts == nil {
		alerts = []event.Alert{}
	}
	b, err := json.Marshal(struct {
		Incident event.Incident `json:"incident"`
		Alerts   []event.Alert  `json:"alerts"`
	}{inc, alerts})
	if err != nil {
		return nil, fmt.Errorf("encode policy input: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode policy input: %w", err)
	}
	return m, nil
}
