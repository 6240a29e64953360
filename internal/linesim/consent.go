package linesim

import (
	"cmp"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Paths of the simulator's own login screens; LINE's real ones are private.
const (
	pathPickUser  = "/oauth2/v2.1/authorize/user"
	pathConsent   = "/oauth2/v2.1/authorize/consent"
	pathAddFriend = "/oauth2/v2.1/authorize/add-friend"
)

// Scopes of LINE Login.
const (
	scopeOpenID  = "openid"
	scopeProfile = "profile"
	scopeEmail   = "email"
)

// Values of bot_prompt.
const (
	botPromptNormal     = "normal"
	botPromptAggressive = "aggressive"
)

// Values of prompt.
const (
	promptConsent = "consent"
	promptNone    = "none"
	promptLogin   = "login"
)

// Authentication methods reported in the ID token's amr.
const (
	amrPassword  = "pwd"           // the login screen: a new user, or prompt=login
	amrSSO       = "linesso"       // the login screen: "Continue as" an existing user
	amrAutoLogin = "lineautologin" // prompt=none: no screen at all
)

// authRequestLifetime bounds how long a user may take on the login screens.
const authRequestLifetime = 30 * time.Minute

// consentStage is the screen a pending authorization request is waiting on.
type consentStage int

const (
	stagePickUser consentStage = iota
	stageConsent
	stageAddFriend
)

// authRequest is a validated authorization request waiting for the user. It
// lives on the server under a random ID; the forms carry only that ID.
type authRequest struct {
	channelID     string
	redirectURI   string
	state         string
	scopes        []string
	nonce         string
	codeChallenge string
	withAuthTime  bool
	maxAge        time.Duration // with withAuthTime: how old an authentication prompt=none accepts
	botPrompt     string
	prompt        string
	responseMode  string
	sessionUserID string // the user the browser was signed in to LINE as; "" = none
	// disableAutoLogin (disable_auto_login=true) leaves prompt=none no way
	// to sign in without a screen.
	disableAutoLogin bool
	stage            consentStage
	userID           string
	amr              string
	authTime         time.Time // when the user authenticated
	lang             language.Tag
	expiresAt        time.Time
}

// reply is where the request's response goes.
func (req *authRequest) reply() authorizeReply {
	return authorizeReply{channelID: req.channelID, redirectURI: req.redirectURI, mode: req.responseMode, lang: req.lang}
}

// authorizeError is an error the authorize endpoint reports to the client's
// redirect_uri.
type authorizeError struct{ code, description string }

// friendOffer is what the add-friend option offers the user who signs in.
type friendOffer int

const (
	offerNothing friendOffer = iota
	offerAdd
	offerUnblock
	offerAlreadyFriend
)

func offerFor(f Friendship) friendOffer {
	switch f {
	case FriendshipFriend:
		return offerAlreadyFriend
	case FriendshipBlocked:
		return offerUnblock
	default:
		return offerAdd
	}
}

// authorizeTarget returns an authorization request's redirect_uri when its
// client is known (a channel of the kind named) and registered that URI.
// Otherwise it renders an error page: LINE redirects only to a target it
// can trust.
func (s *Server) authorizeTarget(w http.ResponseWriter, r *http.Request, known bool, registered []string, kind string) (string, bool) {
	if !known {
		s.renderAuthorizeError(w, r, language.English, "Invalid client_id value. Check if it is the channel ID of "+kind+".")
		return "", false
	}
	redirectURI := r.URL.Query().Get("redirect_uri")
	if !slices.Contains(registered, redirectURI) {
		s.renderAuthorizeError(w, r, language.English, "Invalid redirect_uri value. Check if it is registered in a LINE developers site.")
		return "", false
	}
	return redirectURI, true
}

func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.state.mu.Lock()
	ch, known := s.state.channels[q.Get("client_id")]
	s.state.mu.Unlock()
	redirectURI, ok := s.authorizeTarget(w, r, known, ch.RedirectURIs, "a LINE Login channel")
	if !ok {
		return
	}
	// An invalid response_mode is itself reported in the default mode.
	mode, _ := parseResponseMode(q.Get("response_mode"))
	lang := screenLanguage(q.Get("ui_locales"), r)
	req, problem := parseAuthorizeRequest(q)
	if problem != nil {
		s.reply(w, r, authorizeReply{channelID: ch.ID, redirectURI: redirectURI, mode: cmp.Or(mode, responseModeQuery), lang: lang},
			"error", problem.code, "error_description", problem.description, "state", q.Get("state"))
		return
	}
	req.channelID, req.redirectURI, req.lang = ch.ID, redirectURI, lang
	if req.prompt == promptNone {
		s.authorizeWithoutScreens(w, r, &req)
		return
	}

	s.state.mu.Lock()
	now := s.now()
	if sess, ok := s.state.sessionUser(r, now); ok && req.prompt != promptLogin {
		req.sessionUserID = sess.userID
	}
	id := s.state.addAuthRequest(req, now)
	view := s.state.pickUserView(id, &req, "", "")
	s.state.mu.Unlock()
	s.renderHTML(w, r, http.StatusOK, pickUserPage(view))
}

// authorizeWithoutScreens answers prompt=none: a browser signed in to LINE
// as a user who has granted every requested scope gets its code at once;
// otherwise the client hears LOGIN_REQUIRED or INTERACTION_REQUIRED and
// no screen is shown. The add-friend option needs a screen, so bot_prompt
// adds nothing here.
func (s *Server) authorizeWithoutScreens(w http.ResponseWriter, r *http.Request, req *authRequest) {
	s.state.mu.Lock()
	now := s.now()
	sess, signedIn := s.state.sessionUser(r, now)
	var problem *authorizeError
	switch {
	case !signedIn:
		problem = &authorizeError{"LOGIN_REQUIRED", "prompt=none was specified, but the user isn't logged in."}
	case req.disableAutoLogin:
		problem = &authorizeError{"INTERACTION_REQUIRED", "prompt=none was specified, but auto login is disabled."}
	case req.withAuthTime && now.Sub(sess.authTime) > req.maxAge:
		problem = &authorizeError{"LOGIN_REQUIRED", "prompt=none was specified, but the user last logged in longer ago than max_age."}
	case !s.state.consented(sess.userID, req.channelID, req.scopes):
		problem = &authorizeError{"INTERACTION_REQUIRED", "prompt=none was specified, but the user hasn't granted the channel the requested permissions."}
	}
	if problem != nil {
		s.state.mu.Unlock()
		s.reply(w, r, req.reply(), "error", problem.code, "error_description", problem.description, "state", req.state)
		return
	}
	req.userID, req.authTime, req.amr = sess.userID, sess.authTime, amrAutoLogin
	code := s.state.issueCode("", req, now)
	s.state.mu.Unlock()
	s.redirectWithCode(w, r, req, code)
}

// parseAuthorizeRequest validates the parameters whose errors the authorize
// endpoint reports to the client by redirect; the first failing check wins.
func parseAuthorizeRequest(q url.Values) (authRequest, *authorizeError) {
	if q.Get("response_type") != "code" {
		return authRequest{}, &authorizeError{"UNSUPPORTED_RESPONSE_TYPE", "Only response_type=code is supported."}
	}
	var scopes []string
	for _, sc := range strings.Fields(q.Get("scope")) {
		if sc != scopeOpenID && sc != scopeProfile && sc != scopeEmail {
			return authRequest{}, &authorizeError{"INVALID_SCOPE", "Unknown scope: " + sc}
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if !slices.Contains(scopes, scopeProfile) && !slices.Contains(scopes, scopeOpenID) {
		return authRequest{}, &authorizeError{"INVALID_SCOPE", "The scope must include profile or openid."}
	}
	if slices.Contains(scopes, scopeEmail) && !slices.Contains(scopes, scopeOpenID) {
		return authRequest{}, &authorizeError{"INVALID_SCOPE", "The email scope requires the openid scope."}
	}
	req := authRequest{
		state:         q.Get("state"),
		scopes:        scopes,
		nonce:         q.Get("nonce"),
		codeChallenge: q.Get("code_challenge"),
		botPrompt:     q.Get("bot_prompt"),
		prompt:        q.Get("prompt"),
	}
	switch q.Get("disable_auto_login") {
	case "", "false":
	case "true":
		req.disableAutoLogin = true
	default:
		return authRequest{}, &authorizeError{"INVALID_REQUEST", "disable_auto_login must be true or false."}
	}
	if req.state == "" {
		return authRequest{}, &authorizeError{"INVALID_REQUEST", "state is required."}
	}
	if problem := checkCodeChallenge(q, "INVALID_REQUEST"); problem != nil {
		return authRequest{}, problem
	}
	if req.botPrompt != "" && req.botPrompt != botPromptNormal && req.botPrompt != botPromptAggressive {
		return authRequest{}, &authorizeError{"INVALID_REQUEST", "bot_prompt must be normal or aggressive."}
	}
	if q.Has("max_age") {
		n, err := strconv.Atoi(q.Get("max_age"))
		if err != nil || n < 0 {
			return authRequest{}, &authorizeError{"INVALID_REQUEST", "max_age must be a non-negative integer."}
		}
		req.withAuthTime, req.maxAge = true, time.Duration(n)*time.Second
	}
	switch req.prompt {
	case "", promptConsent, promptNone, promptLogin:
	default:
		return authRequest{}, &authorizeError{"INVALID_REQUEST", "prompt must be consent, none or login."}
	}
	var ok bool
	if req.responseMode, ok = parseResponseMode(q.Get("response_mode")); !ok {
		return authRequest{}, &authorizeError{"INVALID_REQUEST", "response_mode must be query, form_post, query.jwt, form_post.jwt or jwt."}
	}
	return req, nil
}

// checkCodeChallenge checks the PKCE parameters of an authorization
// request; errorCode is how the endpoint spells invalid_request.
func checkCodeChallenge(q url.Values, errorCode string) *authorizeError {
	challenge := q.Get("code_challenge")
	if challenge == "" {
		return nil
	}
	if q.Get("code_challenge_method") != "S256" {
		return &authorizeError{errorCode, "code_challenge_method must be S256."}
	}
	// A base64url SHA-256 digest without padding is 43 characters.
	if len(challenge) != 43 || strings.IndexFunc(challenge, func(c rune) bool { return !isBase64URLChar(c) }) >= 0 {
		return &authorizeError{errorCode, "code_challenge must be the base64url-encoded SHA-256 of the code_verifier."}
	}
	return nil
}

func isBase64URLChar(c rune) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// addAuthRequest stores a pending request and returns its ID. Abandoned
// requests are dropped here so that memory stays bounded.
// The caller holds the lock.
func (st *state) addAuthRequest(req authRequest, now time.Time) string {
	for id, pending := range st.authRequests {
		if !now.Before(pending.expiresAt) {
			delete(st.authRequests, id)
		}
	}
	id := newOpaqueToken()
	req.expiresAt = now.Add(authRequestLifetime)
	st.authRequests[id] = &req
	return id
}

// pendingAuthRequest returns the request waiting on one of stages. The caller
// holds the lock.
func (st *state) pendingAuthRequest(id string, now time.Time, stages ...consentStage) (*authRequest, bool) {
	req, ok := st.authRequests[id]
	if !ok || !now.Before(req.expiresAt) || !slices.Contains(stages, req.stage) {
		return nil, false
	}
	return req, true
}

// renderAuthorizeError shows an error page in lang: LINE's own error
// pages are in English.
func (s *Server) renderAuthorizeError(w http.ResponseWriter, r *http.Request, lang language.Tag, message string) {
	s.renderHTML(w, r, http.StatusBadRequest, authorizeErrorPage(lang.String(), message))
}

// renderStale tells the browser, in its language, that the request its form
// answered is gone.
func (s *Server) renderStale(w http.ResponseWriter, r *http.Request, messageID string) {
	t := newTranslator(screenLanguage("", r))
	s.renderAuthorizeError(w, r, t.lang, t.T(messageID))
}

func (s *Server) renderStaleRequest(w http.ResponseWriter, r *http.Request) {
	s.renderStale(w, r, "StaleLogin")
}

// pickUserView builds step 1. The caller holds the lock.
func (st *state) pickUserView(id string, req *authRequest, problem, newUserName string) pickUserView {
	selected := cmp.Or(req.userID, req.sessionUserID)
	if selected == "" && newUserName == "" && len(st.userIDs) > 0 {
		selected = st.userIDs[0]
	}
	return pickUserView{
		T:           newTranslator(req.lang),
		RequestID:   id,
		Summary:     requestSummary{ChannelID: req.channelID, Scopes: req.scopes},
		Users:       st.userList(),
		SelectedID:  selected,
		NewUserName: newUserName,
		Problem:     problem,
	}
}

// handlePickUser answers step 1: the user signs in as an existing simulated
// user or as a new one.
func (s *Server) handlePickUser(w http.ResponseWriter, r *http.Request) {
	if status, ok := parseFormStatus(r); !ok {
		http.Error(w, http.StatusText(status), status)
		return
	}
	id := r.PostForm.Get("request")
	if r.PostForm.Get("action") == "cancel" {
		s.denyAuthorization(w, r, id)
		return
	}

	s.state.mu.Lock()
	now := s.now()
	req, ok := s.state.pendingAuthRequest(id, now, stagePickUser, stageConsent)
	if !ok {
		s.state.mu.Unlock()
		s.renderStaleRequest(w, r)
		return
	}
	choice, newUserName := r.PostForm.Get("user"), r.PostForm.Get("new_user_name")
	var problem string
	switch {
	// Without JavaScript, typing a name cannot select its radio button, so a
	// typed name is the choice.
	case choice == "new" || strings.TrimSpace(newUserName) != "":
		u, err := s.state.addUser(User{Name: newUserName}, s.baseURL)
		if err != nil {
			problem = newUserProblem(newTranslator(req.lang), err)
			break
		}
		s.log.InfoContext(r.Context(), "linesim: user created on the login screen", slog.String("user_id", u.ID))
		req.userID, req.amr = u.ID, amrPassword
	case s.state.hasUser(choice):
		req.userID, req.amr = choice, amrSSO
		if req.prompt == promptLogin {
			req.amr = amrPassword
		}
	default:
		problem = newTranslator(req.lang).T("ChooseUser")
	}
	if problem != "" {
		view := s.state.pickUserView(id, req, problem, newUserName)
		s.state.mu.Unlock()
		s.renderHTML(w, r, http.StatusUnprocessableEntity, pickUserPage(view))
		return
	}
	req.stage, req.authTime = stageConsent, now
	s.state.startSession(w, r, req.userID, now)
	s.state.mu.Unlock()
	http.Redirect(w, r, pathConsent+"?request="+url.QueryEscape(id), http.StatusSeeOther)
}

// consentOffer is the add-friend option of the consent screen for the user
// signing in; offerNothing unless bot_prompt=normal and an account is linked.
// The caller holds the lock.
func (st *state) consentOffer(req *authRequest) (friendOffer, OfficialAccount) {
	oa, linked := st.linkedAccount(req.channelID)
	if !linked || req.botPrompt != botPromptNormal {
		return offerNothing, OfficialAccount{}
	}
	return offerFor(st.friendship(req.userID, oa.BotID)), oa
}

func (s *Server) handleConsentPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("request")
	s.state.mu.Lock()
	req, ok := s.state.pendingAuthRequest(id, s.now(), stageConsent)
	if !ok {
		s.state.mu.Unlock()
		s.renderStaleRequest(w, r)
		return
	}
	offer, oa := s.state.consentOffer(req)
	view := consentView{
		T:           newTranslator(req.lang),
		RequestID:   id,
		Summary:     requestSummary{ChannelID: req.channelID, Scopes: req.scopes},
		User:        s.state.users[req.userID],
		Offer:       offer,
		AccountName: oa.Name,
	}
	s.state.mu.Unlock()
	s.renderHTML(w, r, http.StatusOK, consentPage(view))
}

// handleConsent answers step 2: Allow or Cancel, with the add-friend option
// of bot_prompt=normal.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	if status, ok := parseFormStatus(r); !ok {
		http.Error(w, http.StatusText(status), status)
		return
	}
	id := r.PostForm.Get("request")
	if r.PostForm.Get("action") != "allow" {
		s.denyAuthorization(w, r, id)
		return
	}

	s.state.mu.Lock()
	now := s.now()
	req, ok := s.state.pendingAuthRequest(id, now, stageConsent)
	if !ok {
		s.state.mu.Unlock()
		s.renderStaleRequest(w, r)
		return
	}
	s.state.recordConsent(req.userID, req.channelID, req.scopes)
	var callbackExtra []string
	oa, linked := s.state.linkedAccount(req.channelID)
	switch {
	case linked && req.botPrompt == botPromptNormal:
		changed := s.state.befriendIf(req.userID, oa.BotID, r.PostForm.Get("add_friend") == "yes")
		callbackExtra = []string{"friendship_status_changed", strconv.FormatBool(changed)}
	case linked && req.botPrompt == botPromptAggressive && s.state.friendship(req.userID, oa.BotID) != FriendshipFriend:
		req.stage = stageAddFriend
		s.state.mu.Unlock()
		http.Redirect(w, r, pathAddFriend+"?request="+url.QueryEscape(id), http.StatusSeeOther)
		return
	}
	code := s.state.issueCode(id, req, now)
	s.state.mu.Unlock()
	s.redirectWithCode(w, r, req, code, callbackExtra...)
}

func (s *Server) handleAddFriendPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("request")
	s.state.mu.Lock()
	req, ok := s.state.pendingAuthRequest(id, s.now(), stageAddFriend)
	if !ok {
		s.state.mu.Unlock()
		s.renderStaleRequest(w, r)
		return
	}
	oa, _ := s.state.linkedAccount(req.channelID)
	view := addFriendView{
		T:           newTranslator(req.lang),
		RequestID:   id,
		User:        s.state.users[req.userID],
		AccountName: oa.Name,
		Offer:       offerFor(s.state.friendship(req.userID, oa.BotID)),
	}
	s.state.mu.Unlock()
	s.renderHTML(w, r, http.StatusOK, addFriendPage(view))
}

// handleAddFriend answers the separate add-friend screen of
// bot_prompt=aggressive.
func (s *Server) handleAddFriend(w http.ResponseWriter, r *http.Request) {
	if status, ok := parseFormStatus(r); !ok {
		http.Error(w, http.StatusText(status), status)
		return
	}
	id := r.PostForm.Get("request")
	s.state.mu.Lock()
	now := s.now()
	req, ok := s.state.pendingAuthRequest(id, now, stageAddFriend)
	if !ok {
		s.state.mu.Unlock()
		s.renderStaleRequest(w, r)
		return
	}
	oa, _ := s.state.linkedAccount(req.channelID)
	changed := s.state.befriendIf(req.userID, oa.BotID, r.PostForm.Get("action") == "add")
	code := s.state.issueCode(id, req, now)
	s.state.mu.Unlock()
	s.redirectWithCode(w, r, req, code, "friendship_status_changed", strconv.FormatBool(changed))
}

// befriendIf makes the user a friend of the account when accepted and
// reports whether the friendship changed. The caller holds the lock.
func (st *state) befriendIf(userID, botID string, accepted bool) bool {
	if !accepted || st.friendship(userID, botID) == FriendshipFriend {
		return false
	}
	st.setFriendship(userID, botID, FriendshipFriend)
	return true
}

// issueCode ends a pending request with an authorization code. Expired codes
// are dropped here so that memory stays bounded. The caller holds the lock.
func (st *state) issueCode(id string, req *authRequest, now time.Time) string {
	for code, c := range st.codes {
		if !now.Before(c.expiresAt) {
			delete(st.codes, code)
		}
	}
	code := newOpaqueToken()
	st.codes[code] = &authCode{
		channelID:     req.channelID,
		redirectURI:   req.redirectURI,
		scopes:        req.scopes,
		nonce:         req.nonce,
		codeChallenge: req.codeChallenge,
		userID:        req.userID,
		amr:           req.amr,
		authTime:      req.authTime,
		withAuthTime:  req.withAuthTime,
		expiresAt:     now.Add(authCodeLifetime),
	}
	delete(st.authRequests, id)
	return code
}

// redirectWithCode sends the user back to the client with the code, the
// state and any extra callback parameters (name, value pairs).
func (s *Server) redirectWithCode(w http.ResponseWriter, r *http.Request, req *authRequest, code string, extra ...string) {
	s.log.InfoContext(r.Context(), "linesim: user authorized channel",
		slog.String("channel_id", req.channelID), slog.String("user_id", req.userID))
	s.reply(w, r, req.reply(), append([]string{"code", code, "state", req.state}, extra...)...)
}

// denyAuthorization answers Cancel: the request ends and the client hears
// ACCESS_DENIED.
func (s *Server) denyAuthorization(w http.ResponseWriter, r *http.Request, id string) {
	s.state.mu.Lock()
	req, ok := s.state.pendingAuthRequest(id, s.now(), stagePickUser, stageConsent)
	if ok {
		delete(s.state.authRequests, id)
	}
	s.state.mu.Unlock()
	if !ok {
		s.renderStaleRequest(w, r)
		return
	}
	s.reply(w, r, req.reply(), "error", "ACCESS_DENIED", "error_description", "The resource owner denied the request.", "state", req.state)
}

// redirectToClient redirects (302, as LINE does) to a registered redirect URI
// with query parameters given as name, value pairs, in that order and after
// any query the URI already has. Parameters without a value are left out.
func redirectToClient(w http.ResponseWriter, r *http.Request, redirectURI string, pairs ...string) {
	var query strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			continue
		}
		if query.Len() > 0 {
			query.WriteByte('&')
		}
		query.WriteString(url.QueryEscape(pairs[i]) + "=" + url.QueryEscape(pairs[i+1]))
	}
	sep := "?"
	if strings.Contains(redirectURI, "?") {
		sep = "&"
	}
	http.Redirect(w, r, redirectURI+sep+query.String(), http.StatusFound)
}

// requestSummary is what the login screens say about the requesting channel.
type requestSummary struct {
	ChannelID string
	Scopes    []string
}

type pickUserView struct {
	T           translator
	RequestID   string
	Summary     requestSummary
	Users       []User
	SelectedID  string // the user whose radio button is checked; "" = create a new one
	NewUserName string
	Problem     string
}

type consentView struct {
	T           translator
	RequestID   string
	Summary     requestSummary
	User        User
	Offer       friendOffer
	AccountName string
}

type addFriendView struct {
	T           translator
	RequestID   string
	User        User
	AccountName string
	Offer       friendOffer // offerAdd or offerUnblock
}

// scopeMessageID names the message that tells the user what a scope lets
// the channel see.
func scopeMessageID(scope string) string {
	switch scope {
	case scopeProfile:
		return "ScopeProfile"
	case scopeOpenID:
		return "ScopeOpenID"
	}
	return "ScopeEmail" // the only other scope an authorization request may hold
}

// newUserProblem says, in the screen's language, why a new user's name
// was refused.
func newUserProblem(t translator, err error) string {
	switch {
	case errors.Is(err, errNameRequired):
		return t.T("NameRequired")
	case errors.As(err, new(nameTooLongError)):
		return t.T("NameTooLong", "Max", strconv.Itoa(maxDisplayNameLength))
	}
	return err.Error()
}
