// Package linenotice sends the portal's notifications as LINE messages
// from the portal's own Official Account, through the official SDK: the
// background sender drains the outbox the store fills in the transaction
// of each change (store.ClaimLINEMessages), one portal instance at a time.
package linenotice

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"lineportal/internal/line"
	"lineportal/internal/locale"
	"lineportal/store"
	"lineportal/views"
)

// Sender pushes waiting notices as LINE messages.
type Sender struct {
	DB   *store.DB
	LINE *line.Platform
	// Token is the access token of the portal Official Account's Messaging
	// API channel; without it nothing is sent.
	Token string
	// BaseURL is the portal's public address, for the links in messages.
	BaseURL *url.URL
	// Holder names this portal instance for the sender's lease.
	Holder string
	// LeaseFor is how long a turn keeps the lease: longer than a turn
	// takes, so that no other instance sends meanwhile.
	LeaseFor time.Duration
	Log      *slog.Logger
}

// Result is what one turn did.
type Result struct {
	Held   bool // this instance held the lease
	Pushed int  // messages LINE accepted (or had accepted under their key)
	Kept   int  // messages to push again next turn (LINE unreachable, busy)
	Failed int  // messages LINE refused, not tried again
}

// Turn sends what is due: it reads the portal Official Account's quota
// (only when something is due and this instance holds the sender's
// lease), claims the messages the quota allows and
// pushes each with the retry key its message key names, so that a message
// pushed again after a lost answer goes once. A message LINE could not
// take now stays claimed for the next turn.
func (s *Sender) Turn(ctx context.Context) (Result, error) {
	var r Result
	if s.Token == "" {
		return r, nil
	}
	due, err := s.DB.LINEMessagesDue(ctx)
	if err != nil || !due {
		return r, err
	}
	if r.Held, err = s.DB.TakeLINESenderLease(ctx, s.Holder, s.LeaseFor); err != nil || !r.Held {
		return r, err
	}
	quota, err := s.LINE.MessageQuota(ctx, s.Token)
	if err != nil {
		// Without the quota nothing is claimed; the notices wait.
		return r, err
	}
	msgs, held, err := s.DB.ClaimLINEMessages(ctx, s.Holder, s.LeaseFor, quota)
	r.Held = held
	if err != nil {
		return r, err
	}
	for _, m := range msgs {
		outcome, err := s.push(ctx, m)
		switch outcome {
		case "":
			r.Kept++
			s.Log.Warn("a LINE message of notifications will be pushed again", "admin_id", m.To.ID, "line_request_id", line.RequestID(err), "error", err)
			continue
		case store.LINESent:
			r.Pushed++
		default:
			r.Failed++
			s.Log.Warn("LINE did not take a message of notifications", "admin_id", m.To.ID, "outcome", outcome, "line_request_id", line.RequestID(err), "error", err)
		}
		if err := s.DB.FinishLINEMessage(ctx, m.Key, outcome); err != nil {
			return r, err
		}
	}
	return r, nil
}

// push sends one message in its recipient's language and tells what
// became of it; "" when it is to be pushed again.
func (s *Sender) push(ctx context.Context, m store.LINEMessage) (store.LINEOutcome, error) {
	l := locale.New(locale.Match(m.To.Language), m.To.TimeZone)
	where := "/notifications"
	if len(m.Notices) == 1 {
		where = views.NoticePath(m.Notices[0])
	}
	link := *s.BaseURL
	link.Path, link.RawQuery = where, ""
	text := l.LINENotices(m.Notices, link.String())
	err := s.LINE.PushText(ctx, s.Token, "", m.To.LINEUserID, text, line.RetryKey(m.Key))
	if err == nil {
		return store.LINESent, nil
	}
	if _, refused := errors.AsType[*line.InputError](err); refused {
		return store.LINEFailed, err
	}
	apiErr, ok := errors.AsType[*line.APIError](err)
	switch {
	case !ok || apiErr.Status >= 500:
		return "", err
	case apiErr.Status == http.StatusTooManyRequests && apiErr.Message == line.MonthlyLimitMessage:
		return store.LINEHeld, err
	case apiErr.Status == http.StatusTooManyRequests:
		return "", err
	}
	return store.LINEFailed, err
}
