package api

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Role orders what a token may do: viewer reads, analyst also changes
// incidents, admin may do everything.
type Role int

// Roles, least privileged first.
const (
	RoleNone Role = iota
	RoleViewer
	RoleAnalyst
	RoleAdmin
)

var roleNames = map[string]Role{"viewer": RoleViewer, "analyst": RoleAnalyst, "admin": RoleAdmin}

func (r Role) String() string {
	for n, v := range roleNames {
		if v == r {
			return n
		}
	}
	return "none"
}

// ParseRole maps viewer, analyst or admin to a Role.
func ParseRole(s string) (Role, error) {
	if r, ok := roleNames[strings.ToLower(strings.TrimSpace(s))]; ok {
		return r, nil
	}
	return RoleNone, fmt.Errorf("unknown role %q (viewer, analyst, admin)", s)
}

// Token is one API credential. Only the SHA-256 of the secret is kept.
type Token struct {
	Name string
	Role Role
	Hash [sha256.Size]byte
}

// HashToken returns the hex SHA-256 of a bearer token, as the tokens file
// stores it.
func HashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// tokensFile is the YAML format of the tokens file:
//
//	tokens:
//	  - name: alice
//	    role: analyst
//	    sha256: <hex sha256 of the token>
type tokensFile struct {
	Tokens []struct {
		Name   string `yaml:"name"`
		Role   string `yaml:"role"`
		SHA256 string `yaml:"sha256"`
	} `yaml:"tokens"`
}

// LoadTokens reads tokens from a YAML file (path may be empty) and from
// the VIGIL_API_TOKENS format "name:role:token,..." (env may be empty).
// main reads the environment and passes the value.
func LoadTokens(path, env string) ([]Token, error) {
	var out []Token
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read tokens: %w", err)
		}
		ts, err := ParseTokensFile(b)
		if err != nil {
			return nil, fmt.Errorf("tokens file %s: %w", path, err)
		}
		out = append(out, ts...)
	}
	if env != "" {
		ts, err := ParseTokensEnv(env)
		if err != nil {
			return nil, fmt.Errorf("VIGIL_API_TOKENS: %w", err)
		}
		out = append(out, ts...)
	}
	names := map[string]bool{}
	for _, t := range out {
		if names[t.Name] {
			return nil, fmt.Errorf("duplicate token name %q", t.Name)
		}
		names[t.Name] = true
	}
	return out, nil
}

// ParseTokensFile decodes the YAML tokens file.
func ParseTokensFile(b []byte) ([]Token, error) {
	var f tokensFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse YAML: %w", err)
	}
	var out []Token
	for i, e := range f.Tokens {
		if e.Name == "" {
			return nil, fmt.Errorf("tokens[%d]: name is required", i)
		}
		r, err := ParseRole(e.Role)
		if err != nil {
			return nil, fmt.Errorf("tokens[%d] %s: %w", i, e.Name, err)
		}
		h, err := hex.DecodeString(strings.TrimSpace(e.SHA256))
		if err != nil || len(h) != sha256.Size {
			return nil, fmt.Errorf("tokens[%d] %s: sha256 must be 64 hex digits", i, e.Name)
		}
		t := Token{Name: e.Name, Role: r}
		copy(t.Hash[:], h)
		out = append(out, t)
	}
	return out, nil
}

// ParseTokensEnv decodes "name:role:token,..." (the token may contain ':').
func ParseTokensEnv(s string) ([]Token, error) {
	var out []Token
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		parts := strings.SplitN(item, ":", 3)
		if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
			return nil, fmt.Errorf("entry %d: want name:role:token", i)
		}
		r, err := ParseRole(parts[1])
		if err != nil {
			return nil, fmt.Errorf("entry %d (%s): %w", i, parts[0], err)
		}
		out = append(out, Token{Name: parts[0], Role: r, Hash: sha256.Sum256([]byte(parts[2]))})
	}
	if len(out) == 0 {
		return nil, errors.New("no tokens")
	}
	return out, nil
}

// authenticate finds the token for a presented secret. Every stored hash
// is compared in constant time so timing does not reveal which matched.
func authenticate(tokens []Token, secret string) (Token, bool) {
	h := sha256.Sum256([]byte(secret))
	var found Token
	var ok int
	for _, t := range tokens {
		if subtle.ConstantTimeCompare(h[:], t.Hash[:]) == 1 {
			found, ok = t, 1
		}
	}
	return found, ok == 1
}
