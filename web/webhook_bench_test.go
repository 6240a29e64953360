package web

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"lineportal/internal/line/linetest"
)

// benchSecret is the channel secret the benchmark's batches are signed
// with.
const benchSecret = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"

// benchBatch is a webhook body of 100 text message events as LINE sends
// them.
func benchBatch() []byte {
	const bot = "U5fac33f633e72c192759f09afc41fa28"
	var b bytes.Buffer
	b.WriteString(`{"destination":"` + bot + `","events":[`)
	now := time.Now().UnixMilli()
	for n := range 100 {
		if n > 0 {
			b.WriteByte(',')
		}
		id := fmt.Sprintf("01BENCH%019d", n)
		user := fmt.Sprintf("LU%032x-%s", n, bot)
		fmt.Fprintf(&b, `{"replyToken":"%032x","type":"message","mode":"active","timestamp":%d,"source":{"type":"user","userId":"%s"},"webhookEventId":"%s","deliveryContext":{"isRedelivery":false},"message":{"id":"%d","type":"text","quoteToken":"q%d","text":"Hello, a table for two at seven, please"}}`,
			n, now, user, id, n, n)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// BenchmarkWebhookParse compares the receiver's decoder with the SDK's
// (linetest.ParseWebhook) on one signed 100-event batch: the reason the
// receiver decodes events itself. The end-to-end ingestion rate is make
// bench's webhook scenario.
func BenchmarkWebhookParse(b *testing.B) {
	body := benchBatch()
	sig := *sign(benchSecret, body)
	b.Run("receiver", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if !validSignature(benchSecret, body, sig) {
				b.Fatal("signature refused")
			}
			if _, err := parseWebhook(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := linetest.ParseWebhook(benchSecret, body, sig); err != nil {
				b.Fatal(err)
			}
		}
	})
}
