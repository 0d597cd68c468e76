package storage

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/vigil-soc/vigil/internal/testenv"
)

func TestMigrations(t *testing.T) {
	s, env, db := testStore(t)
	ctx := ctxT(t)
	latest := SchemaVersion()
	if latest < 5 {
		t.Fatalf("SchemaVersion() = %d", latest)
	}
	migrated := func() (uint64, uint64) {
		var n uint64
		var v uint32
		if err := s.conn.QueryRow(ctx, "SELECT count(), max(version) FROM `"+db+"`.schema_migrations FINAL").Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		return n, uint64(v)
	}

	t.Run("fresh", func(t *testing.T) {
		if n, v := migrated(); n != uint64(latest) || v != uint64(latest) {
			t.Errorf("schema_migrations: %d rows, max %d; want %d", n, v, latest)
		}
		for _, table := range []string{"events", "alerts", "incidents", "incident_versions", "incident_timeline", "deliveries",
			"incidents_latest", "incident_evidence", "alerts_per_detection_daily", "top_entities_by_risk"} {
			var n uint64
			if err := s.conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = ?", db, table).Scan(&n); err != nil || n != 1 {
				t.Errorf("table %s missing (%v)", table, err)
			}
		}
	})

	t.Run("re-run", func(t *testing.T) {
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := migrated(); n != uint64(latest) {
			t.Errorf("schema_migrations has %d rows after a re-run, want %d", n, latest)
		}
		// Every statement is idempotent on its own: applying them all
		// again (an interrupted migration re-run) works.
		ms, _ := migrations()
		for _, m := range ms {
			stmts, err := m.render(s.templateData())
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range stmts {
				if err := s.conn.Exec(ctx, st); err != nil {
					t.Errorf("migration %d re-applied: %v", m.Version, err)
				}
			}
		}
	})

	t.Run("retention change", func(t *testing.T) {
		s2, err := Open(ctx, Config{Addr: []string{env.Addr}, Database: db, Migrate: true, RetentionDays: 30}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		var create string
		if err := s.conn.QueryRow(ctx, "SELECT create_table_query FROM system.tables WHERE database = ? AND name = 'events'", db).Scan(&create); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(create, "toIntervalDay(30)") {
			t.Errorf("events TTL not changed: %s", create[strings.Index(create, "TTL"):])
		}
	})

	t.Run("newer schema refused", func(t *testing.T) {
		if err := s.conn.Exec(ctx, "INSERT INTO `"+db+"`.schema_migrations (version, name, checksum, applied_at) VALUES (?, 'from_the_future', '', now64(3))", uint32(latest+1)); err != nil {
			t.Fatal(err)
		}
		err := s.Migrate(ctx)
		if !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("Migrate = %v, want ErrSchemaTooNew", err)
		}
		for _, want := range []string{fmt.Sprintf("version %d", latest+1), fmt.Sprintf("version %d", latest), db} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %q", err, want)
			}
		}
		_, err = Open(ctx, Config{Addr: []string{env.Addr}, Database: db, Migrate: true}, nil, nil)
		if !errors.Is(err, ErrSchemaTooNew) {
			t.Errorf("Open with migrate = %v, want ErrSchemaTooNew", err)
		}
	})
}

// TestClusterSQL renders every migration for a cluster and has the server
// parse each statement (there is no cluster to run them on).
func TestClusterSQL(t *testing.T) {
	env := testenv.ClickHouse(t)
	conn := env.Conn(t, "default")
	ctx := ctxT(t)
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	d := templateData{Database: "vigil", Cluster: "soc", RetentionDays: 90}
	var all []string
	for _, m := range ms {
		stmts, err := m.render(d)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, stmts...)
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{
		"CREATE TABLE IF NOT EXISTS `vigil`.`events_local` ON CLUSTER `soc`",
		"ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', version)",
		"ENGINE = Distributed(`soc`, `vigil`, `events_local`, cityHash64(tenant, event_id))",
		"replicated_deduplication_window = 10000",
		"GLOBAL IN",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("cluster DDL lacks %q", want)
		}
	}
	for _, st := range all {
		var formatted string
		if err := conn.QueryRow(ctx, "SELECT formatQuery(?)", st).Scan(&formatted); err != nil {
			t.Errorf("server cannot parse:\n%s\n%v", st, err)
		}
		if strings.HasPrefix(st, "CREATE") && !strings.Contains(formatted, "ON CLUSTER soc") {
			t.Errorf("no ON CLUSTER in %s", formatted)
		}
	}
}

func TestMigrationRendering(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		stmts, err := m.render(templateData{Database: "vigil", RetentionDays: 7})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range stmts {
			if strings.Contains(st, "ON CLUSTER") || strings.Contains(st, "Replicated") || strings.Contains(st, "GLOBAL") {
				t.Errorf("single-server DDL has cluster syntax: %s", st)
			}
		}
	}
}
