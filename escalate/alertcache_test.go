package escalate

import (
	"fmt"
	"testing"

	"github.com/vigil-soc/vigil/event"
)

// The cache keeps between one and two generations of alerts: what was put
// or read during the last generation stays, what was not is dropped.
func TestAlertCacheGenerations(t *testing.T) {
	var c alertCache
	id := func(i int) string { return fmt.Sprintf("a%d", i) }
	for i := range maxCachedAlerts {
		c.put(event.Alert{ID: id(i)})
	}
	c.put(event.Alert{ID: "next"}) // the first generation is now the old one
	if _, ok := c.get(id(0)); !ok {
		t.Fatal("an alert of the previous generation was dropped")
	}
	for i := range maxCachedAlerts {
		c.put(event.Alert{ID: id(maxCachedAlerts + i)})
	}
	if _, ok := c.get(id(0)); !ok {
		t.Error("an alert read during the last generation was dropped")
	}
	if _, ok := c.get(id(1)); ok {
		t.Error("an alert unused for two generations is still held")
	}
	if n := len(c.cur) + len(c.old); n > 2*maxCachedAlerts {
		t.Errorf("the cache holds %d alerts, more than two generations (%d)", n, 2*maxCachedAlerts)
	}
}
