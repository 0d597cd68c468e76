package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Result is a query's columns and rows, every value as text.
type Result struct {
	Columns []string
	Types   []string
	Rows    [][]string
	// Truncated is set when the result was cut at storage.query_max_rows.
	Truncated bool
}

// Query runs an analyst's read-only SQL (`vigil query`) in the store's
// database: the server enforces readonly = 1, so INSERT, ALTER, DROP and
// setting changes are refused. Arguments fill ? placeholders, except a
// Params argument, which fills {name:Type} placeholders. At most
// storage.query_max_rows rows are returned.
func (s *Store) Query(ctx context.Context, sql string, args ...any) (*Result, error) {
	s.queryOnce.Do(func() {
		s.queryConn, s.queryErr = clickhouse.Open(s.cfg.options(s.cfg.Database))
	})
	if s.queryErr != nil {
		return nil, fmt.Errorf("open query connection: %w", s.queryErr)
	}
	ctx, cancel := s.readCtx(ctx)
	defer cancel()
	opts := []clickhouse.QueryOption{clickhouse.WithSettings(clickhouse.Settings{
		"readonly":           1,
		"max_execution_time": int(s.cfg.QueryTimeout.Seconds()),
	})}
	var positional []any
	for _, a := range args {
		if p, ok := a.(Params); ok {
			opts = append(opts, clickhouse.WithParameters(clickhouse.Parameters(p)))
			continue
		}
		positional = append(positional, a)
	}
	ctx = clickhouse.Context(ctx, opts...)
	rows, err := s.queryConn.Query(ctx, sql, positional...)
	if err != nil {
		return nil, fmt.Errorf("run query: %w", err)
	}
	defer rows.Close()
	types := rows.ColumnTypes()
	res := &Result{Columns: rows.Columns()}
	dest := make([]any, len(types))
	for i, t := range types {
		res.Types = append(res.Types, t.DatabaseTypeName())
		dest[i] = reflect.New(t.ScanType()).Interface()
	}
	for rows.Next() {
		if len(res.Rows) >= s.cfg.QueryMaxRows {
			res.Truncated = true
			break
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("scan query row: %w", err)
		}
		row := make([]string, len(dest))
		for i, d := range dest {
			v := reflect.ValueOf(d).Elem().Interface()
			if t, ok := v.(time.Time); ok && (res.Types[i] == "Date" || res.Types[i] == "Date32") {
				row[i] = t.Format(time.DateOnly)
				continue
			}
			row[i] = formatValue(v)
		}
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("run query: %w", err)
	}
	return res, nil
}

// formatValue renders a scanned value as text: times in RFC 3339 (UTC),
// NULL for nil, composite values as JSON.
func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	case net.IP:
		if a, ok := netip.AddrFromSlice(x); ok {
			return a.Unmap().String()
		}
		return x.String()
	case netip.Addr:
		return x.Unmap().String()
	case []byte:
		return string(x)
	case fmt.Stringer:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return "NULL"
		}
		return formatValue(rv.Elem().Interface())
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Struct:
		b, err := json.Marshal(v)
		if err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(v)
}

// Params are server-side query parameters: pass one as an argument of
// Query to fill {name:Type} placeholders.
type Params map[string]string
