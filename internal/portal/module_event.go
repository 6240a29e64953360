package portal

import (
	"slices"
	"time"
)

// Webhook events (001, 003; line-platform.md C). The portal stores every
// event once, keyed by the channel and LINE's webhookEventId, and applies
// the ones it knows to the state it keeps, in the transaction that stores
// them. The rules below are that state's transitions; an event of a type
// the portal does not know is kept and changes nothing.
//
// LINE may deliver events late and out of order (a failed delivery is
// redelivered after newer ones got through), so each piece of state
// remembers LINE's time of the event that last set it, and an older event
// is stored but changes nothing: a late botSuspended can't undo the
// botResumed that followed it.

// Webhook event types (the event's "type") the portal acts on.
const (
	EventModule       = "module" // attached or detached, in ModuleType
	EventActivated    = "activated"
	EventDeactivated  = "deactivated"
	EventBotSuspended = "botSuspended"
	EventBotResumed   = "botResumed"
	EventFollow       = "follow"
	EventUnfollow     = "unfollow"
)

// Module event types ("module.type").
const (
	ModuleAttached = "attached"
	ModuleDetached = "detached"
)

// EventSource is who an event came from; zero when it has none.
type EventSource struct {
	Type    string // "user", "group" or "room"
	UserID  string // for a module channel, the 68-character L… ID
	GroupID string
	RoomID  string
}

// ChatID is the chat the event happened in: the group, the room, or the
// user's 1:1 chat; "" when the event has no source.
func (s EventSource) ChatID() string {
	switch {
	case s.GroupID != "":
		return s.GroupID
	case s.RoomID != "":
		return s.RoomID
	}
	return s.UserID
}

// WebhookEvent is one event LINE sent to a channel's webhook, with the
// properties the portal reads and the event's own JSON as LINE sent it.
type WebhookEvent struct {
	ID             int64 // the portal's row; 0 before it is stored
	ChannelID      int64
	WebhookEventID string // LINE's ID (a ULID); the same on redelivery
	Type           string // "module", "activated", "follow", "message", …
	ModuleType     string // "attached" or "detached" for type "module"
	Mode           string // "active" or "standby"
	Destination    string // the bot the webhook was sent for
	BotID          string // the bot the event is about: module.botId, else Destination
	Source         EventSource
	Timestamp      time.Time // when it happened, by LINE's clock
	IsRedelivery   bool      // as first received

	Scopes       []string  // attached: the granted scopes
	DetachReason string    // detached: LINE's reason ("bot_deleted"); "" when none
	ExpireAt     time.Time // activated: when chat control ends; zero = no time limit
	IsUnblocked  bool      // follow: an unblock rather than a new friend

	// Payload is the event's JSON as LINE sent it; "" once the portal
	// forgot the user it came from (ForgetUser).
	Payload     string
	ReceivedAt  time.Time
	ProcessedAt time.Time // when its state change was applied; zero for a type the portal does not act on
}

// Kind names the event for pages and logs: the module event's type
// ("attached", "detached") or the event's type.
func (e WebhookEvent) Kind() string {
	if e.Type == EventModule && e.ModuleType != "" {
		return e.ModuleType
	}
	return e.Type
}

// EventEffect is which part of the portal's state an event changes.
type EventEffect int

const (
	EffectNone        EventEffect = iota // kept only: a type the portal does not act on
	EffectAttachment                     // attached, detached, botSuspended, botResumed
	EffectChatControl                    // activated, deactivated
	EffectFollow                         // follow: the user's record for the account
	EffectForgetUser                     // unfollow: everything kept about the user for the account goes
	// EffectForgetUserHere is an unfollow on a channel not attached to the
	// account (its Messaging API channel, say): the user's events that
	// channel holds go, and nothing else; the block is remembered for that
	// channel only.
	EffectForgetUserHere
)

// Effect tells which part of the state ev changes. An event missing what
// its effect needs (a valid bot ID, a chat, a user) is kept but has none.
func (e WebhookEvent) Effect() EventEffect {
	switch e.Type {
	case EventModule:
		if (e.ModuleType == ModuleAttached || e.ModuleType == ModuleDetached) && IsBotID(e.BotID) {
			return EffectAttachment
		}
	case EventBotSuspended, EventBotResumed:
		if IsBotID(e.BotID) {
			return EffectAttachment
		}
	case EventActivated, EventDeactivated:
		if IsBotID(e.BotID) && e.Source.ChatID() != "" {
			return EffectChatControl
		}
	case EventFollow:
		if e.BotID != "" && e.Source.UserID != "" {
			return EffectFollow
		}
	case EventUnfollow:
		if e.BotID != "" && e.Source.UserID != "" {
			return EffectForgetUser
		}
	}
	return EffectNone
}

// On is what an event with effect f changes on the channel that received
// it, given whether that channel is currently attached to the event's bot
// (attachedToReceiver: the channel's own attachment to ev.BotID exists and
// is in state Attached).
//
// Only the channel secret binds a webhook request to a channel; the bot an
// event names (destination, module.botId) is whatever the sender signed.
// So an event about a bot's users or chats (follow, unfollow, activated,
// deactivated) counts only when the receiving channel is attached to that
// bot: a channel can't create, end or delete state of an Official Account
// it is not attached to, and so not of another channel's either. An
// unfollow there still deletes the user's events the receiving channel
// holds (EffectForgetUserHere): they are that channel's own data, and
// LINE asks that every message of a user who blocks the account go (003).
// EffectAttachment events always reach NextAttachment: they touch only the
// receiving channel's own attachment to the bot (keyed by that channel and
// bot), and NextAttachment never lets them create or revive one.
//
// An event that changes nothing is still stored, once (its webhookEventId
// recognises a redelivery, and it stays in the channel's history), but is
// not marked processed.
func (f EventEffect) On(attachedToReceiver bool) EventEffect {
	switch f {
	case EffectAttachment:
		return f
	case EffectChatControl, EffectFollow:
		if attachedToReceiver {
			return f
		}
	case EffectForgetUser:
		if attachedToReceiver {
			return f
		}
		return EffectForgetUserHere
	}
	return EffectNone
}

// CheckWebhookEvent tells whether an event can be stored: it needs LINE's
// event ID, which makes a redelivery recognisable, and a type.
func CheckWebhookEvent(e WebhookEvent) error {
	switch {
	case e.WebhookEventID == "" || len(e.WebhookEventID) > 128:
		return Refuse(EINVALID, RWebhookEventID)
	case e.Type == "":
		return Refuse(EINVALID, RWebhookEventType)
	}
	return nil
}

// NextAttachment is a channel's attachment to ev.BotID after an
// EffectAttachment event; cur is nil when the channel has none. changed is
// false when the event changes nothing: it is older than the state it
// would change, repeats it, or concerns a bot the portal has no attachment
// to (only attached creates one).
//
//   - attached: a new attachment, or a detached one attached again (not
//     suspended, no reason); on a current attachment it updates the scopes.
//   - detached: detached at the event's time, with LINE's reason
//     bot_deleted, or, after botSuspended, "the Official Account ended its
//     use of the module", else "LINE reported the module detached". Its
//     chat controls end with it (the store clears them).
//   - botSuspended / botResumed: suspended or not, on a current attachment.
func NextAttachment(cur *ModuleAttachment, ev WebhookEvent) (next ModuleAttachment, changed bool) {
	// An attached event never creates or revives an attachment: anyone
	// holding a channel's secret can sign one naming any bot, and an
	// attachment would let the channel's events act on that bot's users.
	// The portal learns attachments from LINE itself, asked with the
	// channel's own credentials: the attach code exchange and the bot list.
	if cur == nil {
		return ModuleAttachment{}, false
	}
	a := *cur
	switch {
	case ev.Type == EventModule && ev.Timestamp.Before(a.lifecycleAt()):
		return a, false
	case ev.Type == EventModule && ev.ModuleType == ModuleAttached:
		if a.State != Attached || slices.Equal(a.Scopes, ev.Scopes) {
			return a, false
		}
		a.Scopes = slices.Clone(ev.Scopes)
		return a, true
	case ev.Type == EventModule && ev.ModuleType == ModuleDetached:
		if a.State != Attached {
			return a, false
		}
		reason := DetachOther
		switch {
		case ev.DetachReason == string(DetachBotDeleted):
			reason = DetachBotDeleted
		case a.Suspended:
			reason = DetachEndedUse
		}
		return DetachBot(a, reason, ev.Timestamp), true
	case ev.Type == EventBotSuspended || ev.Type == EventBotResumed:
		suspended := ev.Type == EventBotSuspended
		if a.State != Attached || ev.Timestamp.Before(a.AttachedAt) || ev.Timestamp.Before(a.SuspensionChangedAt) || a.Suspended == suspended {
			return a, false
		}
		a.Suspended, a.SuspensionChangedAt = suspended, ev.Timestamp
		return a, true
	}
	return a, false
}

// AttachBot is the attachment after the module was attached to bot at at:
// a new one when cur is nil; on a detached one, attached again with a
// clean slate; on a current one, the new scopes.
func AttachBot(cur *ModuleAttachment, bot AttachedBot, at time.Time) ModuleAttachment {
	var a ModuleAttachment
	if cur != nil {
		a = *cur
	}
	a.Bot.BotID = bot.BotID
	a.Scopes = slices.Clone(bot.Scopes)
	if a.Scopes == nil {
		a.Scopes = []string{}
	}
	if cur == nil || cur.State != Attached {
		a.State, a.AttachedAt = Attached, at
		a.DetachedAt, a.DetachReason = time.Time{}, DetachNone
		a.Suspended, a.SuspensionChangedAt = false, time.Time{}
	}
	return a
}

// DetachBot is the attachment after the module was detached at at. A
// detached bot is no longer suspended: that state belonged to the
// attachment, and the reason (DetachEndedUse) keeps what it meant.
func DetachBot(a ModuleAttachment, reason DetachReason, at time.Time) ModuleAttachment {
	a.State, a.DetachedAt, a.DetachReason = Detached, at, reason
	a.Suspended = false
	a.ChatsUnderControl = 0
	return a
}

// NextChatControl is a chat's control state after an EffectChatControl
// event, for the attachment a (nil: the channel has none to ev.BotID) and
// the chat's current state cur (nil: none kept). The module only controls
// chats of a current attachment. activated makes it the Active Channel
// until ev.ExpireAt (zero: no time limit); deactivated ends that.
func NextChatControl(a *ModuleAttachment, cur *ChatControl, ev WebhookEvent) (next ChatControl, changed bool) {
	if a == nil || a.State != Attached || ev.Timestamp.Before(a.AttachedAt) {
		return ChatControl{}, false
	}
	c := ChatControl{ChatID: ev.Source.ChatID()}
	if cur != nil {
		if ev.Timestamp.Before(cur.ChangedAt) {
			return *cur, false
		}
		c = *cur
	}
	switch ev.Type {
	case EventActivated:
		if cur != nil && c.Active && c.ExpireAt.Equal(ev.ExpireAt) {
			return c, false
		}
		c.Active, c.ExpireAt = true, ev.ExpireAt
	case EventDeactivated:
		if cur == nil || !c.Active {
			return c, false
		}
		c.Active, c.ExpireAt = false, time.Time{}
	default:
		return c, false
	}
	c.ChangedAt = ev.Timestamp
	return c, true
}

// FollowRecord is the record a follow event leaves for its user and
// account. Stored over an earlier record, the newer follow wins and the
// first-seen time stays.
func FollowRecord(ev WebhookEvent) OAUser {
	return OAUser{BotID: ev.BotID, UserID: ev.Source.UserID, FirstSeenAt: ev.Timestamp, FollowedAt: ev.Timestamp, Unblocked: ev.IsUnblocked}
}

// Forgetting is what an unfollow (the user blocked the account) deletes:
// for the account BotID and the user UserID, what the portal keeps of them
// until LINE's time of the block, Until. A follow or chat control LINE
// reports later than that (the user followed again) stays.
type Forgetting struct {
	BotID, UserID string
	Until         time.Time
}

// ForgetUser is what the unfollow ev deletes. With EffectForgetUser that is
// the user's record, their chat controls, and the payload and user ID of
// every event that came from them until then, on every channel that holds
// some: the user blocked the account, so every copy of their data for it
// goes. With EffectForgetUserHere it is only the payload and user ID of
// the events the receiving channel holds. The events' rows stay, with
// LINE's event ID, so that a redelivery is still recognised as one and
// changes nothing. The block itself is remembered (ForgottenOnArrival).
func ForgetUser(ev WebhookEvent) Forgetting {
	return Forgetting{BotID: ev.BotID, UserID: ev.Source.UserID, Until: ev.Timestamp}
}

// Covers tells whether ev is one of the events f deletes: from its user,
// for its account, and not later than the block.
func (f Forgetting) Covers(ev WebhookEvent) bool {
	return ev.BotID == f.BotID && ev.Source.UserID == f.UserID && !ev.Timestamp.After(f.Until)
}

// Block is what the portal knows, when an event arrives, of its user's
// latest block of its account: when (zero: never), and whether an
// unfollow earlier in the event's own batch set it.
type Block struct {
	At        time.Time
	ThisBatch bool
}

// ForgottenOnArrival tells whether ev, from a user whose latest block of
// its account is b, comes from before that block: LINE delivered it late
// (a redelivery, or out of order), after the block deleted what the user
// had sent until then, its own millisecond included. Such an event is
// stored without its payload and user ID and changes nothing of theirs
// (WhenForgotten). One at the block's very millisecond that follows the
// unfollow in the same batch is not forgotten: LINE's order there says it
// came after.
func ForgottenOnArrival(ev WebhookEvent, b Block) bool {
	if b.ThisBatch {
		return ev.Timestamp.Before(b.At)
	}
	return !b.At.IsZero() && !ev.Timestamp.After(b.At)
}

// WhenForgotten is what an event with effect f still changes when it is
// forgotten on arrival: in a group or room, its chat's control, which is
// the group's, not the user's; nothing else.
func (f EventEffect) WhenForgotten(ev WebhookEvent) EventEffect {
	if f == EffectChatControl && (ev.Source.GroupID != "" || ev.Source.RoomID != "") {
		return f
	}
	return EffectNone
}

// WebhookResult counts what storing a batch of events did.
type WebhookResult struct {
	Received   int // events in the batch
	Stored     int // new events, stored now
	Duplicates int // events stored before (a redelivery, or a copy delivered twice): nothing changed
	Applied    int // new events that changed the portal's state
}
