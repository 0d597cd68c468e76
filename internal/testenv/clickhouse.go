package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ClickHouseEnv is a reachable ClickHouse server.
type ClickHouseEnv struct {
	// Addr is the native protocol address, host:port.
	Addr string
	// HTTPAddr is the HTTP interface address, host:port.
	HTTPAddr string
}

// ClickHouse returns the server named by VIGIL_CLICKHOUSE_ADDR (default
// 127.0.0.1:19000) and VIGIL_CLICKHOUSE_HTTP (default 127.0.0.1:18123) once
// it has answered a ping over the native protocol. It skips or, with
// CI=true, fails t when the server does not answer.
func ClickHouse(t testing.TB) *ClickHouseEnv {
	t.Helper()
	Integration(t)
	c := &ClickHouseEnv{
		Addr:     envOr(EnvClickHouseAddr, DefaultClickHouseAddr),
		HTTPAddr: envOr(EnvClickHouseHTTP, DefaultClickHouseHTTP),
	}
	conn, err := c.open("default", 3*time.Second)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err = conn.Ping(ctx)
		cancel()
		_ = conn.Close()
	}
	if err != nil {
		unavailable(t, "clickhouse", c.Addr, err)
	}
	return c
}

// Database creates a database with a unique name and drops it when the test
// ends.
func (c *ClickHouseEnv) Database(t testing.TB) string {
	t.Helper()
	name := uniqueName(t, "test")
	conn := c.Conn(t, "default")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("testenv: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		conn, err := c.open("default", 5*time.Second)
		if err != nil {
			t.Logf("testenv: drop database %s: %v", name, err)
			return
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" SYNC"); err != nil {
			t.Logf("testenv: drop database %s: %v", name, err)
		}
	})
	return name
}

// Conn opens a native-protocol connection (LZ4) with db as its default
// database and closes it when the test ends.
func (c *ClickHouseEnv) Conn(t testing.TB, db string) driver.Conn {
	t.Helper()
	conn, err := c.open(db, 10*time.Second)
	if err != nil {
		t.Fatalf("testenv: open clickhouse %s/%s: %v", c.Addr, db, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func (c *ClickHouseEnv) open(db string, dialTimeout time.Duration) (driver.Conn, error) {
	return clickhouse.Open(&clickhouse.Options{
		Addr:        []string{c.Addr},
		Protocol:    clickhouse.Native,
		Auth:        clickhouse.Auth{Database: db, Username: "default"},
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
		DialTimeout: dialTimeout,
	})
}
