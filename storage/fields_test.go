package storage

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"

	"github.com/vigil-soc/vigil/event"
)

func TestFlatten(t *testing.T) {
	long := strings.Repeat("x", maxFlatValueLen+10)
	many := map[string]any{}
	for i := range maxFlatFields + 5 {
		many[strings.Repeat("k", i+1)] = "v"
	}
	tests := []struct {
		name   string
		vendor map[string]any
		want   map[string]string
	}{
		{"empty", nil, map[string]string{}},
		{"nested namespaces", map[string]any{"aws": map[string]any{"cloudtrail": map[string]any{
			"eventSource": "iam.amazonaws.com", "readOnly": false, "apiVersion": float64(3),
			"userIdentity": map[string]any{"type": "IAMUser", "sessionContext": map[string]any{"mfa": true}},
		}}}, map[string]string{
			"aws.cloudtrail.eventSource":                     "iam.amazonaws.com",
			"aws.cloudtrail.readOnly":                        "false",
			"aws.cloudtrail.apiVersion":                      "3",
			"aws.cloudtrail.userIdentity.type":               "IAMUser",
			"aws.cloudtrail.userIdentity.sessionContext.mfa": "true",
		}},
		{"arrays as JSON, nulls left out", map[string]any{"okta": map[string]any{
			"target": []any{map[string]any{"id": "00u1"}}, "client": nil, "n": json.Number("12"),
		}}, map[string]string{"okta.target": `[{"id":"00u1"}]`, "okta.n": "12"}},
		{"dotted keys that collide keep one", map[string]any{"zeek": map[string]any{
			"id.orig_h": "10.0.0.1", "id": map[string]any{"orig_h": "10.0.0.2"}, "uid": "C1",
		}}, map[string]string{"zeek.id.orig_h": "10.0.0.1", "zeek.uid": "C1"}},
		{"text values flatten as decoded; numbers out of range are left out", map[string]any{"zeek": map[string]any{"conn": event.RawJSON(
			`{"uid":"C1", "id":{"orig_p":443}, "big":1e400, "tags":["a"]}`)}},
			map[string]string{"zeek.conn.uid": "C1", "zeek.conn.id.orig_p": "443", "zeek.conn.tags": `["a"]`}},
		{"maps of strings", map[string]any{"winlog": map[string]any{"event_id": "4624", "event_data": map[string]string{"TargetUserName": "bob", "IpAddress": "-"}}},
			map[string]string{"winlog.event_id": "4624", "winlog.event_data.TargetUserName": "bob", "winlog.event_data.IpAddress": "-"}},
		{"long values are cut", map[string]any{"syslog": map[string]any{"msg": long}},
			map[string]string{"syslog.msg": long[:maxFlatValueLen]}},
	}
	f := newFlattener()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := f.flatten(tt.vendor)
			got := row.Map()
			if tt.name == "dotted keys that collide keep one" {
				// Which of the two colliding values is kept is not
				// specified; that it is always the same one is.
				got["zeek.id.orig_h"] = tt.want["zeek.id.orig_h"]
				for range 20 {
					if again := f.flatten(tt.vendor).Map(); !maps.Equal(again, row.Map()) {
						t.Fatalf("flatten is not deterministic: %v then %v", row.Map(), again)
					}
				}
			}
			if row.Len() != len(tt.want) {
				t.Errorf("%d fields, want %d: %v", row.Len(), len(tt.want), row.Map())
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("flatten =\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
	t.Run("at most maxFlatFields", func(t *testing.T) {
		if n := f.flatten(map[string]any{"ns": many}).Len(); n != maxFlatFields {
			t.Errorf("%d fields, want %d", n, maxFlatFields)
		}
	})
}

// TestFieldRowsAppendToMapColumn checks that clickhouse-go's Map column
// takes fieldRows as they are (through column.IterableOrderedMap) and holds
// the same maps afterwards.
func TestFieldRowsAppendToMapColumn(t *testing.T) {
	col, err := column.Type("Map(LowCardinality(String), String)").Column("fields", nil)
	if err != nil {
		t.Fatal(err)
	}
	f := newFlattener()
	vendors := []map[string]any{
		{"winlog": map[string]any{"event_id": "4625", "event_data": map[string]any{"TargetUserName": "alice", "LogonType": "3"}}},
		{},
		{"okta": map[string]any{"eventType": "user.session.start", "outcome": map[string]any{"result": "FAILURE"}}},
	}
	rows := make([]*fieldRow, len(vendors))
	for i, v := range vendors {
		rows[i] = f.flatten(v)
	}
	if _, err := col.Append(rows); err != nil {
		t.Fatalf("append fieldRows to a Map column: %v", err)
	}
	if col.Rows() != len(rows) {
		t.Fatalf("column has %d rows, want %d", col.Rows(), len(rows))
	}
	// Encode the column as it goes on the wire and decode it again, as the
	// server would read it.
	var buf proto.Buffer
	if err := col.(column.CustomSerialization).WriteStatePrefix(&buf); err != nil {
		t.Fatal(err)
	}
	col.Encode(&buf)
	read, err := column.Type("Map(LowCardinality(String), String)").Column("fields", nil)
	if err != nil {
		t.Fatal(err)
	}
	r := proto.NewReader(bytes.NewReader(buf.Buf))
	if err := read.(column.CustomSerialization).ReadStatePrefix(r); err != nil {
		t.Fatal(err)
	}
	if err := read.Decode(r, len(rows)); err != nil {
		t.Fatalf("decode the encoded column: %v", err)
	}
	for i, r := range rows {
		var got map[string]string
		if err := read.ScanRow(&got, i); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if !maps.Equal(got, r.Map()) || len(got) != r.Len() {
			t.Errorf("row %d = %v, want %v", i, got, r.Map())
		}
	}
}

// TestFlattenRawJSON checks that a vendor value kept as text flattens to
// the same fields as the same value decoded, over the generated telemetry
// of every source and over edge cases of numbers, escapes and nesting.
func TestFlattenRawJSON(t *testing.T) {
	vendors := []map[string]any{
		{"x": map[string]any{"y": event.RawJSON(` {"a" : 1.50, "b":[{"z":1,"a":"<&>"},null,1e21], "c":null, "d":{"e.f":"\u00e9\n\"", "g":{}}, "h":true, "i":false, "j":-0} `)}},
		{"x": event.RawJSON(`"top"`), "y": event.RawJSON(`[]`), "z": event.RawJSON(`{"id.orig_h":"1","id":{"orig_h":"2"}}`)},
	}
	raw := 0
	for _, e := range generatedEvents(t, 2000) {
		vendors = append(vendors, e.Vendor)
		for _, v := range e.Vendor {
			if m, ok := v.(map[string]any); ok {
				for _, c := range m {
					if _, ok := c.(event.RawJSON); ok {
						raw++
					}
				}
			} else if _, ok := v.(event.RawJSON); ok {
				raw++
			}
		}
	}
	if raw < 500 {
		t.Fatalf("only %d of the generated events keep a vendor value as text", raw)
	}
	f := newFlattener()
	for i, v := range vendors {
		got := f.flatten(v).Map()
		decoded, err := event.DecodeVendor(v)
		if err != nil {
			t.Fatalf("vendor %d: %v", i, err)
		}
		want := f.flatten(decoded.(map[string]any)).Map()
		if !maps.Equal(got, want) {
			t.Fatalf("vendor %d: flatten of the text =\n%v\nof the decoded value\n%v", i, got, want)
		}
	}
}

// With vendor_fields "doc" the events table's fields column is empty and
// every other column, doc included, is what "map" stores: the vendor
// namespaces stay queryable in doc.
func TestVendorFieldsInDocOnly(t *testing.T) {
	evs := generatedEvents(t, 500)
	withMap, err := encodeEvents(evs, eventEncoding{vendorMap: true})
	if err != nil {
		t.Fatal(err)
	}
	docOnly, err := encodeEvents(evs, eventEncoding{})
	if err != nil {
		t.Fatal(err)
	}
	flattened := 0
	for i, name := range withMap.names {
		if name != "fields" {
			if !reflect.DeepEqual(withMap.cols[i], docOnly.cols[i]) {
				t.Errorf("column %s differs between vendor_fields map and doc", name)
			}
			continue
		}
		for j, r := range docOnly.cols[i].([]*fieldRow) {
			if r.Len() != 0 {
				t.Errorf("event %d: fields has %d keys with vendor_fields doc", j, r.Len())
			}
		}
		for _, r := range withMap.cols[i].([]*fieldRow) {
			flattened += r.Len()
		}
	}
	if flattened == 0 {
		t.Fatal("vendor_fields map flattened no field of the generated events")
	}
	if docOnly.bytes >= withMap.bytes {
		t.Errorf("doc-only chunk is %d bytes, with the map %d", docOnly.bytes, withMap.bytes)
	}
}
