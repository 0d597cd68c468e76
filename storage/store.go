package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigil-soc/vigil/event"
)

// ErrNotFound is returned by reads of one record that does not exist.
var ErrNotFound = errors.New("storage: not found")

// Store reads and writes vigil's tables in one ClickHouse database.
type Store struct {
	cfg  Config
	log  *slog.Logger
	m    *metrics
	conn driver.Conn

	queryOnce sync.Once
	queryConn driver.Conn // default database set, for Query
	queryErr  error

	events, alerts, incidents, timeline, deliveries *batcher
	// signals are rows of the alerts table too, batched as events are:
	// one per failed sign-in or MFA push, nobody waits for them, and an
	// INSERT every alert_batch_wait for them would cost the server more
	// than the rows.
	signals *batcher

	abort     context.CancelFunc
	closeOnce sync.Once
	closeErr  error
}

// Open connects to ClickHouse, checks that it answers, applies migrations
// when cfg.Migrate is set and starts the table batchers. cfg gets its
// defaults; reg may be nil.
func Open(ctx context.Context, cfg Config, logger *slog.Logger, reg prometheus.Registerer) (*Store, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	conn, err := clickhouse.Open(cfg.options(""))
	if err != nil {
		return nil, fmt.Errorf("open clickhouse %v: %w", cfg.Addr, err)
	}
	s := &Store{cfg: cfg, log: logger, conn: conn, m: newMetrics(reg)}
	if err := s.Ping(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	if cfg.Migrate {
		if err := s.Migrate(ctx); err != nil {
			conn.Close()
			return nil, err
		}
	}
	abortCtx, abort := context.WithCancel(context.Background())
	s.abort = abort
	start := func(table string, wait time.Duration, encode func() (*chunk, error)) *batcher {
		c, err := encode()
		if err != nil {
			panic(err) // encoding no rows cannot fail
		}
		return newBatcher(table, cfg.Database, c.names, wait, conn, &s.cfg, logger, s.m, abortCtx)
	}
	s.events = start("events", s.cfg.BatchWait, func() (*chunk, error) { return encodeEvents(nil, eventEncoding{}) })
	s.alerts = start("alerts", s.cfg.AlertBatchWait, func() (*chunk, error) { return encodeAlerts(nil) })
	s.signals = start("alerts", s.cfg.BatchWait, func() (*chunk, error) { return encodeAlerts(nil) })
	s.incidents = start("incidents", s.cfg.AlertBatchWait, func() (*chunk, error) { return encodeIncidents(nil) })
	s.timeline = start("incident_timeline", s.cfg.AlertBatchWait, func() (*chunk, error) { return encodeTimeline(nil) })
	s.deliveries = start("deliveries", s.cfg.AlertBatchWait, func() (*chunk, error) { return encodeDeliveries(nil) })
	return s, nil
}

// maxConns bounds the pool; every connection may also stay idle, so that
// one is never closed and reopened between two INSERTs under load.
const maxConns = 16

// options builds the client options; database "" connects to the server's
// default database (every statement of the store names its database).
func (c *Config) options(database string) *clickhouse.Options {
	proto := clickhouse.Native
	if c.Protocol == "http" {
		proto = clickhouse.HTTP
	}
	// Validate rejects an unknown method; options is only built from a
	// validated Config.
	compression, _ := ClientCompression(c.Compression)
	return &clickhouse.Options{
		Protocol:        proto,
		Addr:            c.Addr,
		Auth:            clickhouse.Auth{Database: database, Username: c.Username, Password: c.Password},
		Compression:     compression,
		DialTimeout:     c.DialTimeout,
		ReadTimeout:     max(c.QueryTimeout, time.Minute),
		MaxOpenConns:    maxConns,
		MaxIdleConns:    maxConns,
		ConnMaxLifetime: time.Hour,
		ClientInfo: clickhouse.ClientInfo{Products: []struct {
			Name    string
			Version string
		}{{Name: "vigil-storage", Version: "1"}}},
	}
}

// ClientCompression returns the client option for a compression setting:
// "lz4", "zstd" or "none" ("" is lz4, the default).
func ClientCompression(name string) (*clickhouse.Compression, error) {
	switch name {
	case "", "lz4":
		return &clickhouse.Compression{Method: clickhouse.CompressionLZ4}, nil
	case "zstd":
		return &clickhouse.Compression{Method: clickhouse.CompressionZSTD}, nil
	case "none":
		return &clickhouse.Compression{Method: clickhouse.CompressionNone}, nil
	}
	return nil, fmt.Errorf("%q is not lz4, zstd or none", name)
}

// Ping checks that the server answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.conn.Ping(ctx); err != nil {
		return fmt.Errorf("ping clickhouse %v: %w", s.cfg.Addr, err)
	}
	return nil
}

// Close stops accepting writes, flushes every queued row (retrying for up
// to storage.flush_timeout while the server is unreachable; rows still
// unwritten then fail their callers with ErrClosed) and closes the
// connections.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		bs := []*batcher{s.events, s.alerts, s.signals, s.incidents, s.timeline, s.deliveries}
		if s.events != nil {
			for _, b := range bs {
				b.close()
			}
			t := time.AfterFunc(s.cfg.FlushTimeout, s.abort)
			for _, b := range bs {
				<-b.done
			}
			t.Stop()
			s.abort()
		}
		s.closeErr = s.conn.Close()
		if s.queryConn != nil {
			s.queryConn.Close()
		}
	})
	return s.closeErr
}

// WriteEvents stores events and returns once they are durable. Events are
// idempotent by event.id (see README "Idempotence").
func (s *Store) WriteEvents(ctx context.Context, evs []event.Event) error {
	return write(ctx, s.events, evs, func(evs []event.Event) (*chunk, error) {
		return encodeEvents(evs, eventEncoding{
			original:  s.cfg.StoreOriginal,
			vendorMap: s.cfg.VendorFields != VendorFieldsDoc,
		})
	})
}

// WriteAlerts stores alerts; a re-emitted alert (same id, higher count)
// replaces the earlier row. Signals are batched as events are (batch_wait),
// the others with alert_batch_wait; it returns once both are durable.
func (s *Store) WriteAlerts(ctx context.Context, alerts []event.Alert) error {
	var signals []event.Alert
	visible := alerts
	if slices.ContainsFunc(alerts, func(a event.Alert) bool { return a.Signal }) {
		visible = nil
		for _, a := range alerts {
			if a.Signal {
				signals = append(signals, a)
			} else {
				visible = append(visible, a)
			}
		}
	}
	if len(signals) == 0 {
		return write(ctx, s.alerts, visible, encodeAlerts)
	}
	done := make(chan error, 1)
	go func() { done <- write(ctx, s.signals, signals, encodeAlerts) }()
	err := write(ctx, s.alerts, visible, encodeAlerts)
	return errors.Join(err, <-done)
}

// WriteIncidents stores incident versions; the highest version is current.
func (s *Store) WriteIncidents(ctx context.Context, incs []event.Incident) error {
	return write(ctx, s.incidents, incs, encodeIncidents)
}

// AppendTimeline stores timeline entries, once per entry id.
func (s *Store) AppendTimeline(ctx context.Context, entries []event.TimelineEntry) error {
	return write(ctx, s.timeline, entries, encodeTimeline)
}

// WriteDeliveries stores outbox rows; the highest version of a key is its
// current state.
func (s *Store) WriteDeliveries(ctx context.Context, ds []event.Delivery) error {
	return write(ctx, s.deliveries, ds, encodeDeliveries)
}

// withSettings adds query settings to ctx.
func withSettings(ctx context.Context, settings map[string]any) context.Context {
	return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings(settings)))
}
