//go:build tools

package tools

import (
	_ "github.com/ClickHouse/clickhouse-go/v2"
	_ "github.com/open-policy-agent/opa/v1/rego"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/segmentio/kafka-go"
	_ "github.com/sourcegraph/conc"
	_ "gopkg.in/yaml.v3"
)
