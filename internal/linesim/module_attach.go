package linesim

import (
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// pathModuleConsent is the simulator's own answer path of the module
// authorization screen; LINE's real one is private.
const pathModuleConsent = "/module/auth/v1/authorize/consent"

// attachRequest is a validated module authorization request waiting for an
// account admin.
type attachRequest struct {
	channelID     string
	redirectURI   string
	state         string
	scopes        []string
	region        Region
	basicSearchID string
	brandTypes    []BrandType
	codeChallenge string
	// repeated are region, basic_search_id, scope and brand_type as the
	// authorize URL gave them, which the token request must repeat.
	repeated  url.Values
	lang      language.Tag // of the screen
	expiresAt time.Time
}

// attachCode is an authorization code of an approved attachment.
type attachCode struct {
	channelID     string
	redirectURI   string
	codeChallenge string
	botID         string
	scopes        []string
	repeated      url.Values // see attachRequest
	expiresAt     time.Time
	used          bool
}

func (s *Server) handleModuleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.state.mu.Lock()
	ch, known := s.state.moduleChannels[q.Get("client_id")]
	s.state.mu.Unlock()
	redirectURI, ok := s.authorizeTarget(w, r, known, ch.RedirectURIs, "a module channel")
	if !ok {
		return
	}
	req, problem := parseAttachRequest(q)
	if problem != nil {
		redirectToClient(w, r, redirectURI, "error", problem.code, "error_description", problem.description, "state", q.Get("state"))
		return
	}
	// LINE documents no ui_locales for this screen; one sent is honoured
	// as on LINE Login's.
	req.channelID, req.redirectURI, req.lang = ch.ID, redirectURI, screenLanguage(q.Get("ui_locales"), r)

	s.state.mu.Lock()
	id := s.state.addAttachRequest(req)
	view := s.state.moduleConsentView(id, &req, "", "")
	s.state.mu.Unlock()
	s.renderHTML(w, r, http.StatusOK, moduleConsentPage(view))
}

// parseAttachRequest validates the parameters whose errors the authorize
// endpoint reports to the client by redirect; the first failing check wins.
// LINE does not document these error codes; the simulator uses RFC 6749's.
func parseAttachRequest(q url.Values) (attachRequest, *authorizeError) {
	if q.Get("response_type") != "code" {
		return attachRequest{}, &authorizeError{"unsupported_response_type", "Only response_type=code is supported."}
	}
	req := attachRequest{
		state:         q.Get("state"),
		region:        Region(q.Get("region")),
		basicSearchID: q.Get("basic_search_id"),
		codeChallenge: q.Get("code_challenge"),
		repeated:      url.Values{},
	}
	for _, name := range repeatedAttachParams {
		if v := q.Get(name); v != "" {
			req.repeated.Set(name, v)
		}
	}
	// No scope at all is valid: the attachment then only issues link tokens.
	for _, sc := range strings.Fields(q.Get("scope")) {
		if _, ok := moduleScopeMessageID(sc); !ok {
			return attachRequest{}, &authorizeError{"invalid_scope", "Unknown scope: " + sc}
		}
		if !slices.Contains(req.scopes, sc) {
			req.scopes = append(req.scopes, sc)
		}
	}
	if req.state == "" {
		return attachRequest{}, &authorizeError{"invalid_request", "state is required."}
	}
	if req.region != "" && req.region != RegionJP && req.region != RegionTW {
		return attachRequest{}, &authorizeError{"invalid_request", "region must be JP or TW."}
	}
	for _, bt := range strings.Fields(q.Get("brand_type")) {
		switch b := BrandType(bt); b {
		case BrandPremium, BrandVerified, BrandUnverified:
			req.brandTypes = append(req.brandTypes, b)
		default:
			return attachRequest{}, &authorizeError{"invalid_request", "brand_type must be premium, verified or unverified."}
		}
	}
	if problem := checkCodeChallenge(q, "invalid_request"); problem != nil {
		return attachRequest{}, problem
	}
	return req, nil
}

// matches reports whether an account may be picked for the request.
func (req *attachRequest) matches(oa OfficialAccount) bool {
	return (req.basicSearchID == "" || req.basicSearchID == oa.BasicID) &&
		(req.region == "" || req.region == oa.Region) &&
		(len(req.brandTypes) == 0 || slices.Contains(req.brandTypes, oa.BrandType))
}

// addAttachRequest stores a pending request and returns its ID; abandoned
// ones are dropped here. The caller holds the lock.
func (st *state) addAttachRequest(req attachRequest) string {
	now := st.now()
	for id, pending := range st.attachRequests {
		if !now.Before(pending.expiresAt) {
			delete(st.attachRequests, id)
		}
	}
	id := newOpaqueToken()
	req.expiresAt = now.Add(authRequestLifetime)
	st.attachRequests[id] = &req
	return id
}

func (st *state) pendingAttachRequest(id string) (*attachRequest, bool) {
	req, ok := st.attachRequests[id]
	if !ok || !st.now().Before(req.expiresAt) {
		return nil, false
	}
	return req, true
}

type moduleConsentView struct {
	T         translator
	RequestID string
	Channel   ModuleChannel
	Scopes    []string
	Accounts  []OfficialAccount // those the request allows, suspended ones included
	Selected  string
	Problem   string
}

// moduleConsentView builds the authorization screen. The caller holds the
// lock.
func (st *state) moduleConsentView(id string, req *attachRequest, selected, problem string) moduleConsentView {
	v := moduleConsentView{T: newTranslator(req.lang), RequestID: id, Channel: st.moduleChannels[req.channelID], Scopes: req.scopes, Selected: selected, Problem: problem}
	for _, oa := range st.accountList() {
		if req.matches(oa) {
			v.Accounts = append(v.Accounts, oa)
		}
	}
	return v
}

// handleModuleConsent answers the authorization screen: Approve attaches
// (once the code is exchanged) to the picked account; Cancel denies.
func (s *Server) handleModuleConsent(w http.ResponseWriter, r *http.Request) {
	if status, ok := parseFormStatus(r); !ok {
		http.Error(w, http.StatusText(status), status)
		return
	}
	id, botID := r.PostForm.Get("request"), r.PostForm.Get("bot")
	s.state.mu.Lock()
	req, ok := s.state.pendingAttachRequest(id)
	if !ok {
		s.state.mu.Unlock()
		s.renderStale(w, r, "StaleAttach")
		return
	}
	if r.PostForm.Get("action") != "approve" {
		delete(s.state.attachRequests, id)
		s.state.mu.Unlock()
		redirectToClient(w, r, req.redirectURI,
			"error", "access_denied", "error_description", "The resource owner denied the request.", "state", req.state)
		return
	}
	oa, known := s.state.accounts[botID]
	var problem string
	t := newTranslator(req.lang)
	switch {
	case !known || !req.matches(oa):
		problem = t.T("ChooseAccount")
	case oa.Suspended:
		problem = t.T("AccountSuspended", "Account", oa.Name)
	}
	if problem != "" {
		view := s.state.moduleConsentView(id, req, botID, problem)
		s.state.mu.Unlock()
		s.renderHTML(w, r, http.StatusUnprocessableEntity, moduleConsentPage(view))
		return
	}
	code := s.state.issueAttachCode(req, botID)
	delete(s.state.attachRequests, id)
	s.state.mu.Unlock()
	s.log.InfoContext(r.Context(), "linesim: module attachment approved",
		slog.String("channel_id", req.channelID), slog.String("bot_id", botID))
	redirectToClient(w, r, req.redirectURI, "code", code, "state", req.state)
}

// issueAttachCode issues a single-use code valid for ten minutes; expired
// codes are dropped here. The caller holds the lock.
func (st *state) issueAttachCode(req *attachRequest, botID string) string {
	now := st.now()
	for code, c := range st.attachCodes {
		if !now.Before(c.expiresAt) {
			delete(st.attachCodes, code)
		}
	}
	code := newOpaqueToken()
	st.attachCodes[code] = &attachCode{
		channelID:     req.channelID,
		redirectURI:   req.redirectURI,
		codeChallenge: req.codeChallenge,
		botID:         botID,
		scopes:        req.scopes,
		repeated:      req.repeated,
		expiresAt:     now.Add(authCodeLifetime),
	}
	return code
}

// handleModuleToken exchanges an attach code: the module is attached and
// the attached event sent. LINE documents 400 and 403 without bodies; the
// simulator answers in the RFC 6749 shape, 403 for wrong client
// credentials and 400 for everything else. region, basic_search_id, scope
// and brand_type given in the authorize URL must be repeated, as LINE asks
// ("specify the same value"); LINE documents no error for a value left out
// or changed, and the simulator refuses it as the code's mismatch.
func (s *Server) handleModuleToken(w http.ResponseWriter, r *http.Request) {
	if status, ok := parseFormStatus(r); !ok {
		writeOAuthError(w, status, "invalid_request", invalidRequestDescription)
		return
	}
	form := r.PostForm
	clientID, clientSecret, hasCredentials := moduleClientCredentials(r)
	switch {
	case form.Get("grant_type") != "authorization_code":
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code")
		return
	case !hasCredentials || form.Get("code") == "" || form.Get("redirect_uri") == "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", invalidRequestDescription)
		return
	}

	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	ch, ok := s.state.moduleChannels[clientID]
	if !ok || subtle.ConstantTimeCompare([]byte(ch.Secret), []byte(clientSecret)) != 1 {
		writeOAuthError(w, http.StatusForbidden, "invalid_client", "client authentication failed")
		return
	}
	c, ok := s.state.attachCodes[form.Get("code")]
	var problem string
	switch {
	case !ok || c.channelID != ch.ID:
		problem = "invalid authorization code"
	case c.used:
		problem = "authorization code already used"
	case !s.now().Before(c.expiresAt):
		problem = "authorization code expired"
	case form.Get("redirect_uri") != c.redirectURI:
		problem = "redirect_uri does not match"
	case c.codeChallenge != "" && !pkceVerifierMatches(form.Get("code_verifier"), c.codeChallenge):
		problem = "invalid code_verifier"
	case unrepeated(form, c.repeated) != "":
		problem = unrepeated(form, c.repeated) + " does not match the authorization request"
	default:
		if _, exists := s.state.accounts[c.botID]; !exists {
			problem = "the LINE Official Account no longer exists"
		}
	}
	if problem != "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", problem)
		return
	}
	c.used = true
	s.state.attach(ch.ID, c.botID, c.scopes)
	a, _ := s.state.attachmentOf(ch.ID, c.botID)
	s.log.InfoContext(r.Context(), "linesim: module attached", slog.String("channel_id", ch.ID), slog.String("bot_id", c.botID))
	writeJSON(w, http.StatusOK, struct {
		BotID  string   `json:"bot_id"`
		Scopes []string `json:"scopes"`
	}{c.botID, a.scopes})
}

// repeatedAttachParams are the authorize URL's parameters the token
// request repeats.
var repeatedAttachParams = []string{"region", "basic_search_id", "scope", "brand_type"}

// unrepeated names the first of the authorize URL's values that form does
// not repeat; "" when it repeats them all. A list (scope, brand_type) may
// come in another order.
func unrepeated(form, authorized url.Values) string {
	for _, name := range repeatedAttachParams {
		want, got := strings.Fields(authorized.Get(name)), strings.Fields(form.Get(name))
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			return name
		}
	}
	return ""
}

// moduleClientCredentials reads the module channel's credentials from Basic
// authentication or, failing that, the form body. Another Authorization
// scheme (the SDK sends its Bearer token) is not client authentication.
func moduleClientCredentials(r *http.Request) (id, secret string, ok bool) {
	if encoded, basic := strings.CutPrefix(r.Header.Get("Authorization"), "Basic "); basic {
		raw, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			return "", "", false
		}
		id, secret, ok = strings.Cut(string(raw), ":")
		return id, secret, ok
	}
	id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	return id, secret, id != "" && secret != ""
}

// moduleScopeText is a scope as the authorization screen lists it.
func moduleScopeText(t translator, scope string) string {
	id, _ := moduleScopeMessageID(scope)
	return t.T("ScopeWithName", "Description", t.T(id), "Scope", scope)
}
