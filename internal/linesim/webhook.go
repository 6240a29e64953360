package linesim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Webhook delivery limits. LINE batches up to 100 events per request (003,
// "multiple messages (up to 100) as one request"). LINE's redelivery runs
// over a much longer time; the simulator retries briefly so that a receiver
// that fails once is still seen to receive the events.
const (
	maxEventsPerDelivery = 100
	maxDeliveryAttempts  = 3
	deliveryRetryDelay   = 200 * time.Millisecond
	keptDeliveries       = 500 // older delivery records are forgotten
)

// Values of an event's mode.
const (
	modeActive  = "active"
	modeStandby = "standby"
)

// webhookEvent is one event as LINE sends it. Properties without a value
// are left out, as LINE does.
type webhookEvent struct {
	Type            string            `json:"type"`
	Mode            string            `json:"mode"`
	Timestamp       int64             `json:"timestamp"`
	Source          *eventSource      `json:"source,omitempty"`
	WebhookEventID  string            `json:"webhookEventId"`
	DeliveryContext deliveryContext   `json:"deliveryContext"`
	ReplyToken      string            `json:"replyToken,omitempty"`
	Module          any               `json:"module,omitempty"` // attachedModule or detachedModule
	ChatControl     *eventChatControl `json:"chatControl,omitempty"`
	Follow          *followDetail     `json:"follow,omitempty"`
	Message         *messageContent   `json:"message,omitempty"`
}

// messageContent is a text message a user sent.
type messageContent struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	QuoteToken string `json:"quoteToken"`
	Text       string `json:"text"`
}

type eventSource struct {
	Type   string `json:"type"`
	UserID string `json:"userId"`
}

type deliveryContext struct {
	IsRedelivery bool `json:"isRedelivery"`
}

type attachedModule struct {
	Type   string   `json:"type"`
	BotID  string   `json:"botId"`
	Scopes []string `json:"scopes"`
}

type detachedModule struct {
	Type   string `json:"type"`
	BotID  string `json:"botId"`
	Reason string `json:"reason"`
}

// eventChatControl's expireAt is 0 when control has no time limit (see
// docs/decisions.md): LINE's types require the property, and its documents
// give no value for that case.
type eventChatControl struct {
	ExpireAt int64 `json:"expireAt"`
}

type followDetail struct {
	IsUnblocked bool `json:"isUnblocked"`
}

// summary names an event in the delivery records: its type, or for a module
// event the module event's type.
func (e webhookEvent) summary() string {
	switch m := e.Module.(type) {
	case attachedModule:
		return m.Type
	case detachedModule:
		return m.Type
	}
	return e.Type
}

// queuedEvent is an event waiting for delivery to a module or Primary
// channel.
// destination is the bot the event is about.
type queuedEvent struct {
	channelID, destination string
	event                  webhookEvent
}

// emit queues an event for a module channel: it gets its ID and timestamp
// now, and mode active unless it says otherwise. The caller holds the lock.
func (st *state) emit(channelID, botID string, ev webhookEvent) {
	now := st.now()
	ev.WebhookEventID = newULID(now)
	ev.Timestamp = now.UnixMilli()
	if ev.Mode == "" {
		ev.Mode = modeActive
	}
	st.outbox = append(st.outbox, queuedEvent{channelID: channelID, destination: botID, event: ev})
	st.wakeWorker()
}

// newULID returns a ULID: a 48-bit millisecond timestamp and 80 random
// bits, in Crockford's base32.
func newULID(t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	_, _ = rand.Read(b[6:]) // crypto/rand.Read never fails
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	// 26 characters hold 130 bits; the top two are zero.
	for i := 25; i >= 0; i-- {
		out[i] = alphabet[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// DeliveryState is how far a webhook delivery got.
type DeliveryState string

// The states of a delivery.
const (
	DeliveryPending   DeliveryState = "pending"
	DeliveryDelivered DeliveryState = "delivered"
	DeliveryFailed    DeliveryState = "failed"
)

// Delivery is one webhook request (and its retries) to a module channel.
type Delivery struct {
	ID              string        `json:"id"`
	ChannelID       string        `json:"channelId"`
	Destination     string        `json:"destination"`
	URL             string        `json:"url"`
	WebhookEventIDs []string      `json:"webhookEventIds"`
	EventTypes      []string      `json:"eventTypes"`
	IsRedelivery    bool          `json:"isRedelivery"`
	State           DeliveryState `json:"state"`
	Attempts        int           `json:"attempts"`
	StatusCode      int           `json:"statusCode,omitempty"` // of the last attempt; 0 = no HTTP answer
	Error           string        `json:"error,omitempty"`
	CreatedAt       time.Time     `json:"createdAt"`
}

type delivery struct {
	Delivery
	events []webhookEvent
	secret string
}

// view copies a delivery for callers outside the lock.
func (d *delivery) view() Delivery {
	v := d.Delivery
	v.WebhookEventIDs = make([]string, len(d.events))
	v.EventTypes = make([]string, len(d.events))
	for i, e := range d.events {
		v.WebhookEventIDs[i], v.EventTypes[i] = e.WebhookEventID, e.summary()
	}
	return v
}

// Deliveries returns the recorded webhook deliveries, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	out := make([]Delivery, len(s.state.deliveries))
	for i, d := range s.state.deliveries {
		out[i] = d.view()
	}
	return out
}

// Redeliver sends a finished delivery's events again, with the same
// webhookEventIds and isRedelivery set, and returns the new delivery's ID.
// Events keep isRedelivery false in the records and get it when sent.
func (s *Server) Redeliver(deliveryID string) (string, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	st := &s.state
	for _, d := range st.deliveries {
		if d.ID != deliveryID {
			continue
		}
		if d.State == DeliveryPending {
			return "", fmt.Errorf("delivery %s is still being delivered", deliveryID)
		}
		redelivery := st.recordDelivery(d.ChannelID, d.Destination, d.events, true)
		st.wakeWorker()
		return redelivery.ID, nil
	}
	return "", fmt.Errorf("unknown delivery %q", deliveryID)
}

// recordDelivery records a pending delivery of events to a channel, with
// the channel's current webhook URL and secret. A channel without a webhook
// URL gets a failed record, as LINE sends nothing then. The caller holds the
// lock.
func (st *state) recordDelivery(channelID, destination string, events []webhookEvent, redelivery bool) *delivery {
	webhookURL, secret := st.webhookTarget(channelID)
	st.deliverySeq++
	d := &delivery{
		Delivery: Delivery{
			ID:           strconv.Itoa(st.deliverySeq),
			ChannelID:    channelID,
			Destination:  destination,
			URL:          webhookURL,
			IsRedelivery: redelivery,
			State:        DeliveryPending,
			CreatedAt:    st.now(),
		},
		events: events,
		secret: secret,
	}
	if d.URL == "" {
		d.State, d.Error = DeliveryFailed, "the channel has no webhook URL"
	}
	st.deliveries = append(st.deliveries, d)
	if len(st.deliveries) > keptDeliveries {
		st.deliveries = st.deliveries[len(st.deliveries)-keptDeliveries:]
	}
	return d
}

// webhookTarget is where a module or Primary channel's webhooks go and the
// secret that signs them. The caller holds the lock.
func (st *state) webhookTarget(channelID string) (webhookURL, secret string) {
	if ch, ok := st.moduleChannels[channelID]; ok {
		return ch.WebhookURL, ch.Secret
	}
	if ch, ok := st.accountChannels[channelID]; ok {
		return ch.webhookURL, ch.secret
	}
	return "", ""
}

func (st *state) wakeWorker() {
	select {
	case st.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
}

// takeBatch moves the oldest queued event and up to 99 later ones for the
// same channel and bot from the outbox into a new delivery record. The
// caller holds the lock.
func (st *state) takeBatch() {
	first := st.outbox[0]
	var events []webhookEvent
	rest := st.outbox[:0]
	for _, q := range st.outbox {
		if len(events) < maxEventsPerDelivery && q.channelID == first.channelID && q.destination == first.destination {
			events = append(events, q.event)
		} else {
			rest = append(rest, q)
		}
	}
	clear(st.outbox[len(rest):])
	st.outbox = rest
	st.recordDelivery(first.channelID, first.destination, events, false)
}

// nextPending batches the outbox and returns the oldest pending delivery.
func (s *Server) nextPending() (*delivery, bool) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	for len(s.state.outbox) > 0 {
		s.state.takeBatch()
	}
	for _, d := range s.state.deliveries {
		if d.State == DeliveryPending {
			return d, true
		}
	}
	return nil, false
}

// webhookWorker is the goroutine that delivers webhooks, one request at a
// time and in order.
type webhookWorker struct {
	client    *http.Client
	stop      context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

func (s *Server) startWebhooks(client *http.Client) {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	ctx, stop := context.WithCancel(context.Background())
	s.webhooks = webhookWorker{client: client, stop: stop, done: make(chan struct{})}
	go s.runWebhooks(ctx)
}

// Close stops webhook delivery, abandoning a delivery in progress. The
// simulator's HTTP endpoints keep working.
func (s *Server) Close() error {
	s.webhooks.closeOnce.Do(func() {
		s.webhooks.stop()
		<-s.webhooks.done
	})
	return nil
}

func (s *Server) runWebhooks(ctx context.Context) {
	defer close(s.webhooks.done)
	for {
		d, ok := s.nextPending()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-s.state.wake:
				continue
			}
		}
		s.deliver(ctx, d)
		if ctx.Err() != nil {
			return
		}
	}
}

// deliver sends one delivery, retrying on failure, and records each
// attempt. Retries carry isRedelivery, as LINE's webhook redelivery does.
func (s *Server) deliver(ctx context.Context, d *delivery) {
	// A delivery's URL, secret and events never change once recorded.
	body := encodeWebhook(d.Destination, d.events, d.IsRedelivery)
	for attempt := 1; attempt <= maxDeliveryAttempts; attempt++ {
		if attempt == 2 && !d.IsRedelivery {
			body = encodeWebhook(d.Destination, d.events, true)
		}
		status, err := s.post(ctx, d.URL, body, sign(d.secret, body))
		if ctx.Err() != nil {
			return
		}
		s.state.mu.Lock()
		d.Attempts, d.StatusCode, d.Error = attempt, status, ""
		switch {
		case err != nil:
			d.Error = err.Error()
		case status/100 != 2:
			d.Error = "the receiver answered " + strconv.Itoa(status) + " " + http.StatusText(status)
		default:
			d.State = DeliveryDelivered
		}
		if d.State == DeliveryPending && attempt == maxDeliveryAttempts {
			d.State = DeliveryFailed
		}
		done := d.State != DeliveryPending
		s.state.mu.Unlock()
		s.log.LogAttrs(ctx, slog.LevelDebug, "linesim webhook",
			slog.String("delivery", d.ID), slog.Int("attempt", attempt), slog.Int("status", status))
		if done {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(attempt) * deliveryRetryDelay):
		}
	}
}

// encodeWebhook is a webhook request body.
func encodeWebhook(destination string, events []webhookEvent, redelivery bool) []byte {
	if redelivery {
		events = slices.Clone(events)
		for i := range events {
			events[i].DeliveryContext.IsRedelivery = true
		}
	}
	body, err := json.Marshal(struct {
		Destination string         `json:"destination"`
		Events      []webhookEvent `json:"events"`
	}{destination, events})
	if err != nil {
		// Events hold only strings, numbers, booleans and plain structs.
		panic(fmt.Sprintf("linesim: encode webhook: %v", err))
	}
	return body
}

func (s *Server) post(ctx context.Context, target string, body []byte, signature string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "LineBotWebhook/2.0")
	req.Header.Set("X-Line-Signature", signature)
	resp, err := s.webhooks.client.Do(req)
	if err != nil {
		if urlErr, ok := errors.AsType[*url.Error](err); ok {
			err = urlErr.Err // the record shows the URL already
		}
		return 0, err
	}
	defer resp.Body.Close()
	// Draining a little lets the connection be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// sign is LINE's webhook signature: base64 of HMAC-SHA256 of the body, keyed
// by the channel secret.
func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
