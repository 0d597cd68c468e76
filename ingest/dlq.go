package ingest

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/ingest/parse"
)

// Headers of a dead-letter record. The record's key, value, timestamp and
// own headers are the original's.
const (
	HeaderReason          = "vigil-error-reason"     // a parse.Reason* value
	HeaderError           = "vigil-error"            // the error text, at most maxErrorText bytes
	HeaderSourceTopic     = "vigil-source-topic"     // where the record was read
	HeaderSourcePartition = "vigil-source-partition" // decimal
	HeaderSourceOffset    = "vigil-source-offset"    // decimal
	HeaderSource          = "vigil-source"           // the configured source ("auto" when detected)
)

const maxErrorText = 1024

// reason is the dead-letter reason of a parse failure.
func reason(err error) string {
	var pe *parse.Error
	if errors.As(err, &pe) && pe.Reason != "" {
		return pe.Reason
	}
	return parse.ReasonInvalid
}

// deadLetter builds the DLQ record for m, refused with err.
func deadLetter(tc TopicConfig, m kafka.Message, err error) kafka.Message {
	text := err.Error()
	if len(text) > maxErrorText {
		text = text[:maxErrorText]
	}
	source := tc.Source
	if source == "" {
		source = parse.SourceAuto
	}
	headers := make([]kafka.Header, 0, 6+len(m.Headers))
	headers = append(headers,
		kafka.Header{Key: HeaderReason, Value: []byte(reason(err))},
		kafka.Header{Key: HeaderError, Value: []byte(text)},
		kafka.Header{Key: HeaderSourceTopic, Value: []byte(m.Topic)},
		kafka.Header{Key: HeaderSourcePartition, Value: []byte(strconv.Itoa(m.Partition))},
		kafka.Header{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(m.Offset, 10))},
		kafka.Header{Key: HeaderSource, Value: []byte(source)},
	)
	headers = append(headers, m.Headers...)
	return kafka.Message{Topic: tc.DLQ, Key: m.Key, Value: m.Value, Time: m.Time, Headers: headers}
}

// parsePanic turns a parser panic into a record error, so that one poison
// record goes to the DLQ instead of stopping the pipeline.
func parsePanic(v any) error {
	return &parse.Error{Reason: parse.ReasonInvalid, Err: fmt.Errorf("parser panic: %v", v)}
}
