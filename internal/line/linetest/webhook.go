// Package linetest reads LINE webhooks the way the official SDK does
// (linebot/webhook), as the reference the portal's own fast decoder and
// the simulator's deliveries are tested against.
package linetest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
)

// ErrInvalidSignature means a webhook request was not signed with the
// channel secret: it did not come from LINE.
var ErrInvalidSignature = webhook.ErrInvalidSignature

// VerifyAndParse checks a webhook body's X-Line-Signature with the channel
// secret (in constant time) and only then parses it with the SDK.
func VerifyAndParse(secret string, body []byte, signature string) (*webhook.CallbackRequest, error) {
	if secret == "" || !webhook.ValidateSignature(secret, signature, body) {
		return nil, ErrInvalidSignature
	}
	var cb webhook.CallbackRequest
	if err := json.Unmarshal(body, &cb); err != nil {
		return nil, fmt.Errorf("line: webhook body: %w", err)
	}
	return &cb, nil
}

// Event is a webhook event flattened for storage. Events of types the
// portal does not know keep their type and raw JSON.
type Event struct {
	Type           string    // "module", "activated", "follow", …
	WebhookEventID string    // the same on redelivery: store each event once
	IsRedelivery   bool      //
	Timestamp      time.Time // when the event happened
	Mode           string    // "active" or "standby"
	Destination    string    // the bot the event is for
	BotID          string    // the bot the event is about: module.botId, else Destination
	Source         Source    // zero when the event has none

	ModuleType   string    // "attached" or "detached" for type "module"
	Scopes       []string  // attached: the granted scopes
	DetachReason string    // detached: "bot_deleted"; "" when LINE gave none
	ExpireAt     time.Time // activated: when chat control ends; zero = no time limit
	IsUnblocked  bool      // follow: the user unblocked rather than added the account

	Raw json.RawMessage // the event as LINE sent it
}

// Source is who an event came from.
type Source struct {
	Type    string // "user", "group" or "room"
	UserID  string // for a module channel, the 68-character L… ID
	GroupID string
	RoomID  string
}

// ParseWebhook verifies and parses a webhook body into flat events, in
// the order LINE sent them.
func ParseWebhook(secret string, body []byte, signature string) ([]Event, error) {
	cb, err := VerifyAndParse(secret, body, signature)
	if err != nil {
		return nil, err
	}
	// The SDK keeps no event's own JSON; decode the list again for it.
	var raw struct {
		Events []json.RawMessage `json:"events"`
	}
	if err := json.Unmarshal(body, &raw); err != nil || len(raw.Events) != len(cb.Events) {
		return nil, errors.New("line: webhook body: events do not match")
	}
	events := make([]Event, len(cb.Events))
	for i, ev := range cb.Events {
		events[i] = flatten(cb.Destination, ev, raw.Events[i])
	}
	return events, nil
}

// flatten maps an SDK event to an Event. The properties every event has
// are read from its JSON, whatever its type; the SDK's event values, which
// are value types, give the properties of the types the portal knows.
func flatten(destination string, ev webhook.EventInterface, raw json.RawMessage) Event {
	var c struct {
		Source          json.RawMessage `json:"source"`
		Timestamp       int64           `json:"timestamp"`
		Mode            string          `json:"mode"`
		WebhookEventID  string          `json:"webhookEventId"`
		DeliveryContext struct {
			IsRedelivery bool `json:"isRedelivery"`
		} `json:"deliveryContext"`
	}
	_ = json.Unmarshal(raw, &c) // the SDK decoded the same JSON already
	out := Event{
		Type: ev.GetType(), WebhookEventID: c.WebhookEventID, IsRedelivery: c.DeliveryContext.IsRedelivery,
		Mode: c.Mode, Destination: destination, BotID: destination, Raw: raw,
	}
	if c.Timestamp != 0 {
		out.Timestamp = time.UnixMilli(c.Timestamp)
	}
	if len(c.Source) > 0 {
		source, _ := webhook.UnmarshalSource(c.Source)
		out.Source = flattenSource(source)
	}
	switch e := ev.(type) {
	case webhook.ModuleEvent:
		switch m := e.Module.(type) {
		case webhook.AttachedModuleContent:
			out.ModuleType, out.BotID, out.Scopes = "attached", m.BotId, m.Scopes
		case webhook.DetachedModuleContent:
			out.ModuleType, out.BotID, out.DetachReason = "detached", m.BotId, string(m.Reason)
		case webhook.ModuleContentInterface:
			out.ModuleType = m.GetType()
		}
	case webhook.ActivatedEvent:
		if e.ChatControl != nil && e.ChatControl.ExpireAt != 0 {
			out.ExpireAt = time.UnixMilli(e.ChatControl.ExpireAt)
		}
	case webhook.FollowEvent:
		out.IsUnblocked = e.Follow != nil && e.Follow.IsUnblocked
	}
	return out
}

func flattenSource(s webhook.SourceInterface) Source {
	switch src := s.(type) {
	case webhook.UserSource:
		return Source{Type: "user", UserID: src.UserId}
	case webhook.GroupSource:
		return Source{Type: "group", GroupID: src.GroupId, UserID: src.UserId}
	case webhook.RoomSource:
		return Source{Type: "room", RoomID: src.RoomId, UserID: src.UserId}
	case webhook.SourceInterface:
		return Source{Type: src.GetType()}
	}
	return Source{}
}

// Sign is LINE's X-Line-Signature of body with the channel secret: the
// standard Base64 of HMAC-SHA256(secret, body).
func Sign(channelSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(channelSecret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
