package linesim

import (
	"cmp"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// LoginChannel is a LINE Login channel.
type LoginChannel struct {
	ID           string   // channel ID, digits
	Secret       string   // channel secret; the HS256 key of its ID tokens
	RedirectURIs []string // callback URLs registered for the channel, matched exactly
	LinkedBotID  string   // bot user ID of the linked official account; "" = none
	// EmailPermission is LINE's approval for the channel to receive users'
	// email addresses: without it the email scope adds no email claim.
	EmailPermission bool
}

// User is a simulated LINE user.
type User struct {
	ID            string `json:"id"` // "U" + 32 lowercase hex digits
	Name          string `json:"name"`
	PictureURL    string `json:"pictureUrl"`
	StatusMessage string `json:"statusMessage"`
	Email         string `json:"email,omitempty"` // "" = none; then no email claim is ever issued
}

// OfficialAccount is a LINE Official Account and its bot.
type OfficialAccount struct {
	BotID   string // bot user ID, "U" + 32 lowercase hex digits
	BasicID string // "@" followed by the account's search ID
	Name    string
	// GET /v2/bot/list shows these two only when they are set.
	PremiumID  string // "@" followed by the premium ID; "" = none
	PictureURL string // https URL of the profile image; "" = none
	// The module authorization screen filters accounts on these two.
	BrandType BrandType // "" = unverified
	Region    Region    // "" = JP
	// Suspended accounts refuse bot API calls; see the package comment.
	Suspended bool
}

// BrandType is an official account's badge, a brand_type of the module
// authorization URL.
type BrandType string

// The brand types LINE documents.
const (
	BrandPremium    BrandType = "premium"
	BrandVerified   BrandType = "verified"
	BrandUnverified BrandType = "unverified"
)

// Region is where an official account is operated, a region of the module
// authorization URL.
type Region string

// The regions LINE documents for module attachment.
const (
	RegionJP Region = "JP"
	RegionTW Region = "TW"
)

// Friendship is a user's relation to an official account.
type Friendship string

// The friendships a user can have with an official account.
const (
	FriendshipNone    Friendship = "none"
	FriendshipFriend  Friendship = "friend"
	FriendshipBlocked Friendship = "blocked"
)

func (f Friendship) valid() bool {
	return f == FriendshipNone || f == FriendshipFriend || f == FriendshipBlocked
}

// maxDisplayNameLength is LINE's limit on a display name, in characters.
const maxDisplayNameLength = 20

// errNameRequired and nameTooLongError say why a new user's name is
// refused; the login screen says it in its own language.
var errNameRequired = errors.New("user name is required")

type nameTooLongError struct{ length int }

func (e nameTooLongError) Error() string {
	return fmt.Sprintf("user name is %d characters; LINE allows at most %d", e.length, maxDisplayNameLength)
}

type friendshipKey struct{ userID, botID string }

// state is everything the simulator knows. Every field is guarded by mu.
type state struct {
	mu           sync.Mutex
	channels     map[string]LoginChannel
	users        map[string]User
	userIDs      []string // insertion order, for stable listings
	accounts     map[string]OfficialAccount
	accountIDs   []string // insertion order, for stable listings
	friendships  map[friendshipKey]Friendship
	authRequests map[string]*authRequest
	codes        map[string]*authCode
	accessTokens map[string]*accessToken
	grants       map[string]*grant // by refresh token
	sessions     map[string]*lineSession
	consents     map[consentKey][]string  // scopes a user has granted a channel
	usage        map[string]*accountUsage // by bot ID; quota.go
	moduleState
}

func newState(now func() time.Time) state {
	return state{
		moduleState:  newModuleState(now),
		channels:     map[string]LoginChannel{},
		users:        map[string]User{},
		accounts:     map[string]OfficialAccount{},
		friendships:  map[friendshipKey]Friendship{},
		authRequests: map[string]*authRequest{},
		codes:        map[string]*authCode{},
		accessTokens: map[string]*accessToken{},
		grants:       map[string]*grant{},
		sessions:     map[string]*lineSession{},
		consents:     map[consentKey][]string{},
		usage:        map[string]*accountUsage{},
	}
}

// AddLoginChannel registers a LINE Login channel. Its linked official account,
// if any, must already be registered.
func (s *Server) AddLoginChannel(c LoginChannel) error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if err := s.state.checkNewChannel(c); err != nil {
		return err
	}
	s.state.putChannel(c)
	return nil
}

// AddUser registers a simulated LINE user and returns it as stored. An empty
// ID is generated; an empty PictureURL becomes the simulator's own avatar.
func (s *Server) AddUser(u User) (User, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	return s.state.addUser(u, s.baseURL)
}

// Users returns every simulated user in the order they were added.
func (s *Server) Users() []User {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	return s.state.userList()
}

// AddOfficialAccount registers a LINE Official Account.
func (s *Server) AddOfficialAccount(oa OfficialAccount) error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if err := s.state.checkNewAccount(oa); err != nil {
		return err
	}
	s.state.putAccount(oa)
	return nil
}

// SetFriendship sets a user's friendship with an official account.
func (s *Server) SetFriendship(userID, botID string, f Friendship) error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if !f.valid() {
		return fmt.Errorf("friendship %q must be %q, %q or %q", f, FriendshipFriend, FriendshipBlocked, FriendshipNone)
	}
	if err := s.state.checkPair(userID, botID); err != nil {
		return err
	}
	s.state.setFriendship(userID, botID, f)
	return nil
}

// Friendship returns a user's friendship with an official account; unknown
// users and accounts have none.
func (s *Server) Friendship(userID, botID string) Friendship {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	return s.state.friendship(userID, botID)
}

func (st *state) checkNewChannel(c LoginChannel) error {
	if err := st.checkNewChannelID(c.ID); err != nil {
		return err
	}
	// go-jose refuses HMAC keys shorter than the hash, as RFC 7518 requires.
	if len(c.Secret) < 32 {
		return fmt.Errorf("channel %s: secret must be at least 32 bytes (LINE issues 32 hex characters) to sign HS256 ID tokens", c.ID)
	}
	if err := checkRedirectURIs(c.ID, c.RedirectURIs); err != nil {
		return err
	}
	if c.LinkedBotID != "" {
		if _, ok := st.accounts[c.LinkedBotID]; !ok {
			return fmt.Errorf("channel %s: linked official account %s does not exist", c.ID, c.LinkedBotID)
		}
	}
	return nil
}

// checkNewChannelID refuses a malformed channel ID or one in use: channel
// IDs are unique across channel types.
func (st *state) checkNewChannelID(id string) error {
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return fmt.Errorf("channel ID %q must be digits", id)
	}
	_, login := st.channels[id]
	_, module := st.moduleChannels[id]
	_, messaging := st.accountChannels[id]
	if login || module || messaging {
		return fmt.Errorf("channel %s already exists", id)
	}
	return nil
}

func checkRedirectURIs(channelID string, uris []string) error {
	if len(uris) == 0 {
		return fmt.Errorf("channel %s: at least one redirect URI is required", channelID)
	}
	for _, raw := range uris {
		if !isAbsoluteHTTPURL(raw) {
			return fmt.Errorf("channel %s: redirect URI %q must be an absolute http or https URL without fragment", channelID, raw)
		}
	}
	return nil
}

func isAbsoluteHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Fragment == ""
}

func (st *state) putChannel(c LoginChannel) {
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	st.channels[c.ID] = c
}

// linkedAccount returns the official account linked to a channel, if any.
func (st *state) linkedAccount(channelID string) (OfficialAccount, bool) {
	oa, ok := st.accounts[st.channels[channelID].LinkedBotID]
	return oa, ok
}

func (st *state) addUser(u User, baseURL string) (User, error) {
	u, err := st.checkNewUser(u, baseURL)
	if err != nil {
		return User{}, err
	}
	st.putUser(u)
	return u, nil
}

// checkNewUser validates a user to be added and fills in its defaults.
func (st *state) checkNewUser(u User, baseURL string) (User, error) {
	u.Name = strings.TrimSpace(u.Name)
	if u.Name == "" {
		return User{}, errNameRequired
	}
	if n := utf8.RuneCountInString(u.Name); n > maxDisplayNameLength {
		return User{}, nameTooLongError{n}
	}
	if u.ID == "" {
		u.ID = "U" + randomHex(16)
	}
	if !isLineID(u.ID) {
		return User{}, fmt.Errorf("user ID %q must be U followed by 32 lowercase hex digits", u.ID)
	}
	if _, dup := st.users[u.ID]; dup {
		return User{}, fmt.Errorf("user %s already exists", u.ID)
	}
	if u.PictureURL == "" {
		u.PictureURL = baseURL + "/sim/avatar/" + u.ID
	}
	if u.Email = strings.TrimSpace(u.Email); u.Email != "" {
		if addr, err := mail.ParseAddress(u.Email); err != nil || addr.Address != u.Email {
			return User{}, fmt.Errorf("email %q is not an email address", u.Email)
		}
	}
	return u, nil
}

func (st *state) putUser(u User) {
	st.users[u.ID] = u
	st.userIDs = append(st.userIDs, u.ID)
}

func (st *state) hasUser(id string) bool {
	_, ok := st.users[id]
	return ok
}

func (st *state) userList() []User {
	users := make([]User, 0, len(st.userIDs))
	for _, id := range st.userIDs {
		users = append(users, st.users[id])
	}
	return users
}

func (st *state) checkNewAccount(oa OfficialAccount) error {
	if !isLineID(oa.BotID) {
		return fmt.Errorf("bot ID %q must be U followed by 32 lowercase hex digits", oa.BotID)
	}
	if _, dup := st.accounts[oa.BotID]; dup {
		return fmt.Errorf("official account %s already exists", oa.BotID)
	}
	if len(oa.BasicID) < 2 || oa.BasicID[0] != '@' || strings.Trim(oa.BasicID[1:], "abcdefghijklmnopqrstuvwxyz0123456789._-") != "" {
		return fmt.Errorf("basic ID %q must be @ followed by lowercase letters, digits, '.', '_' or '-'", oa.BasicID)
	}
	for _, other := range st.accounts {
		if other.BasicID == oa.BasicID {
			return fmt.Errorf("basic ID %s is already used by %s", oa.BasicID, other.BotID)
		}
	}
	if strings.TrimSpace(oa.Name) == "" {
		return errors.New("official account name is required")
	}
	if oa.PremiumID != "" && (len(oa.PremiumID) < 2 || oa.PremiumID[0] != '@') {
		return fmt.Errorf("premium ID %q must be @ followed by the ID", oa.PremiumID)
	}
	if oa.PictureURL != "" && !strings.HasPrefix(oa.PictureURL, "https://") {
		// LINE documents bots[].pictureUrl as starting with https://.
		return fmt.Errorf("picture URL %q must start with https://", oa.PictureURL)
	}
	switch oa.BrandType {
	case "", BrandPremium, BrandVerified, BrandUnverified:
	default:
		return fmt.Errorf("brand type %q must be %q, %q or %q", oa.BrandType, BrandPremium, BrandVerified, BrandUnverified)
	}
	if oa.Region != "" && oa.Region != RegionJP && oa.Region != RegionTW {
		return fmt.Errorf("region %q must be %q or %q", oa.Region, RegionJP, RegionTW)
	}
	return nil
}

func (st *state) putAccount(oa OfficialAccount) {
	oa.BrandType = cmp.Or(oa.BrandType, BrandUnverified)
	oa.Region = cmp.Or(oa.Region, RegionJP)
	st.accounts[oa.BotID] = oa
	st.accountIDs = append(st.accountIDs, oa.BotID)
}

func (st *state) accountList() []OfficialAccount {
	accounts := make([]OfficialAccount, 0, len(st.accountIDs))
	for _, id := range st.accountIDs {
		accounts = append(accounts, st.accounts[id])
	}
	return accounts
}

// checkPair reports whether both ends of a friendship exist.
func (st *state) checkPair(userID, botID string) error {
	if !st.hasUser(userID) {
		return fmt.Errorf("unknown user %q", userID)
	}
	if _, ok := st.accounts[botID]; !ok {
		return fmt.Errorf("unknown official account %q", botID)
	}
	return nil
}

func (st *state) friendship(userID, botID string) Friendship {
	if f, ok := st.friendships[friendshipKey{userID, botID}]; ok {
		return f
	}
	return FriendshipNone
}

// setFriendship changes a friendship and tells the account's modules: a
// user who becomes a friend followed it (or unblocked it); a friend who
// blocks it or leaves unfollowed it.
func (st *state) setFriendship(userID, botID string, f Friendship) {
	key := friendshipKey{userID, botID}
	before := st.friendship(userID, botID)
	if f == FriendshipNone {
		delete(st.friendships, key)
	} else {
		st.friendships[key] = f
	}
	switch {
	case f == FriendshipFriend && before != FriendshipFriend:
		st.friendshipChanged(userID, botID, &followDetail{IsUnblocked: before == FriendshipBlocked})
	case f != FriendshipFriend && before == FriendshipFriend:
		st.friendshipChanged(userID, botID, nil)
	}
}

// isLineID reports whether id has the shape of a LINE user or bot ID.
func isLineID(id string) bool {
	return len(id) == 33 && id[0] == 'U' && strings.Trim(id[1:], "0123456789abcdef") == ""
}
