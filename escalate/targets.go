package escalate

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/event"
)

// Sender delivers one outbox item to one target. Send must be safe for
// concurrent use; the delivery's Key goes to the receiver every time.
type Sender interface {
	Send(ctx context.Context, d event.Delivery) error
}

// PermanentError marks a failure retrying cannot fix (a 4xx answer): the
// delivery fails at once and the chain moves on.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Header names receivers see.
const (
	HeaderSignature      = "X-Vigil-Signature"
	HeaderTimestamp      = "X-Vigil-Timestamp"
	HeaderIdempotencyKey = "Idempotency-Key"
)

// Sign returns the X-Vigil-Signature value for a body: sha256=<hex HMAC>.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks an X-Vigil-Signature value in constant time.
func VerifySignature(secret, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(header))
}

// newSender builds the sender for a target; getenv resolves secrets.
func newSender(t TargetConfig, client *http.Client, getenv func(string) string, now func() time.Time) (Sender, error) {
	url := t.URL
	if t.URLEnv != "" {
		if url = getenv(t.URLEnv); url == "" {
			return nil, fmt.Errorf("target %s: environment variable %s is empty", t.Name, t.URLEnv)
		}
	}
	h := &httpSender{name: t.Name, url: url, client: client, timeout: t.Timeout, now: now}
	switch t.Type {
	case TargetWebhook:
		if t.SecretEnv != "" {
			if h.secret = []byte(getenv(t.SecretEnv)); len(h.secret) == 0 {
				return nil, fmt.Errorf("target %s: environment variable %s is empty", t.Name, t.SecretEnv)
			}
		}
		return h, nil
	case TargetPagerDuty:
		if h.routingKey = getenv(t.RoutingKeyEnv); h.routingKey == "" {
			return nil, fmt.Errorf("target %s: environment variable %s is empty", t.Name, t.RoutingKeyEnv)
		}
		return h, nil
	case TargetSlack:
		return h, nil
	case TargetKafka:
		tr := &kafka.Transport{} // not the shared default: see correlate.NewPublisher
		return &kafkaSender{timeout: t.Timeout, tr: tr, w: &kafka.Writer{
			Transport:    tr,
			Addr:         kafka.TCP(t.Brokers...),
			Topic:        t.Topic,
			Balancer:     &kafka.Hash{},
			RequiredAcks: kafka.RequireAll,
			BatchTimeout: 10 * time.Millisecond,
			WriteTimeout: t.Timeout,
			MaxAttempts:  1, // the outbox retries
		}}, nil
	}
	return nil, fmt.Errorf("target %s: unknown type %q", t.Name, t.Type)
}

type httpSender struct {
	name       string
	url        string
	client     *http.Client
	timeout    time.Duration
	secret     []byte // webhook HMAC
	routingKey string // PagerDuty
	now        func() time.Time
}

func (h *httpSender) Send(ctx context.Context, d event.Delivery) error {
	body := []byte(d.Payload)
	if h.routingKey != "" {
		var ev map[string]any
		if err := json.Unmarshal(body, &ev); err != nil {
			return &PermanentError{fmt.Errorf("decode stored payload: %w", err)}
		}
		ev["routing_key"] = h.routingKey
		var err error
		if body, err = json.Marshal(ev); err != nil {
			return &PermanentError{fmt.Errorf("encode payload: %w", err)}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return &PermanentError{fmt.Errorf("build request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vigil-escalate")
	req.Header.Set(HeaderIdempotencyKey, d.Key)
	if h.secret != nil {
		req.Header.Set(HeaderTimestamp, strconv.FormatInt(h.now().Unix(), 10))
		req.Header.Set(HeaderSignature, Sign(h.secret, body))
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return fmt.Errorf("post to %s: %w", h.name, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err = fmt.Errorf("post to %s: status %d: %s", h.name, resp.StatusCode, bytes.TrimSpace(msg))
	if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusRequestTimeout {
		return &PermanentError{err}
	}
	return err
}

type kafkaSender struct {
	w       *kafka.Writer
	tr      *kafka.Transport
	timeout time.Duration
}

func (k *kafkaSender) Send(ctx context.Context, d event.Delivery) error {
	ctx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	err := k.w.WriteMessages(ctx, kafka.Message{
		Key:   []byte(d.IncidentID),
		Value: []byte(d.Payload),
		Headers: []kafka.Header{
			{Key: HeaderIdempotencyKey, Value: []byte(d.Key)},
			{Key: "vigil-kind", Value: []byte(d.Kind)},
			{Key: "vigil-tenant", Value: []byte(d.Tenant)},
		},
	})
	if err != nil {
		return fmt.Errorf("write to topic %s: %w", k.w.Topic, err)
	}
	return nil
}

func (k *kafkaSender) Close() error {
	err := k.w.Close()
	k.tr.CloseIdleConnections()
	return err
}

func isPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
