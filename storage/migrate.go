package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one embedded file: migrations/NNN_name.sql.
type migration struct {
	Version int
	Name    string
	text    string
}

var migrationName = regexp.MustCompile(`^(\d{3})_([a-z0-9_]+)\.sql$`)

// migrations lists the embedded migrations in version order.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %s: name is not NNN_name.sql", e.Name())
		}
		b, err := migrationFS.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		v, _ := strconv.Atoi(m[1])
		out = append(out, migration{Version: v, Name: m[2], text: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %03d_%s: versions must run 1, 2, 3, ... without gaps", m.Version, m.Name)
		}
	}
	return out, nil
}

// SchemaVersion is the newest schema version this binary knows.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// templateData is what migration templates see.
type templateData struct {
	Database      string
	Cluster       string
	RetentionDays int
}

// OnCluster is " ON CLUSTER `name`" in cluster mode, else "".
func (d templateData) OnCluster() string {
	if d.Cluster == "" {
		return ""
	}
	return " ON CLUSTER `" + d.Cluster + "`"
}

// Local names the table that stores rows: the table itself on a single
// server, table_local under a Distributed table of the table's name on a
// cluster.
func (d templateData) Local(table string) string {
	if d.Cluster == "" {
		return table
	}
	return table + "_local"
}

// Engine renders a MergeTree-family engine: Name(args) on a single server,
// ReplicatedName('/clickhouse/tables/{shard}/{database}/{table}',
// '{replica}', args) on a cluster (the server expands the macros).
func (d templateData) Engine(name string, args ...string) string {
	if d.Cluster == "" {
		return name + "(" + strings.Join(args, ", ") + ")"
	}
	all := append([]string{"'/clickhouse/tables/{shard}/{database}/{table}'", "'{replica}'"}, args...)
	return "Replicated" + name + "(" + strings.Join(all, ", ") + ")"
}

// DedupSetting keeps the ids of the last 10,000 inserted blocks so that a
// retried INSERT with the same insert_deduplication_token is dropped.
func (d templateData) DedupSetting() string {
	if d.Cluster == "" {
		return "non_replicated_deduplication_window = 10000"
	}
	return "replicated_deduplication_window = 10000"
}

// Distributed renders, on a cluster only, the Distributed table that
// readers and writers use, named like the table, over table_local on every
// shard; key chooses the shard so that all rows of one id meet on one shard
// (where ReplacingMergeTree can collapse them).
func (d templateData) Distributed(table, key string) string {
	if d.Cluster == "" {
		return ""
	}
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS `%s`.`%s`%s AS `%s`.`%s`\nENGINE = Distributed(`%s`, `%s`, `%s`, %s)",
		d.Database, table, d.OnCluster(), d.Database, d.Local(table), d.Cluster, d.Database, d.Local(table), key)
}

// Global is "GLOBAL " on a cluster, for IN and JOIN over Distributed
// tables; "" on a single server.
func (d templateData) Global() string {
	if d.Cluster == "" {
		return ""
	}
	return "GLOBAL "
}

// render expands a migration and splits it into statements.
func (m migration) render(d templateData) ([]string, error) {
	t, err := template.New(m.Name).Option("missingkey=error").Parse(m.text)
	if err != nil {
		return nil, fmt.Errorf("parse migration %03d_%s: %w", m.Version, m.Name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("render migration %03d_%s: %w", m.Version, m.Name, err)
	}
	return splitStatements(buf.String()), nil
}

// splitStatements splits SQL at semicolons that end a line, dropping
// statements that are empty or only comments.
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		s := strings.TrimSpace(cur.String())
		cur.Reset()
		if s == "" {
			return
		}
		for _, line := range strings.Split(s, "\n") {
			l := strings.TrimSpace(line)
			if l != "" && !strings.HasPrefix(l, "--") {
				out = append(out, s)
				return
			}
		}
	}
	for _, line := range strings.SplitAfter(sql, "\n") {
		trimmed := strings.TrimRight(line, " \t\r\n")
		if strings.HasSuffix(trimmed, ";") {
			cur.WriteString(strings.TrimSuffix(trimmed, ";"))
			flush()
			continue
		}
		cur.WriteString(line)
	}
	flush()
	return out
}

func checksum(stmts []string) string {
	h := sha256.New()
	for _, s := range stmts {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// ErrSchemaTooNew means the database was migrated by a newer vigil.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// Migrate creates the database and applies pending migrations in order,
// recording each in schema_migrations. Every statement is idempotent (IF
// NOT EXISTS, CREATE OR REPLACE VIEW), so a migration interrupted half-way
// is simply applied again. A database whose recorded version is newer than
// SchemaVersion() is refused.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	d := s.templateData()
	db := "`" + d.Database + "`"
	if err := s.conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+db+d.OnCluster()); err != nil {
		return fmt.Errorf("create database %s: %w", d.Database, err)
	}
	engine := "ReplacingMergeTree(applied_at)"
	if d.Cluster != "" {
		// One copy on every node of the cluster, not one per shard.
		engine = "ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/{table}', '{replica}', applied_at)"
	}
	if err := s.conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+db+".schema_migrations"+d.OnCluster()+
		" (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))"+
		" ENGINE = "+engine+" ORDER BY version"); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	current, err := s.schemaVersion(ctx)
	if err != nil {
		return err
	}
	latest := ms[len(ms)-1].Version
	if current > latest {
		return fmt.Errorf("%w: database %s is at schema version %d, this vigil knows up to version %d; run a newer vigil",
			ErrSchemaTooNew, d.Database, current, latest)
	}
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		stmts, err := m.render(d)
		if err != nil {
			return err
		}
		s.log.Info("applying migration", "version", m.Version, "name", m.Name, "statements", len(stmts))
		for i, stmt := range stmts {
			if err := s.conn.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("apply migration %03d_%s statement %d: %w", m.Version, m.Name, i+1, err)
			}
		}
		if err := s.conn.Exec(ctx, "INSERT INTO "+db+".schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
			uint32(m.Version), m.Name, checksum(stmts), time.Now().UTC()); err != nil {
			return fmt.Errorf("record migration %03d_%s: %w", m.Version, m.Name, err)
		}
	}
	return s.applyRetention(ctx)
}

// schemaVersion is the highest recorded migration, 0 for none.
func (s *Store) schemaVersion(ctx context.Context) (int, error) {
	var v uint32
	row := s.conn.QueryRow(ctx, "SELECT max(version) FROM `"+s.cfg.Database+"`.schema_migrations")
	if err := row.Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v), nil
}

// applyRetention changes the events TTL when storage.retention_days differs
// from the table's, without rewriting existing parts
// (materialize_ttl_after_modify = 0: old parts expire by the new TTL as
// merges and the partition drops reach them).
func (s *Store) applyRetention(ctx context.Context) error {
	d := s.templateData()
	var create string
	row := s.conn.QueryRow(ctx, "SELECT create_table_query FROM system.tables WHERE database = ? AND name = ?",
		d.Database, d.Local("events"))
	if err := row.Scan(&create); err != nil {
		return fmt.Errorf("read events table definition: %w", err)
	}
	// The server shows the TTL as toIntervalDay(N).
	if strings.Contains(create, fmt.Sprintf("toIntervalDay(%d)", d.RetentionDays)) ||
		strings.Contains(create, fmt.Sprintf("INTERVAL %d DAY", d.RetentionDays)) {
		return nil
	}
	s.log.Info("changing events retention", "days", d.RetentionDays)
	ctx = withSettings(ctx, map[string]any{"materialize_ttl_after_modify": 0})
	stmt := fmt.Sprintf("ALTER TABLE `%s`.`%s`%s MODIFY TTL toDateTime(timestamp) + INTERVAL %d DAY",
		d.Database, d.Local("events"), d.OnCluster(), d.RetentionDays)
	if err := s.conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("change events retention: %w", err)
	}
	return nil
}

func (s *Store) templateData() templateData {
	return templateData{Database: s.cfg.Database, Cluster: s.cfg.Cluster, RetentionDays: s.cfg.RetentionDays}
}
