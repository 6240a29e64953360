package portal

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Module channels (001, "Module"): a channel of kind module that LINE
// Official Accounts attach to. The portal keeps its credentials (sealed),
// the bots it is attached to and the state LINE's webhooks report about
// each: attached or detached (and why), suspended, and the chats the module
// controls.

// Audit actions of module channels. Their subject is the module channel
// (SubjectChannel); the entry names the bot.
const (
	ActionModuleRegister     AuditAction = "module.register"        // a module channel and its credentials; the secret is never in the entry
	ActionCredentialsSet     AuditAction = "module.credentials_set" // a channel's secret and token replaced
	ActionModuleAttach       AuditAction = "module.attach"          // recorded after the attach callback's code exchange
	ActionModuleDetach       AuditAction = "module.detach"
	ActionChatControlAcquire AuditAction = "module.chat_control_acquire"
	ActionChatControlRelease AuditAction = "module.chat_control_release"
)

// ScopeMessageReceive is the attach scope that lets a module receive
// webhooks (module events included) and take chat control.
const ScopeMessageReceive = "message:receive"

const (
	channelSecretLength  = 32
	maxAccessTokenLength = 2048
)

// ModuleCredentials are what the portal needs to act as a channel and to
// check its webhooks: the channel secret (signs webhooks, exchanges attach
// codes) and a channel access token (calls LINE's APIs). They never appear
// in a page, a log line or the audit log: String and LogValue redact them.
type ModuleCredentials struct {
	ChannelID     int64  // the portal's ID of the channel
	LINEChannelID string // the 10 digits LINE assigns
	ChannelSecret string
	AccessToken   string
	// TokenExpiresAt is when a token the portal issued itself (a
	// stateless token, from the channel ID and secret) expires; zero for a
	// token an Admin pasted, whose expiry the portal does not know.
	TokenExpiresAt time.Time
}

// TokenRenewalMargin is how long before its expiry the portal replaces a
// token it issued: a call is never made with a token about to expire.
const TokenRenewalMargin = time.Minute

// NeedsNewToken tells whether the portal must issue a new token before
// calling LINE at now: its own token is expired or about to be. A pasted
// token is used as it is.
func (c ModuleCredentials) NeedsNewToken(now time.Time) bool {
	return !c.TokenExpiresAt.IsZero() && !now.Add(TokenRenewalMargin).Before(c.TokenExpiresAt)
}

// String redacts the secret and the token, so that printing the value by
// mistake (%v, %+v, %s) shows neither.
func (c ModuleCredentials) String() string {
	return fmt.Sprintf("ModuleCredentials{channel %s: secret and token redacted}", c.LINEChannelID)
}

// GoString redacts them for %#v too.
func (c ModuleCredentials) GoString() string { return c.String() }

// LogValue redacts them in structured logs.
func (c ModuleCredentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("line_channel_id", c.LINEChannelID), slog.String("credentials", "redacted"))
}

// CheckChannelSecret tells whether a channel secret is the kind LINE
// issues (see CheckModuleCredentials).
func CheckChannelSecret(channelSecret string) error {
	secret := strings.TrimSpace(channelSecret)
	if len(secret) != channelSecretLength || strings.Trim(secret, "0123456789abcdef") != "" {
		return FieldRefusal("channel_secret", RChannelSecretFormat)
	}
	return nil
}

// CheckModuleCredentials tells whether a channel secret and an access token
// are the kind LINE issues: the secret is 32 hexadecimal digits (as the
// Basic settings tab of the LINE Developers Console shows it; webhooks are
// signed with exactly these characters, so their case matters), the token
// a single word, or none: the portal then issues stateless tokens with the
// channel ID and secret when it needs one. Both are trimmed of surrounding
// spaces first, as a pasted value often carries some.
func CheckModuleCredentials(channelSecret, accessToken string) error {
	var tokenRefusal error
	if token := strings.TrimSpace(accessToken); len(token) > maxAccessTokenLength || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		tokenRefusal = FieldRefusal("access_token", RAccessTokenSpaces)
	}
	// No token is fine: the portal issues stateless tokens with the secret.
	return FieldRefusals(CheckChannelSecret(channelSecret), tokenRefusal)
}

// CheckNewModuleChannel tells whether a module channel can be registered
// with these credentials.
func CheckNewModuleChannel(ch Channel, channelSecret, accessToken string) error {
	if ch.Kind != KindModule {
		return FieldRefusal("kind", RModuleOnly)
	}
	return FieldRefusals(CheckNewChannel(ch), CheckModuleCredentials(channelSecret, accessToken))
}

// CanRegisterUnderProvider tells whether an admin may register a channel
// under an existing provider: one they work in, that is, hold a role on
// one of its channels, as in the LINE Developers Console (anyone may
// register one under a new provider, CheckNewProvider). The refusal is the
// same whether or not the provider exists, so that provider IDs can't be
// probed.
func CanRegisterUnderProvider(worksInProvider bool) error {
	if worksInProvider {
		return nil
	}
	return OnField(Refuse(EFORBIDDEN, RProviderNotYours), "provider_id")
}

// CanSetCredentials tells whether an admin with role may replace the
// credentials of ch: an Admin of a module or Messaging API channel (whose
// webhooks the portal checks with the secret).
func CanSetCredentials(role ChannelRole, ch Channel) error {
	if ch.Kind != KindModule && ch.Kind != KindMessagingAPI {
		return Refuse(EINVALID, RCredentialsKind, "Kind", ch.Kind)
	}
	return requireChannelAdmin(role, TermChangeCredentials)
}

// AttachmentState is where a module channel stands with one bot.
type AttachmentState string

const (
	Attached AttachmentState = "attached"
	Detached AttachmentState = "detached"
)

var attachmentStateNames = map[AttachmentState]string{Attached: "Attached", Detached: "Detached"}

// String returns "Attached" or "Detached".
func (s AttachmentState) String() string { return nameOr(attachmentStateNames, s) }

// DetachReason is why a module channel is no longer attached to a bot.
type DetachReason string

const (
	DetachNone DetachReason = ""
	// DetachBotDeleted is LINE's one documented reason, bot_deleted: the
	// account was deleted and, about three months later, all its data.
	DetachBotDeleted DetachReason = "bot_deleted"
	// DetachEndedUse is a detached event after botSuspended: LINE says the
	// account stopped using the module and cancelled the contract.
	DetachEndedUse DetachReason = "ended_use"
	// DetachByAdmin is the module channel's Admin detaching from the portal.
	DetachByAdmin DetachReason = "by_admin"
	// DetachOther is a detached event with no reason, or one LINE has not
	// documented; the event itself is kept in the bot's history.
	DetachOther DetachReason = "other"
)

var detachReasonNames = map[DetachReason]string{
	DetachNone:       "",
	DetachBotDeleted: "The LINE Official Account was deleted, with all its data.",
	DetachEndedUse:   "The Official Account ended its use of the module.",
	DetachByAdmin:    "An Admin of the module channel detached it.",
	DetachOther:      "LINE reported the module detached.",
}

// String is the reason as pages show it.
func (r DetachReason) String() string { return nameOr(detachReasonNames, r) }

// BotProfile is what LINE's bot list says about a bot a module channel is
// attached to.
type BotProfile struct {
	BotID       string // the bot's user ID: U + 32 hex digits
	BasicID     string // "@…"
	PremiumID   string // "" when none
	DisplayName string
	PictureURL  string // "" when none
}

// AttachedBot is what the attach callback's code exchange returns.
type AttachedBot struct {
	BotID  string
	Scopes []string
}

// ModuleAttachment is a module channel's attachment to one bot, current or
// ended. A channel has one per bot: attaching again after a detach reuses
// it; the bot's event history and the audit log keep the earlier ones.
type ModuleAttachment struct {
	ID        int64
	ChannelID int64
	Bot       BotProfile // BasicID, DisplayName… are empty until LINE's bot list is read
	Scopes    []string   // granted by the account's admin; empty when not known
	State     AttachmentState
	// AttachedAt is when the module was (last) attached, as LINE reported
	// it, or when the portal first learned of it. DetachedAt and
	// DetachReason are set while detached.
	AttachedAt   time.Time
	DetachedAt   time.Time
	DetachReason DetachReason
	// Suspended is true between botSuspended and botResumed: every admin
	// action on the bot is refused, and nothing is deleted.
	Suspended bool
	// SuspensionChangedAt is LINE's time of the event that last suspended
	// or resumed the bot; zero if none did.
	SuspensionChangedAt time.Time
	// ChatsUnderControl counts the chats the module is the Active Channel
	// of now (filled in by lists).
	ChatsUnderControl int
	UpdatedAt         time.Time
}

// lifecycleAt is LINE's time of the last attach or detach, which an older
// event must not undo.
func (a ModuleAttachment) lifecycleAt() time.Time {
	if a.State == Detached {
		return a.DetachedAt
	}
	return a.AttachedAt
}

// HasScope tells whether the account's admin granted scope.
func (a ModuleAttachment) HasScope(scope string) bool { return slices.Contains(a.Scopes, scope) }

// LiveState names the attachment's state as its page shows it: the page
// changes when it changes.
func (a ModuleAttachment) LiveState() string {
	if a.Suspended {
		return string(a.State) + "-suspended"
	}
	return string(a.State)
}

// Name is what pages call the bot: its display name, else its basic ID,
// else its bot ID.
func (a ModuleAttachment) Name() string {
	switch {
	case a.Bot.DisplayName != "":
		return a.Bot.DisplayName
	case a.Bot.BasicID != "":
		return a.Bot.BasicID
	}
	return a.Bot.BotID
}

// Status is the attachment's state as pages show it: "Attached",
// "Suspended" (attached, and LINE reports the account suspended) or
// "Detached".
func (a ModuleAttachment) Status() string {
	if a.State == Attached && a.Suspended {
		return "Suspended"
	}
	return a.State.String()
}

// Usable tells whether admin actions on the bot may run at all: not while
// LINE reports the account suspended (001: stop using the admin screen,
// keep everything), and not once detached.
func (a ModuleAttachment) Usable() error {
	if a.Suspended {
		return Refuse(EUNAVAILABLE, ROAUnavailable)
	}
	if a.State != Attached {
		return Refuse(ECONFLICT, RNoLongerAttached, "Name", a.Name())
	}
	return nil
}

// CanStartAttach tells whether an admin with role on ch may send an
// account's admin to LINE's authorization screen to attach ch.
func CanStartAttach(role ChannelRole, ch Channel) error {
	if err := CheckModuleChannel(ch); err != nil {
		return err
	}
	return requireChannelAdmin(role, TermAttach)
}

// AttachRegions are the regions LINE's module authorization screen can be
// limited to, and AttachBrandTypes the account types (001; "brand_type").
var (
	AttachRegions    = []Region{RegionJapan, RegionTaiwan}
	AttachBrandTypes = []string{"premium", "verified", "unverified"}
)

// CheckAttachRequest tells whether a module channel may ask LINE's
// authorization screen for this: a region (Japan or Taiwan), at least one
// scope, each one of knownScopes, and account types among
// AttachBrandTypes (none: every type); nothing twice. knownScopes are the
// scopes LINE documents, which the LINE integration keeps with their
// descriptions (line.ModuleScopes): one list, passed in.
func CheckAttachRequest(region string, scopes, brandTypes, knownScopes []string) error {
	var regionRefusal error
	if !slices.Contains(AttachRegions, Region(region)) {
		regionRefusal = FieldRefusal("region", RAttachRegion)
	}
	return FieldRefusals(regionRefusal, checkAttachScopes(scopes, knownScopes), checkAttachBrandTypes(brandTypes))
}

func checkAttachScopes(scopes, knownScopes []string) error {
	if len(scopes) == 0 {
		return FieldRefusal("scope", RAttachScopeNone)
	}
	for i, sc := range scopes {
		if !slices.Contains(knownScopes, sc) {
			return FieldRefusal("scope", RAttachScopeUnknown, "Scope", sc)
		}
		if slices.Contains(scopes[:i], sc) {
			return FieldRefusal("scope", RAttachScopeTwice, "Scope", sc)
		}
	}
	return nil
}

func checkAttachBrandTypes(brandTypes []string) error {
	for i, b := range brandTypes {
		if !slices.Contains(AttachBrandTypes, b) {
			return FieldRefusal("brand_type", RAttachBrandUnknown, "Brand", b)
		}
		if slices.Contains(brandTypes[:i], b) {
			return FieldRefusal("brand_type", RAttachBrandTwice, "Brand", b)
		}
	}
	return nil
}

// CanRecordAttachment tells whether an admin with role on ch may record the
// attachment the attach callback's code exchange returned. LINE has
// attached the module by then, so a suspension does not refuse it: the
// portal records what is true.
func CanRecordAttachment(role ChannelRole, ch Channel, bot AttachedBot) error {
	if err := CheckModuleChannel(ch); err != nil {
		return err
	}
	if err := requireChannelAdmin(role, TermAttach); err != nil {
		return err
	}
	if !IsBotID(bot.BotID) {
		return Refuse(EINVALID, RAttachBadBotID)
	}
	return nil
}

// CanDetach tells whether an admin with role may detach the module from
// the attachment's bot.
func CanDetach(role ChannelRole, a ModuleAttachment) error {
	if err := requireChannelAdmin(role, TermDetach); err != nil {
		return err
	}
	return a.Usable()
}

// CanRecordDetach tells whether an admin with role may record that they
// detached the module from a's bot, once LINE agreed. The bot may show as
// detached already: LINE's detached webhook for this very detach can
// arrive before the portal records it.
func CanRecordDetach(role ChannelRole, a ModuleAttachment) error {
	if a.State == Detached && a.DetachReason == DetachOther {
		return requireChannelAdmin(role, TermDetach)
	}
	return CanDetach(role, a)
}

// CanManageChats tells whether an admin with role may manage chat control
// for the attachment's bot at all: an Admin, while the bot is usable.
// CanControlChat adds what one chat needs.
func CanManageChats(role ChannelRole, a ModuleAttachment) error {
	if err := requireChannelAdmin(role, TermChatControl); err != nil {
		return err
	}
	return a.Usable()
}

// CanControlChat tells whether an admin with role may acquire or release
// chat control in a chat of the attachment's bot. LINE needs the
// message:receive scope for it.
func CanControlChat(role ChannelRole, a ModuleAttachment, chatID string) error {
	if err := CanManageChats(role, a); err != nil {
		return err
	}
	// Scopes not known (an attachment learnt from LINE's bot list, which
	// doesn't say them, before or without its attached event) are LINE's
	// to check: refusing would blame the account's admin for nothing.
	if len(a.Scopes) > 0 && !a.HasScope(ScopeMessageReceive) {
		return Refuse(EINVALID, RChatControlScope, "Scope", ScopeMessageReceive)
	}
	return CheckChatID(chatID, a.Bot.BotID)
}

// CanReadLINEBotList tells whether someone holding role on a module channel
// may have the portal read the channel's bot list from LINE. The read uses
// the channel's credentials, spends its rate limit and records what LINE
// answered, so it is for the channel's own Admins and Members. Anyone else
// who may view the channel (an operator) is shown the portal's own record.
func CanReadLINEBotList(role ChannelRole) error {
	if role != RoleAdmin && role != RoleMember {
		return Refuse(EFORBIDDEN, RBotListOwnRecord)
	}
	return nil
}

// CheckModuleChannel refuses a channel that is not a module channel: only
// those attach to LINE Official Accounts.
func CheckModuleChannel(ch Channel) error {
	if ch.Kind != KindModule {
		return Refuse(EINVALID, RAttachNotModule, "Kind", ch.Kind)
	}
	return nil
}

// MaxChatControlTTL is the longest time limit LINE accepts for chat
// control: one year (3600 * 24 * 365 seconds).
const MaxChatControlTTL = 365 * 24 * time.Hour

// CheckChatControlTTL tells whether ttl is a time limit LINE accepts: a
// whole number of seconds from 1 second to 1 year, or 0 for no time limit.
func CheckChatControlTTL(ttl time.Duration) error {
	if ttl != 0 && (ttl < time.Second || ttl > MaxChatControlTTL || ttl%time.Second != 0) {
		return FieldRefusal("ttl", RChatControlTTL)
	}
	return nil
}

// ChatControlExpiry is when control taken at now for ttl ends; zero for no
// time limit.
func ChatControlExpiry(now time.Time, ttl time.Duration) time.Time {
	if ttl == 0 {
		return time.Time{}
	}
	return now.Add(ttl)
}

// CheckChatID tells whether chatID names a chat of the bot as a module
// channel sees it: a group (C…) or room (R…) ID, or the 68-character L…
// user ID LINE gives the module for each of the bot's users, which ends
// with the bot's own ID. A user's own U… ID is refused: a module channel
// never sees it, LINE reports that chat's control under its L… ID, and
// the portal would keep one chat as two.
func CheckChatID(chatID, botID string) error {
	switch {
	case IsLINEID(chatID, 'C'), IsLINEID(chatID, 'R'):
		return nil
	case len(chatID) == 68 && chatID[0] == 'L' && IsLINEID(chatID[1:34], 'U') && chatID[34] == '-' && chatID[35:] == botID:
		return nil
	case IsLINEID(chatID, 'U'):
		return FieldRefusal("chat_id", RChatIDModuleUser, "BotID", botID)
	}
	return FieldRefusal("chat_id", RChatID)
}

// IsBotID tells whether id is a bot's user ID: U followed by 32 lowercase
// hex digits.
func IsBotID(id string) bool { return IsLINEID(id, 'U') }

// IsLINEID tells whether id is a LINE ID of the kind ('U' a user or bot,
// 'C' a group, 'R' a room): the letter and 32 lowercase hex digits.
func IsLINEID(id string, kind byte) bool {
	return len(id) == 33 && id[0] == kind && strings.Trim(id[1:], "0123456789abcdef") == ""
}

// ChatControl is whether the module is the Active Channel of one chat of a
// bot: between an activated event (or the portal acquiring control) and a
// deactivated event, a release or ExpireAt.
type ChatControl struct {
	ChatID   string
	Active   bool
	ExpireAt time.Time // zero: no time limit (while Active)
	// ChangedAt is LINE's time of the event that set this state, or the
	// portal's when an admin acquired or released control.
	ChangedAt time.Time
	UpdatedAt time.Time
}

// UnderControl tells whether the module controls the chat at now.
func (c ChatControl) UnderControl(now time.Time) bool {
	return c.Active && (c.ExpireAt.IsZero() || now.Before(c.ExpireAt))
}

// OAUser is what the portal keeps about a user of one LINE Official
// Account: that they follow it. A row exists only while they do; blocking
// (unfollow) deletes it with everything else the portal holds about the
// user for that account (see ForgetUser).
type OAUser struct {
	BotID       string
	UserID      string
	FirstSeenAt time.Time // the first follow since the portal last forgot the user
	FollowedAt  time.Time // the latest follow
	Unblocked   bool      // the latest follow was an unblock rather than a new friend
}

// CanUseCorporateOptions tells whether an admin with role on a module
// channel may call the options for corporate customers (mission stickers,
// mark as read) for the bot of a.
func CanUseCorporateOptions(role ChannelRole, a ModuleAttachment) error {
	if err := a.Usable(); err != nil {
		return err
	}
	return requireChannelAdmin(role, TermCorporateOptions)
}
