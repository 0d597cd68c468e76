package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigil-soc/vigil/storage"
)

// ClickHouse is the server the benchmark stores into and queries.
type ClickHouse struct {
	Addr     []string
	Username string
	Password string
	// Compression is vigil's storage.compression, so that the ceiling's
	// copy sends its blocks as vigil does ("" is lz4).
	Compression string
}

// Open connects to database db over the native protocol.
func (c ClickHouse) Open(ctx context.Context, db string) (driver.Conn, error) {
	compression, err := storage.ClientCompression(c.Compression)
	if err != nil {
		return nil, fmt.Errorf("storage.compression: %w", err)
	}
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:         c.Addr,
		Protocol:     clickhouse.Native,
		Auth:         clickhouse.Auth{Database: db, Username: c.Username, Password: c.Password},
		Compression:  compression,
		DialTimeout:  10 * time.Second,
		ReadTimeout:  5 * time.Minute,
		MaxOpenConns: 8,
	})
	if err != nil {
		return nil, fmt.Errorf("open clickhouse %v: %w", c.Addr, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := conn.Ping(pctx); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("ping clickhouse %v: %w", c.Addr, err)
	}
	return conn, nil
}

// CreateDatabase creates db (if missing).
func (c ClickHouse) CreateDatabase(ctx context.Context, db string) error {
	conn, err := c.Open(ctx, "default")
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS `"+db+"`"); err != nil {
		return fmt.Errorf("create database %s: %w", db, err)
	}
	return nil
}

// DropDatabase drops db.
func (c ClickHouse) DropDatabase(ctx context.Context, db string) error {
	conn, err := c.Open(ctx, "default")
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS `"+db+"` SYNC"); err != nil {
		return fmt.Errorf("drop database %s: %w", db, err)
	}
	return nil
}
