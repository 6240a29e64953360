package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"lineportal/internal/line"
	"lineportal/internal/portal"
)

// MaxWebhookBody caps a webhook request's body. LINE sends up to 100
// events a request (003), usually a few kilobytes; but a text message may
// be 10,000 characters, which in Japanese is 30,000 bytes of UTF-8, so a
// batch of 100 such messages and their envelopes comes to a little over
// 3 MB. 4 MiB takes that whole and still keeps a flood of bytes from the
// parser: a batch refused is lost unless LINE redelivers it.
const MaxWebhookBody = 4 << 20

// smallWebhookBody is the size of almost every batch LINE sends and more.
// Bodies larger than it are read maxLargeWebhookBodies at a time, so that
// the cap's room for LINE's rare large batches is not room for every
// sender at once: slow senders of large bodies would hold
// MaxWebhookBody each, twice over while the buffer grows.
const (
	smallWebhookBody      = 1 << 20
	maxLargeWebhookBodies = 4
	largeWebhookBodyWait  = 5 * time.Second
)

// maxWebhookBodyAnnounced is how much of a webhook body's announced length
// is allocated before its bytes arrive: LINE's 100-event batches are some
// tens of kilobytes.
const maxWebhookBodyAnnounced = 64 << 10

// handleWebhook receives LINE's webhooks for a module or Messaging API
// channel, named by its LINE channel ID. It is server to server: no
// session, and no Origin or Sec-Fetch-Site header, so cross-origin
// protection lets it through. In order:
//
//  1. the path names a channel (10 digits) with credentials in the
//     portal (404);
//  2. the body is read, at most MaxWebhookBody (413; signedWebhookBody);
//  3. X-Line-Signature is checked over the raw body with the channel
//     secret, in constant time, before anything parses it (400);
//  4. the body is parsed (400) and its events stored, each once, and
//     applied, in one transaction (500 when that fails: LINE redelivers);
//  5. 200, and LINE's connectivity check (no events) writes nothing.
//
// A refused request changes nothing. Payloads and secrets are never
// logged; the log line holds the counts.
func (s *Server) handleWebhook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lineChannelID := r.PathValue("channelID")
	if !isLINEChannelID(lineChannelID) {
		// Not a channel ID at all: no lookup, and the path stays out of
		// the log.
		s.webhookRefuse(ctx, w, http.StatusNotFound, "unknown channel", "(not a channel ID)")
		return
	}
	channelID, channelSecret, err := s.db.FindWebhookSecret(ctx, s.cfg.Secrets, lineChannelID)
	switch {
	case portal.ErrorCode(err) == portal.ENOTFOUND:
		s.webhookRefuse(ctx, w, http.StatusNotFound, "unknown channel", lineChannelID)
		return
	case err != nil:
		s.webhookFail(ctx, w, http.StatusInternalServerError, "internal error", lineChannelID, err)
		return
	}
	body, ok := s.signedWebhookBody(w, r, channelSecret, lineChannelID)
	if !ok {
		return
	}
	events, err := line.DecodeWebhook(body)
	if err != nil {
		s.webhookRefuse(ctx, w, http.StatusBadRequest, "invalid webhook body", lineChannelID)
		return
	}
	res, err := s.db.RecordWebhookEvents(ctx, channelID, events)
	if s.cfg.Observer != nil {
		if err != nil {
			s.cfg.Observer.WebhookEvents(0, 0, len(events))
		} else {
			s.cfg.Observer.WebhookEvents(res.Stored, res.Duplicates, 0)
		}
	}
	switch {
	case portal.ErrorCode(err) == portal.EINVALID:
		s.webhookRefuse(ctx, w, http.StatusBadRequest, "invalid webhook event", lineChannelID)
		return
	case err != nil:
		s.webhookFail(ctx, w, http.StatusInternalServerError, "internal error", lineChannelID, err)
		return
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "webhook",
		slog.String("request_id", requestID(ctx)),
		slog.String("line_channel_id", lineChannelID),
		slog.Int("events", res.Received),
		slog.Int("stored", res.Stored),
		slog.Int("duplicates", res.Duplicates),
		slog.Int("applied", res.Applied),
	)
	writeWebhookAnswer(w, http.StatusOK, "")
}

// signedWebhookBody reads a webhook's body, at most MaxWebhookBody, and
// checks X-Line-Signature over it with channelSecret, in constant time,
// before anything parses it. It answers a body it refuses itself (413,
// 400) and then returns false; channel names the receiver in the log.
func (s *Server) signedWebhookBody(w http.ResponseWriter, r *http.Request, channelSecret, channel string) ([]byte, bool) {
	ctx := r.Context()
	if r.ContentLength > MaxWebhookBody {
		s.webhookRefuse(ctx, w, http.StatusRequestEntityTooLarge, "request body too large", channel)
		return nil, false
	}
	// One buffer of the announced size: io.ReadAll's growing one copied
	// a 40 KB batch several times over. Only so much is taken on the
	// sender's word; a larger body grows it as its bytes arrive.
	buf := bytes.NewBuffer(make([]byte, 0, min(max(r.ContentLength, 0), maxWebhookBodyAnnounced)+bytes.MinRead))
	capped := http.MaxBytesReader(w, r.Body, MaxWebhookBody)
	_, err := buf.ReadFrom(io.LimitReader(capped, smallWebhookBody))
	if err == nil && buf.Len() == smallWebhookBody {
		// More may follow: read it in one of the places for large bodies,
		// with the time to read it. Senders that hold every place (the
		// signature is checked once the body is read) make a batch wait
		// a little, then answer 503, which LINE redelivers.
		select {
		case s.largeWebhookBodies <- struct{}{}:
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(ReadTimeout)) // unsupported only in tests' recorders
			_, err = buf.ReadFrom(capped)
			<-s.largeWebhookBodies
		case <-time.After(largeWebhookBodyWait):
			s.webhookRefuse(ctx, w, http.StatusServiceUnavailable, "too many large bodies at once; try again", channel)
			return nil, false
		case <-ctx.Done():
			return nil, false // the sender went away: no one to answer
		}
	}
	body := buf.Bytes()
	if err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			s.webhookRefuse(ctx, w, http.StatusRequestEntityTooLarge, "request body too large", channel)
			return nil, false
		}
		s.webhookRefuse(ctx, w, http.StatusBadRequest, "unreadable request body", channel)
		return nil, false
	}
	if !line.ValidSignature(channelSecret, body, r.Header.Get("X-Line-Signature")) {
		s.webhookRefuse(ctx, w, http.StatusBadRequest, "invalid signature", channel)
		return nil, false
	}
	return body, true
}

// portalOAChannel names the portal's own Official Account's channel in the
// webhook log lines, for want of its channel ID, which it needs no more.
const portalOAChannel = "portal-oa"

// handlePortalOAWebhook receives the webhooks of the portal's own Official
// Account's Messaging API channel (LINE_OA_CHANNEL_SECRET): its follow and
// unfollow events keep the friend flags of the people the portal knows
// current between sign-ins, so that notices go by LINE to whoever is its
// friend now (portal.FriendshipChanges). Its events are not kept: no page
// shows them. Checked as handleWebhook's are; 404 when no secret is set.
func (s *Server) handlePortalOAWebhook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if s.cfg.PortalOA.ChannelSecret == "" {
		s.webhookRefuse(ctx, w, http.StatusNotFound, "unknown channel", portalOAChannel)
		return
	}
	body, ok := s.signedWebhookBody(w, r, s.cfg.PortalOA.ChannelSecret, portalOAChannel)
	if !ok {
		return
	}
	events, err := line.DecodeWebhook(body)
	if err != nil {
		s.webhookRefuse(ctx, w, http.StatusBadRequest, "invalid webhook body", portalOAChannel)
		return
	}
	applied, err := s.db.RecordFriendships(ctx, portal.FriendshipChanges(events))
	if err != nil {
		s.webhookFail(ctx, w, http.StatusInternalServerError, "internal error", portalOAChannel, err)
		return
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "webhook",
		slog.String("request_id", requestID(ctx)),
		slog.String("line_channel_id", portalOAChannel),
		slog.Int("events", len(events)),
		slog.Int("applied", applied),
	)
	writeWebhookAnswer(w, http.StatusOK, "")
}

// isLINEChannelID tells whether s has the shape of a LINE channel ID: 10
// digits.
func isLINEChannelID(s string) bool {
	if len(s) != 10 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// webhookRefuse answers a request the receiver refuses, with LINE's error
// shape. The log line says why, never what the request carried.
func (s *Server) webhookRefuse(ctx context.Context, w http.ResponseWriter, status int, message, lineChannelID string) {
	s.log.LogAttrs(ctx, slog.LevelWarn, "webhook refused",
		slog.String("request_id", requestID(ctx)),
		slog.String("line_channel_id", lineChannelID),
		slog.Int("status", status),
		slog.String("reason", message),
	)
	writeWebhookAnswer(w, status, message)
}

// webhookFail answers a webhook the portal could not take because of its
// own failure; LINE redelivers it.
func (s *Server) webhookFail(ctx context.Context, w http.ResponseWriter, status int, message, lineChannelID string, err error) {
	s.log.LogAttrs(ctx, slog.LevelError, "webhook failed",
		slog.String("request_id", requestID(ctx)),
		slog.String("line_channel_id", lineChannelID),
		slog.Any("error", err),
	)
	writeWebhookAnswer(w, status, message)
}

// writeWebhookAnswer writes a small JSON body: {} on success, else LINE's
// error shape {"message": …}. Messages are fixed ASCII phrases.
func writeWebhookAnswer(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if message == "" {
		io.WriteString(w, "{}")
		return
	}
	io.WriteString(w, `{"message":"`+message+`"}`)
}
