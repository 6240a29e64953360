package line

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/line/line-bot-sdk-go/v8/linebot/channel_access_token"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/line/line-bot-sdk-go/v8/linebot/module"
	"github.com/line/line-bot-sdk-go/v8/linebot/module_attach"
	"github.com/line/line-bot-sdk-go/v8/linebot/shop"
	"golang.org/x/oauth2"

	"lineportal/internal/portal"
)

// PlatformConfig says where LINE's module, Messaging API and shop endpoints
// are: LINE itself or the simulator; nothing else differs.
type PlatformConfig struct {
	APIBaseURL     string // "https://api.line.me"
	ManagerBaseURL string // "https://manager.line.biz": module attachment
	// BotIDHeader names the header that tells LINE which bot a module
	// channel acts for. LINE discloses it only to LINE Marketplace partners.
	BotIDHeader string
	HTTPClient  *http.Client     // nil = a client with a sane timeout
	Now         func() time.Time // nil = time.Now
}

// Platform calls LINE's module channel, Messaging API and shop endpoints
// through the official SDK. It is safe for concurrent use. Errors from LINE
// are *APIError; Explain turns any error into a sentence for a person.
type Platform struct {
	api, manager string
	botHeader    string
	client       *http.Client
	now          func() time.Time
}

// NewPlatform checks the configuration.
func NewPlatform(cfg PlatformConfig) (*Platform, error) {
	for name, raw := range map[string]string{"APIBaseURL": cfg.APIBaseURL, "ManagerBaseURL": cfg.ManagerBaseURL} {
		// The SDK's WithEndpoint needs an absolute URL.
		if u, err := url.ParseRequestURI(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("line: %s %q must be an absolute http or https URL", name, raw)
		}
	}
	if cfg.BotIDHeader == "" || strings.ContainsAny(cfg.BotIDHeader, " :\r\n") {
		return nil, fmt.Errorf("line: bot ID header name %q is not a header name", cfg.BotIDHeader)
	}
	p := &Platform{
		api:       strings.TrimSuffix(cfg.APIBaseURL, "/"),
		manager:   strings.TrimSuffix(cfg.ManagerBaseURL, "/"),
		botHeader: cfg.BotIDHeader,
		client:    cfg.HTTPClient,
		now:       cfg.Now,
	}
	if p.client == nil {
		p.client = &http.Client{Timeout: 10 * time.Second}
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p, nil
}

// headerRewrite sets one request header, or removes it when value is "".
// The SDK has no per-request header options, so headers it does not know
// (the bot-user-ID header) or gets wrong (Bearer auth on the attach token
// endpoint) are fixed on the way out.
type headerRewrite struct {
	name, value string
	next        http.RoundTripper
}

func (h headerRewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context()) // a RoundTripper must not modify the request
	if h.value == "" {
		r.Header.Del(h.name)
	} else {
		r.Header.Set(h.name, h.value)
	}
	return h.next.RoundTrip(r)
}

// clientWith returns the platform's HTTP client with one header rewritten.
func (p *Platform) clientWith(name, value string) *http.Client {
	c := *p.client
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = headerRewrite{name: name, value: value, next: next}
	return &c
}

// botClient is the HTTP client for calls a module channel makes for a bot;
// botID "" sends no bot header (a bot's own channel token needs none).
func (p *Platform) botClient(botID string) *http.Client {
	if botID == "" {
		return p.client
	}
	return p.clientWith(p.botHeader, botID)
}

// AttachRequest is what the module authorization URL asks for.
type AttachRequest struct {
	ChannelID     string
	RedirectURL   string
	State         string
	CodeVerifier  string // PKCE; the URL carries its S256 challenge
	Region        string // "", "JP" or "TW"
	BasicSearchID string // "" or the @basic ID of the one account to offer
	Scopes        []string
	BrandTypes    []string // "premium", "verified", "unverified"
}

// AttachURL is the module authorization URL to send an account admin to.
func (p *Platform) AttachURL(r AttachRequest) string {
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {r.ChannelID},
		"redirect_uri":          {r.RedirectURL},
		"scope":                 {strings.Join(r.Scopes, " ")},
		"state":                 {r.State},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(r.CodeVerifier)},
		"code_challenge_method": {"S256"},
	}
	for name, value := range map[string]string{"region": r.Region, "basic_search_id": r.BasicSearchID, "brand_type": strings.Join(r.BrandTypes, " ")} {
		if value != "" {
			q.Set(name, value)
		}
	}
	// LINE documents scope and brand_type as %20-separated. Encode writes a
	// space as "+" and a literal "+" as "%2B", so the swap is exact.
	return p.manager + "/module/auth/v1/authorize?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

// ExchangeAttachCode finishes attaching: it exchanges the code from the
// attach callback of the authorization URL made of req, repeating req's
// region, basic_search_id, scope and brand_type as LINE asks. The
// credentials go in the form body; the SDK's Authorization header, which
// LINE's manager host does not accept, is removed.
func (p *Platform) ExchangeAttachCode(ctx context.Context, channelSecret, code string, req AttachRequest) (portal.AttachedBot, error) {
	// The SDK refuses to build a client without a token; this one is
	// never sent.
	api, err := module_attach.NewLineModuleAttachAPI("unused",
		module_attach.WithEndpoint(p.manager), module_attach.WithHTTPClient(p.clientWith("Authorization", "")))
	if err != nil {
		return portal.AttachedBot{}, fmt.Errorf("line: attach client: %w", err)
	}
	res, body, err := api.WithContext(ctx).AttachModuleWithHttpInfo("authorization_code", code, req.RedirectURL, req.CodeVerifier,
		req.ChannelID, channelSecret, req.Region, req.BasicSearchID, strings.Join(req.Scopes, " "), strings.Join(req.BrandTypes, " "))
	if err != nil {
		return portal.AttachedBot{}, apiError(opAttach, res, err)
	}
	return portal.AttachedBot{BotID: body.BotId, Scopes: body.Scopes}, nil
}

// StatelessToken issues a stateless channel access token (15 minutes).
func (p *Platform) StatelessToken(ctx context.Context, channelID, channelSecret string) (string, time.Time, error) {
	api, err := channel_access_token.NewChannelAccessTokenAPI(
		channel_access_token.WithEndpoint(p.api), channel_access_token.WithHTTPClient(p.client))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("line: token client: %w", err)
	}
	issuedAt := p.now()
	res, body, err := api.WithContext(ctx).IssueStatelessChannelTokenWithHttpInfo("client_credentials", "", "", channelID, channelSecret)
	if err != nil {
		return "", time.Time{}, apiError(opToken, res, err)
	}
	return body.AccessToken, issuedAt.Add(time.Duration(body.ExpiresIn) * time.Second), nil
}

// BotPage is one page of the bots a module channel is attached to.
type BotPage struct {
	Bots []portal.BotProfile
	Next string // continuation token for the next page; "" = last page
}

// DefaultBotPageSize is LINE's default and largest page of the bot list.
const DefaultBotPageSize = 100

// ModuleBots lists the bots the module channel is attached to, from start
// ("" = the first page). limit 0 means DefaultBotPageSize: the SDK always
// sends limit, and LINE would read 0 literally.
func (p *Platform) ModuleBots(ctx context.Context, token, start string, limit int) (BotPage, error) {
	if limit == 0 {
		limit = DefaultBotPageSize
	}
	api, err := p.moduleAPI(ctx, token, "")
	if err != nil {
		return BotPage{}, err
	}
	// Out-of-range limits go to LINE, which explains them; clamping only
	// keeps the int32 conversion exact.
	res, body, err := api.GetModulesWithHttpInfo(start, int32(min(max(limit, math.MinInt32), math.MaxInt32)))
	if err != nil {
		return BotPage{}, apiError(opBotList, res, err)
	}
	page := BotPage{Next: body.Next, Bots: make([]portal.BotProfile, 0, len(body.Bots))}
	for _, b := range body.Bots {
		page.Bots = append(page.Bots, portal.BotProfile{BotID: b.UserId, BasicID: b.BasicId, DisplayName: b.DisplayName, PremiumID: b.PremiumId, PictureURL: b.PictureUrl})
	}
	return page, nil
}

// Detach detaches the module channel from a bot.
func (p *Platform) Detach(ctx context.Context, token, botID string) error {
	if err := checkBotID(botID); err != nil {
		return err
	}
	api, err := p.moduleAPI(ctx, token, "")
	if err != nil {
		return err
	}
	res, _, err := api.DetachModuleWithHttpInfo(&module.DetachModuleRequest{BotId: botID})
	return apiError(opDetach, res, err)
}

// AcquireChatControl makes the module channel the Active Channel of a chat
// for ttl, a whole number of seconds from 1 s to a year, or with no time
// limit when ttl is 0.
func (p *Platform) AcquireChatControl(ctx context.Context, token, botID, chatID string, ttl time.Duration) error {
	if err := portal.CheckChatControlTTL(ttl); err != nil {
		return &InputError{Refused: err}
	}
	if err := checkChatIDs(botID, chatID); err != nil {
		return err
	}
	api, err := p.moduleAPI(ctx, token, botID)
	if err != nil {
		return err
	}
	// Always explicit: a zero request means "no time limit", the opposite
	// of LINE's documented default.
	req := &module.AcquireChatControlRequest{Expired: ttl != 0, Ttl: int32(ttl / time.Second)}
	res, _, err := api.AcquireChatControlWithHttpInfo(chatID, req) // checked: nothing to escape
	return apiError(opChatControl, res, err)
}

// ReleaseChatControl returns a chat to the Primary channel.
func (p *Platform) ReleaseChatControl(ctx context.Context, token, botID, chatID string) error {
	if err := checkChatIDs(botID, chatID); err != nil {
		return err
	}
	api, err := p.moduleAPI(ctx, token, botID)
	if err != nil {
		return err
	}
	res, _, err := api.ReleaseChatControlWithHttpInfo(chatID)
	return apiError(opChatControl, res, err)
}

// moduleAPI is an SDK module client bound to ctx (the SDK keeps the
// context on the client, so each call gets its own).
func (p *Platform) moduleAPI(ctx context.Context, token, botID string) (*module.LineModuleAPI, error) {
	if token == "" {
		return nil, errNoToken
	}
	api, err := module.NewLineModuleAPI(token, module.WithEndpoint(p.api), module.WithHTTPClient(p.botClient(botID)))
	if err != nil {
		return nil, fmt.Errorf("line: module client: %w", err)
	}
	return api.WithContext(ctx), nil
}

func (p *Platform) messagingAPI(ctx context.Context, token, botID string) (*messaging_api.MessagingApiAPI, error) {
	if token == "" {
		return nil, errNoToken
	}
	api, err := messaging_api.NewMessagingApiAPI(token, messaging_api.WithEndpoint(p.api), messaging_api.WithHTTPClient(p.botClient(botID)))
	if err != nil {
		return nil, fmt.Errorf("line: messaging client: %w", err)
	}
	return api.WithContext(ctx), nil
}

// MissionSticker lets a user download a mission sticker set. botID names
// the bot a module channel acts for; "" with the bot's own channel token.
func (p *Platform) MissionSticker(ctx context.Context, token, botID, userID, packageID string, sendPresentMessage bool) error {
	if err := checkUserID(userID); err != nil {
		return err
	}
	if packageID == "" || strings.Trim(packageID, "0123456789") != "" {
		return inputError(portal.RLINEPackageID)
	}
	if token == "" {
		return errNoToken
	}
	api, err := shop.NewShopAPI(token, shop.WithEndpoint(p.api), shop.WithHTTPClient(p.botClient(botID)))
	if err != nil {
		return fmt.Errorf("line: shop client: %w", err)
	}
	res, _, err := api.WithContext(ctx).MissionStickerV3WithHttpInfo(&shop.MissionStickerRequest{
		To: userID, ProductId: packageID, ProductType: "STICKER", SendPresentMessage: sendPresentMessage,
	})
	return apiError(opMissionSticker, res, err)
}

// MarkAsRead marks every message from a user as read.
func (p *Platform) MarkAsRead(ctx context.Context, token, botID, userID string) error {
	if err := checkUserID(userID); err != nil {
		return err
	}
	api, err := p.messagingAPI(ctx, token, botID)
	if err != nil {
		return err
	}
	res, _, err := api.MarkMessagesAsReadWithHttpInfo(&messaging_api.MarkMessagesAsReadRequest{
		Chat: &messaging_api.ChatReference{UserId: userID},
	})
	return apiError(opMarkAsRead, res, err)
}

// RetryKey returns the X-Line-Retry-Key of one message: a UUID, the form
// LINE requires, derived from what names the message (say, the request and
// the recipient), so that every attempt to send it carries the same key
// and LINE sends it once.
func RetryKey(message string) string {
	b := sha256.Sum256([]byte("line-retry-key\x00" + message))
	u := uuid.UUID(b[:16])
	u[6] = u[6]&0x0f | 0x40 // version 4 layout
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

// PushText sends a text message. A 409 answer means LINE accepted an
// earlier request with the same retry key: the message was sent.
func (p *Platform) PushText(ctx context.Context, token, botID, to, text, retryKey string) error {
	if err := checkUserID(to); err != nil {
		return err
	}
	if text == "" {
		return inputError(portal.RLINEEmptyMessage)
	}
	if !isUUID(retryKey) {
		return inputError(portal.RLINERetryKey)
	}
	api, err := p.messagingAPI(ctx, token, botID)
	if err != nil {
		return err
	}
	res, _, err := api.PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{
		To: to, Messages: []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: text}},
	}, retryKey)
	if res != nil && res.StatusCode == http.StatusConflict && res.Header.Get("X-Line-Accepted-Request-Id") != "" {
		return nil
	}
	return apiError(opPush, res, err)
}

// InputError is a request the portal refuses to send to LINE; Refused
// says why, as the portal's refusal.
type InputError struct{ Refused error }

func (e *InputError) Error() string { return "line: " + e.Refused.Error() }

// inputError refuses input for reason, before anything is sent to LINE.
func inputError(reason portal.Reason) *InputError {
	return &InputError{Refused: portal.Refuse(portal.EINVALID, reason)}
}

// errNoToken: the SDK cannot call LINE without a channel access token.
var errNoToken = inputError(portal.RLINENoToken)

func checkBotID(id string) error {
	if !portal.IsLINEID(id, 'U') {
		return inputError(portal.RLINEBotID)
	}
	return nil
}

// checkUserID accepts a user ID or, for a module channel, a module-scoped
// user ID (L…, 68 characters).
func checkUserID(id string) error {
	if !portal.IsLINEID(id, 'U') && !isModuleUserID(id) {
		return inputError(portal.RLINEUserID)
	}
	return nil
}

func checkChatIDs(botID, chatID string) error {
	if err := checkBotID(botID); err != nil {
		return err
	}
	if !portal.IsLINEID(chatID, 'U') && !portal.IsLINEID(chatID, 'C') && !portal.IsLINEID(chatID, 'R') && !isModuleUserID(chatID) {
		return inputError(portal.RLINEChatID)
	}
	return nil
}

// isModuleUserID: "L", a user ID, "-", a bot ID.
func isModuleUserID(id string) bool {
	return len(id) == 68 && id[0] == 'L' && portal.IsLINEID(id[1:34], 'U') && id[34] == '-' && portal.IsLINEID(id[35:], 'U')
}

// isUUID reports whether s is a UUID in its hyphenated hexadecimal form,
// the one LINE requires of a retry key.
func isUUID(s string) bool {
	return len(s) == 36 && uuid.Validate(s) == nil
}
