package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"lineportal/internal/simulated"
)

// This file is issue 6's row: webhook ingestion in signed batches of 100
// events, as LINE delivers them, against the portal's receiver and the
// bare server's signature check alone.

// webhookChannel is the module channel the webhook row delivers to. Its
// secret is made per run, before either target starts, because the bare
// server gets it on its command line while the portal gets it through its
// registration form.
type webhookChannel struct {
	lineChannelID string // 10 digits, unused by the demo and the data set
	secret        string // 32 lowercase hex characters, as LINE issues them
}

// benchLINEChannelID is far from the demo's 20070xxxxx and the data set's
// 3000000000 onwards, so registering it never collides.
const benchLINEChannelID = "2999000001"

func newWebhookChannel() webhookChannel {
	key := make([]byte, 16)
	rand.Read(key) // never fails (crypto/rand panics rather than return an error)
	return webhookChannel{lineChannelID: benchLINEChannelID, secret: hex.EncodeToString(key)}
}

func (c webhookChannel) path() string { return "/webhooks/line/" + c.lineChannelID }

// signature is LINE's X-Line-Signature of body: the standard, padded
// Base64 of HMAC-SHA256 keyed with the channel secret.
func signature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Webhook event IDs are ULIDs: 26 characters of Crockford's Base32, a 48
// bit millisecond time then 80 bits that LINE fills at random. Ours fill
// those 80 bits with the worker (4 characters) and that worker's event
// counter (12), so two workers never make the same ID and no shared
// counter is needed; the time is the batch template's, so a second run on
// the same database would not repeat the first's IDs either.
const (
	crockford    = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	timeChars    = 10 // 50 bits, of which a ULID's time uses 48
	workerChars  = 4
	counterChars = 12
	ulidLen      = timeChars + workerChars + counterChars // 26
	// setupWorker is a worker number no load worker has, for the events the
	// setup sends.
	setupWorker = 1<<(5*workerChars) - 1
)

// putEventID writes the ID of event n of worker into dst[:ulidLen].
func putEventID(dst []byte, ms uint64, worker int, n uint64) {
	putDigits(dst[:timeChars], ms, crockford)
	putDigits(dst[timeChars:timeChars+workerChars], uint64(worker), crockford)
	putDigits(dst[timeChars+workerChars:ulidLen], n, crockford)
}

// putDigits writes v into dst, big-endian, in the base of digits (its
// length: Crockford Base32, decimal, hexadecimal), filling all of dst;
// what v has beyond len(dst) digits is dropped.
func putDigits(dst []byte, v uint64, digits string) {
	base := uint64(len(digits))
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = digits[v%base]
		v /= base
	}
}

// webhookBatch pre-renders one 100-event body and patches fresh event IDs
// into a copy per request, so that building a request costs a copy and a
// signature, not 100 events of formatting.
type webhookBatch struct {
	template []byte
	idAt     []int // offsets of the webhookEventId values in template
	timeAt   []int // of the timestamps
	userAt   []int // of the user IDs, past their "U"
	epoch    uint64
	// next holds each worker's next event number. Each slot is only used
	// by its worker; they are kept here, not derived from seq, because seq
	// starts again at 0 in every run (warm-up, then measured) and a
	// reused ID is stored as a duplicate, not ingested.
	next []atomic.Uint64
}

const (
	eventsPerBatch = 100 // LINE's most per request
	benchBotID     = "U5fac33f633e72c192759f09afc41fa28"
)

// benchUsers is how many users the events come from: a few, as in a
// quiet chat, and prime to the ten-event cycle of batchEvent, so that each
// user gets every kind of event.
const benchUsers = 7

// benchUser is the LINE user ID of user k, in the template: each request
// writes its worker's number over the first userWorkerChars hex digits
// (putDigits), so that every worker has users of its own.
func benchUser(k int) string { return fmt.Sprintf("U%032x", 0x5eed_0000+k) }

const userWorkerChars = 8

// batchEvent is event j of the batch, in the shapes of the platform spec
// (section C), in a cycle of ten. Five are messages and one a postback,
// which the portal keeps without acting on them; the other four change
// its state: follow and unfollow of the user, and chat control of the
// user's chat (the setup attaches the bot first, so that these apply).
// The IDs, times and users are placeholders that newWebhookBatch finds and
// each request overwrites.
func batchEvent(j int, ts int64) string {
	id := strings.Repeat("0", ulidLen)
	user := benchUser(j % benchUsers)
	common := fmt.Sprintf(`"webhookEventId":%q,"deliveryContext":{"isRedelivery":false},"timestamp":%d,"source":{"type":"user","userId":%q},"mode":"active"`, id, ts, user)
	reply := fmt.Sprintf("%032x", ts*eventsPerBatch+int64(j))
	switch j % 10 {
	case 1:
		return fmt.Sprintf(`{"replyToken":%q,"type":"follow",%s,"follow":{"isUnblocked":false}}`, reply, common)
	case 3:
		return fmt.Sprintf(`{"type":"activated","chatControl":{"expireAt":%d},%s}`, ts+time.Hour.Milliseconds(), common)
	case 5:
		return fmt.Sprintf(`{"replyToken":%q,"type":"postback",%s,"postback":{"data":"action=reserve&table=2"}}`, reply, common)
	case 7:
		return fmt.Sprintf(`{"type":"deactivated",%s}`, common)
	case 9:
		return fmt.Sprintf(`{"type":"unfollow",%s}`, common)
	default:
		return fmt.Sprintf(`{"replyToken":%q,"type":"message",%s,"message":{"id":"%d","type":"text","quoteToken":"q%s","text":"Hello, a table for two at seven, please"}}`,
			reply, common, ts*eventsPerBatch+int64(j), reply)
	}
}

// newWebhookBatch renders the template for workers workers. Each request
// gets fresh event IDs, users of its worker's own, and times after those
// of the worker's batch before it, a millisecond an event: as LINE sends
// them, so that no event is older than what it would change (a user's
// event from before their latest block, for one, is forgotten on
// arrival), and a worker's users see its batches in order.
func newWebhookBatch(now time.Time, workers int) *webhookBatch {
	ts := now.UnixMilli()
	var b bytes.Buffer
	b.WriteString(`{"destination":"` + benchBotID + `","events":[`)
	for j := range eventsPerBatch {
		if j > 0 {
			b.WriteByte(',')
		}
		b.WriteString(batchEvent(j, ts+int64(j)))
	}
	b.WriteString("]}")
	wb := &webhookBatch{template: b.Bytes(), epoch: uint64(ts), next: make([]atomic.Uint64, workers)}
	wb.idAt = valuesAt(wb.template, `"webhookEventId":"`)
	wb.timeAt = valuesAt(wb.template, `"timestamp":`)
	wb.userAt = valuesAt(wb.template, `"userId":"U`)
	return wb
}

// valuesAt returns the offsets in template just after each key.
func valuesAt(template []byte, key string) []int {
	var at []int
	for off := 0; ; {
		i := bytes.Index(template[off:], []byte(key))
		if i < 0 {
			return at
		}
		off += i + len(key)
		at = append(at, off)
	}
}

// body returns a new batch for worker with event IDs it has not used.
func (wb *webhookBatch) body(worker int) ([]byte, error) {
	if worker < 0 || worker >= len(wb.next) {
		return nil, fmt.Errorf("worker %d of %d: no event counter", worker, len(wb.next))
	}
	n := wb.next[worker].Add(uint64(len(wb.idAt))) - uint64(len(wb.idAt))
	body := bytes.Clone(wb.template)
	for i, off := range wb.idAt {
		putEventID(body[off:], wb.epoch, worker, n+uint64(i))
	}
	for i, off := range wb.timeAt {
		putDigits(body[off:off+timeDigits], wb.epoch+n+uint64(i), decimalDigits)
	}
	for _, off := range wb.userAt {
		putDigits(body[off:off+userWorkerChars], uint64(worker), hexDigits)
	}
	return body, nil
}

// timeDigits is how long a LINE timestamp (Unix milliseconds) is until the
// year 2286.
const timeDigits = 13

const (
	decimalDigits = "0123456789"
	hexDigits     = "0123456789abcdef" // lower case, as LINE's user IDs
)

// attachedBody is the attached event LINE sends when the bot attaches the
// module channel, sent once by the setup, dated a minute before the
// batch's events.
func (wb *webhookBatch) attachedBody() []byte {
	id := make([]byte, ulidLen)
	putEventID(id, wb.epoch, setupWorker, 0)
	return fmt.Appendf(nil, `{"destination":%q,"events":[{"type":"module","module":{"type":"attached","botId":%q,"scopes":["message:send","message:receive"]},`+
		`"webhookEventId":%q,"deliveryContext":{"isRedelivery":false},"timestamp":%d,"mode":"active"}]}`,
		benchBotID, benchBotID, id, wb.epoch-uint64(time.Minute.Milliseconds()))
}

// newWebhookRequest is a delivery of body as LINE makes it.
func newWebhookRequest(ctx context.Context, baseURL string, ch webhookChannel, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+ch.path(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = http.Header{
		"Content-Type":     {"application/json; charset=utf-8"},
		"User-Agent":       {"LineBotWebhook/2.0"},
		"X-Line-Signature": {signature(ch.secret, body)},
	}
	return req, nil
}

// webhookScenario posts signed 100-event batches. On the portal they are
// verified, parsed, stored once each and applied before the 200; on the
// bare server they are only verified. The setup (portal only: the bare
// server has the secret from its command line) registers the channel
// through the portal's form and attaches the bot.
func webhookScenario(fx fixture) Scenario {
	ch := fx.webhook
	batch := newWebhookBatch(time.Now(), fx.workers)
	return Scenario{
		Name: "webhook", Want: http.StatusOK, EventsPerRequest: eventsPerBatch, Raw: &rawBatchLoop,
		Setup: func(ctx context.Context, client *http.Client, baseURL string) error {
			if err := registerModule(ctx, client, baseURL, ch); err != nil {
				return err
			}
			// The events are dated after the portal learned of the
			// attachment: an event older than the attachment does not
			// act on it.
			*batch = *newWebhookBatch(time.Now(), fx.workers)
			return attachBot(ctx, client, baseURL, ch, batch)
		},
		Build: func(ctx context.Context, baseURL string, worker, _ int) (*http.Request, error) {
			body, err := batch.body(worker)
			if err != nil {
				return nil, err
			}
			return newWebhookRequest(ctx, baseURL, ch, body)
		},
	}
}

// registerModule creates ch on the LINE simulator the portal runs on (the
// portal checks a channel's credentials with LINE before registering it),
// then signs in as the demo developer and registers ch through the
// portal's form, as a new provider's module channel.
func registerModule(ctx context.Context, client *http.Client, baseURL string, ch webhookChannel) error {
	simURL, err := createOnSimulator(ctx, client, baseURL, ch)
	if err != nil {
		return err
	}
	// A token LINE knows, for the portal's calls during setup (the bot
	// list); the timed batches don't call LINE.
	token, err := statelessToken(ctx, client, simURL, ch)
	if err != nil {
		return err
	}
	people, err := simulated.DemoPeople()
	if err != nil {
		return err
	}
	cookie, err := signIn(ctx, client.Transport, baseURL, people.Developer.LINEUserID)
	if err != nil {
		return fmt.Errorf("sign in as the developer: %w", err)
	}
	form := url.Values{
		"name":            {"Bench webhook module"},
		"line_channel_id": {ch.lineChannelID},
		"provider_id":     {"new"},
		"new_provider":    {"Bench webhook provider"},
		"channel_secret":  {ch.secret},
		"access_token":    {token},
	}
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/modules", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header = cookie.Clone()
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, loc, body, err := roundTrip(client, req)
	switch {
	case err != nil:
		return err
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		return fmt.Errorf("POST /modules answered %d: this portal cannot register module channels, which the webhook scenario needs "+
			"(build a portal that can, or leave webhook out with -scenarios)", status)
	case status != http.StatusSeeOther || !isModulePath(loc):
		return fmt.Errorf("register module channel %s: POST /modules answered %d (Location %q), want 303 to /modules/{id}: %.300s",
			ch.lineChannelID, status, loc, body)
	}
	// Attach the channel to the bot at LINE, then let the portal learn of
	// it from LINE's bot list (the page reads it): the portal never takes
	// an attachment from a webhook alone.
	if err := postJSON(ctx, client, simURL+"/sim/api/modules/"+ch.lineChannelID+"/attachments",
		map[string]any{"botId": benchBotID, "scopes": []string{"message:send", "message:receive"}}, http.StatusNoContent); err != nil {
		return fmt.Errorf("attach on the simulator: %w", err)
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, baseURL+loc+"/bots", nil)
	if err != nil {
		return err
	}
	req.Header = cookie.Clone()
	if status, _, body, err := roundTrip(client, req); err != nil || status != http.StatusOK {
		return fmt.Errorf("the portal's bot list answered %d (%v): %.300s", status, err, body)
	}
	return nil
}

// statelessToken issues a 15-minute channel access token for ch, as
// LINE's /oauth2/v3/token does.
func statelessToken(ctx context.Context, client *http.Client, simURL string, ch webhookChannel) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {ch.lineChannelID}, "client_secret": {ch.secret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, simURL+"/oauth2/v3/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, _, body, err := roundTrip(client, req)
	if err != nil {
		return "", err
	}
	var answer struct {
		AccessToken string `json:"access_token"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &answer) != nil || answer.AccessToken == "" {
		return "", fmt.Errorf("channel access token for %s: %d %.200s", ch.lineChannelID, status, body)
	}
	return answer.AccessToken, nil
}

// postJSON posts v as JSON and expects the status want.
func postJSON(ctx context.Context, client *http.Client, target string, v any, want int) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	status, _, answer, err := roundTrip(client, req)
	if err == nil && status != want {
		err = fmt.Errorf("%s answered %d: %.200s", target, status, answer)
	}
	return err
}

// simulatorBanner finds the simulator's control page in the portal's
// "Simulated LINE platform" banner.
var simulatorBanner = regexp.MustCompile(`id="sim-banner"[^>]*>[^<]*<a href="([^"]+)/sim/"`)

// createOnSimulator registers ch with the simulator that the portal at
// baseURL announces in its banner, and returns the simulator's URL.
func createOnSimulator(ctx context.Context, client *http.Client, baseURL string, ch webhookChannel) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/", nil)
	if err != nil {
		return "", err
	}
	_, _, home, err := roundTrip(client, req)
	if err != nil {
		return "", err
	}
	m := simulatorBanner.FindSubmatch(home)
	if m == nil {
		return "", errors.New("the portal shows no simulator banner: the webhook scenario needs the portal on its built-in LINE simulator")
	}
	simURL := string(m[1])
	err = postJSON(ctx, client, simURL+"/sim/api/modules", map[string]any{
		"id": ch.lineChannelID, "name": "Bench webhook module", "secret": ch.secret,
		"redirectUris": []string{baseURL + "/modules/callback"}, "webhookUrl": baseURL + "/webhooks/line/" + ch.lineChannelID,
	}, http.StatusCreated)
	if err != nil {
		return "", fmt.Errorf("create module channel %s on the simulator: %w", ch.lineChannelID, err)
	}
	return simURL, nil
}

// isModulePath tells whether loc is /modules/{id}, where the portal sends
// the browser after registering.
func isModulePath(loc string) bool {
	u, err := url.Parse(loc)
	if err != nil {
		return false
	}
	id, ok := strings.CutPrefix(u.Path, "/modules/")
	return ok && id != "" && strings.Trim(id, "0123456789") == ""
}

// attachBot delivers LINE's attached event for the attachment the portal
// learned from the bot list: the check that the portal takes the channel's
// webhooks at all, before any load.
func attachBot(ctx context.Context, client *http.Client, baseURL string, ch webhookChannel, wb *webhookBatch) error {
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	req, err := newWebhookRequest(ctx, baseURL, ch, wb.attachedBody())
	if err != nil {
		return err
	}
	status, _, body, err := roundTrip(client, req)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("first webhook (bot attached) to %s answered %d, want 200: %.300s", req.URL.Path, status, body)
	}
	return nil
}

// roundTrip sends req and reads the whole answer.
func roundTrip(client *http.Client, req *http.Request) (status int, location string, body []byte, err error) {
	res, err := client.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer res.Body.Close()
	body, err = io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), body, err
}
