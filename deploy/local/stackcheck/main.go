// Command stackcheck probes and prepares the local development stack started
// by deploy/local/stack: it reports whether Kafka and ClickHouse answer, and
// creates Kafka topics.
//
//	stackcheck kafka ADDR                 # exit 0 once the broker serves metadata
//	stackcheck coordinator ADDR           # exit 0 once consumer groups have a coordinator
//	stackcheck clickhouse HTTP_ADDR       # exit 0 once SELECT 1 answers 1
//	stackcheck topic ADDR NAME PARTITIONS # create a topic unless it exists
//
// Each probe makes one attempt bounded by -timeout; the caller retries.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/internal/kafkatopic"
)

func main() {
	timeout := flag.Duration("timeout", 3*time.Second, "bound on one probe")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: stackcheck [-timeout D] kafka ADDR | coordinator ADDR | clickhouse HTTP_ADDR | topic ADDR NAME PARTITIONS")
	}
	flag.Parse()
	args := flag.Args()
	if len(args) < 2 {
		flag.Usage()
		os.Exit(2)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	var err error
	switch args[0] {
	case "kafka":
		err = kafkaReady(ctx, args[1])
	case "coordinator":
		err = coordinatorReady(ctx, args[1])
	case "clickhouse":
		err = clickhouseReady(ctx, args[1])
	case "topic":
		if len(args) != 4 {
			flag.Usage()
			os.Exit(2)
		}
		var partitions int
		partitions, err = strconv.Atoi(args[3])
		if err == nil && partitions < 1 {
			err = errors.New("partitions must be at least 1")
		}
		if err == nil {
			err = createTopic(ctx, args[1], args[2], partitions)
		}
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "stackcheck %s: %v\n", args[0], err)
		os.Exit(1)
	}
}

// kafkaReady succeeds when the broker answers a metadata request that lists
// at least one live broker (a fenced KRaft broker lists none).
func kafkaReady(ctx context.Context, addr string) error {
	conn, err := kafka.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("dial %s: %w", addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	brokers, err := conn.Brokers()
	if err != nil {
		return fmt.Errorf("read metadata from %s: %w", addr, err)
	}
	if len(brokers) == 0 {
		return fmt.Errorf("broker %s lists no live brokers yet", addr)
	}
	return nil
}

// coordinatorReady succeeds when the broker names a group coordinator. The
// first FindCoordinator of a fresh broker creates __consumer_offsets; doing it
// here spares the first consumer group several seconds of client backoff.
func coordinatorReady(ctx context.Context, addr string) error {
	client := &kafka.Client{Addr: kafka.TCP(addr)}
	resp, err := client.FindCoordinator(ctx, &kafka.FindCoordinatorRequest{
		Key:     "vigil-stack-probe",
		KeyType: kafka.CoordinatorKeyTypeConsumer,
	})
	if err != nil {
		return fmt.Errorf("find coordinator on %s: %w", addr, err)
	}
	if resp.Error != nil {
		return fmt.Errorf("find coordinator on %s: %w", addr, resp.Error)
	}
	return nil
}

// clickhouseReady succeeds when SELECT 1 over HTTP returns 1.
func clickhouseReady(ctx context.Context, addr string) error {
	u := "http://" + addr + "/?query=" + url.QueryEscape("SELECT 1")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("query %s: %w", addr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return fmt.Errorf("read answer from %s: %w", addr, err)
	}
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "1" {
		return fmt.Errorf("SELECT 1 on %s: status %d: %s", addr, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}

// createTopic creates the topic unless it exists, then waits until every
// partition has a leader.
func createTopic(ctx context.Context, addr, name string, partitions int) error {
	return kafkatopic.Ensure(ctx, []string{addr}, kafkatopic.Spec{Name: name, Partitions: partitions, ReplicationFactor: 1})
}
