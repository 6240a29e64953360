package line

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"lineportal/internal/portal"
)

// ValidSignature tells whether signature (X-Line-Signature) is LINE's
// signature of the raw body with the channel secret: the standard Base64
// of HMAC-SHA256(secret, body), compared in constant time.
func ValidSignature(channelSecret string, body []byte, signature string) bool {
	if channelSecret == "" || signature == "" {
		return false
	}
	// The official SDK compares the HMAC (in constant time); its base64
	// decoding forgives non-zero padding bits, so several spellings of one
	// signature would pass. Only the canonical spelling is accepted.
	got, err := base64.StdEncoding.Strict().DecodeString(signature)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	return webhook.ValidateSignature(channelSecret, signature, body)
}

// webhookRequest is a webhook body: the bot it is for and its events.
type webhookRequest struct {
	Destination string        `json:"destination"`
	Events      []eventFields `json:"events"`
}

// eventFields are the properties of one event the portal reads.
//
// The portal decodes events itself rather than through the SDK
// (linetest.ParseWebhook, the official SDK): the SDK's decoding costs about 3 ms and 17,000
// allocations per 100-event batch on this machine, most of the receiver's
// budget, and keeps no event's own JSON. The mapping matches
// linetest.ParseWebhook's, which a test checks on every event shape LINE
// documents.
type eventFields struct {
	Type            string `json:"type"`
	Mode            string `json:"mode"`
	Timestamp       int64  `json:"timestamp"`
	WebhookEventID  string `json:"webhookEventId"`
	DeliveryContext struct {
		IsRedelivery bool `json:"isRedelivery"`
	} `json:"deliveryContext"`
	Source *struct {
		Type    string `json:"type"`
		UserID  string `json:"userId"`
		GroupID string `json:"groupId"`
		RoomID  string `json:"roomId"`
	} `json:"source"`
	Module struct {
		Type   string   `json:"type"`
		BotID  string   `json:"botId"`
		Scopes []string `json:"scopes"`
		Reason string   `json:"reason"`
	} `json:"module"`
	ChatControl struct {
		ExpireAt int64 `json:"expireAt"`
	} `json:"chatControl"`
	Follow struct {
		IsUnblocked bool `json:"isUnblocked"`
	} `json:"follow"`
}

// DecodeWebhook decodes a verified webhook body into the domain's events,
// in LINE's order, each with its own JSON as LINE sent it.
//
// encoding/json reads the body once to check it and once to decode it;
// each event's own bytes are then cut by eventsOf, which needs no checking
// of a body already checked, out of one string copy of the body: the
// events share it, and storing them copies nothing more. Decoding each
// event apart to keep its bytes (a json.RawMessage or an UnmarshalJSON
// per event) read every byte twice more: with those passes, decoding was
// nine tenths of the receiver's own CPU, about 1 ms a 100-event batch
// against 0.4 ms now (BenchmarkWebhookParse; issue 15).
func DecodeWebhook(body []byte) ([]portal.WebhookEvent, error) {
	var req webhookRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, err
	}
	spans := eventsOf(body)
	if len(spans) != len(req.Events) {
		return nil, errors.New("line: webhook events could not be told apart")
	}
	whole := string(body)
	out := make([]portal.WebhookEvent, len(req.Events))
	for i := range req.Events {
		out[i] = req.Events[i].domain(req.Destination, whole[spans[i].start:spans[i].end])
	}
	return out, nil
}

// span is where a value is written in a body: body[start:end].
type span struct{ start, end int }

// eventsOf returns where the elements of the body's "events" array are
// written, for a body json.Unmarshal has accepted, matching its key as
// encoding/json does: the last member whose name, unescaped, equals
// "events" without regard to case. It returns nil when that member is not
// an array.
func eventsOf(body []byte) []span {
	var events []span
	i := skipSpace(body, 0)
	if body[i] != '{' {
		return nil // null, which json.Unmarshal takes for no events
	}
	for i++; ; {
		i = skipSpace(body, i)
		if body[i] == '}' {
			return events
		}
		keyEnd := skipValue(body, i)
		isEvents := keyIs(body[i:keyEnd], "events")
		i = skipSpace(body, keyEnd) + 1 // past the ':'
		i = skipSpace(body, i)
		end := skipValue(body, i)
		if isEvents {
			events = elements(body, i)
		}
		i = skipSpace(body, end)
		if body[i] == ',' {
			i++
		}
	}
}

// keyIs tells whether the quoted member name matches name as
// encoding/json matches a field's name.
func keyIs(quoted []byte, name string) bool {
	if bytes.IndexByte(quoted, '\\') < 0 {
		return strings.EqualFold(string(quoted[1:len(quoted)-1]), name)
	}
	var key string
	return json.Unmarshal(quoted, &key) == nil && strings.EqualFold(key, name)
}

// elements returns where the elements of the array that starts at b[i]
// are written, or nil for a value that is not an array (null, say).
func elements(b []byte, i int) []span {
	if b[i] != '[' {
		return nil
	}
	elems := []span{}
	for i++; ; {
		i = skipSpace(b, i)
		if b[i] == ']' {
			return elems
		}
		end := skipValue(b, i)
		elems = append(elems, span{i, end})
		i = skipSpace(b, end)
		if b[i] == ',' {
			i++
		}
	}
}

// skipValue returns the end of the valid JSON value that starts at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		for i++; b[i] != '"'; i++ {
			if b[i] == '\\' {
				i++ // the escaped byte, a quote maybe
			}
		}
		return i + 1
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '"':
				i = skipValue(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	default: // a number, true, false or null
		for i < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[i])) {
			i++
		}
		return i
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// domain maps the event as linetest.ParseWebhook does: BotID is the module
// event's botId for attached and detached, else the destination; source
// IDs as the source's type has them.
func (f *eventFields) domain(destination, raw string) portal.WebhookEvent {
	ev := portal.WebhookEvent{
		WebhookEventID: f.WebhookEventID,
		Type:           f.Type,
		Mode:           f.Mode,
		Destination:    destination,
		BotID:          destination,
		IsRedelivery:   f.DeliveryContext.IsRedelivery,
		Payload:        raw,
	}
	if f.Timestamp != 0 {
		ev.Timestamp = time.UnixMilli(f.Timestamp)
	}
	if src := f.Source; src != nil {
		ev.Source.Type = src.Type
		switch src.Type {
		case "user":
			ev.Source.UserID = src.UserID
		case "group":
			ev.Source.GroupID, ev.Source.UserID = src.GroupID, src.UserID
		case "room":
			ev.Source.RoomID, ev.Source.UserID = src.RoomID, src.UserID
		}
	}
	switch f.Type {
	case portal.EventModule:
		ev.ModuleType = f.Module.Type
		switch f.Module.Type {
		case portal.ModuleAttached:
			ev.BotID, ev.Scopes = f.Module.BotID, f.Module.Scopes
		case portal.ModuleDetached:
			ev.BotID, ev.DetachReason = f.Module.BotID, f.Module.Reason
		}
	case portal.EventActivated:
		if f.ChatControl.ExpireAt != 0 {
			ev.ExpireAt = time.UnixMilli(f.ChatControl.ExpireAt)
		}
	case portal.EventFollow:
		ev.IsUnblocked = f.Follow.IsUnblocked
	}
	return ev
}
