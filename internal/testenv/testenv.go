package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// Addresses of the local stack when no environment variable overrides them.
const (
	DefaultKafkaBrokers   = "127.0.0.1:19092"
	DefaultClickHouseAddr = "127.0.0.1:19000"
	DefaultClickHouseHTTP = "127.0.0.1:18123"
)

// Environment variables that point tests (and vigil) at other servers.
const (
	EnvKafkaBrokers   = "VIGIL_KAFKA_BROKERS"   // comma-separated host:port list
	EnvClickHouseAddr = "VIGIL_CLICKHOUSE_ADDR" // native protocol host:port
	EnvClickHouseHTTP = "VIGIL_CLICKHOUSE_HTTP" // HTTP interface host:port
)

// Integration skips t under `go test -short`. Kafka and ClickHouse call it, so
// -short runs only the tests that need no server.
func Integration(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
}

// unavailable ends a test whose server did not answer: a failure when CI=true,
// a skip otherwise.
func unavailable(t testing.TB, service, addr string, err error) {
	t.Helper()
	const hint = "start the local stack with `make stack-up` (or deploy/local/stack up), or point %s at a running server"
	var envVar string
	switch service {
	case "kafka":
		envVar = EnvKafkaBrokers
	default:
		envVar = EnvClickHouseAddr
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not reachable at %s: %v; "+hint, service, addr, err, envVar)
	}
	t.Skipf("%s not reachable at %s: %v; "+hint, service, addr, err, envVar)
}

func envOr(key, def string) string {
	if v := strings.TrimSpace(os.Getenv(key)); v != "" {
		return v
	}
	return def
}

// uniqueName returns prefix, a sanitized form of the test name and a random
// suffix, using only the characters in [a-zA-Z0-9_] so that it is valid both
// as a Kafka topic and as a ClickHouse identifier.
func uniqueName(t testing.TB, prefix string) string {
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteByte('_')
	for _, r := range t.Name() {
		if b.Len() >= 80 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	b.WriteByte('_')
	b.WriteString(hex.EncodeToString(suffix[:]))
	return b.String()
}
