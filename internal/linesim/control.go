package linesim

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// The control surface is simulator-only: an HTML page and a JSON API under
// /sim/ that set up users and friendships for demos and tests.

type controlView struct {
	Users       []User
	Accounts    []OfficialAccount
	Channels    []channelRow
	Friendships []friendshipRow
	Problem     string
	NewUser     User // what a refused create-user form held, shown again

	Bots            []botView
	Modules         []moduleView
	ChatControls    []chatControlView
	Deliveries      []Delivery // newest first
	Pushes          []Push     // newest first
	MissionStickers []missionStickerPackage
	BotIDHeader     string
	PortalURL       string // "" when the simulator serves no portal

	Clock           clockView
	PrimaryWebhooks []primaryWebhookView
	Consents        []consentRow
	Usage           []usageView
}

// consentRow is a user's consent to a LINE Login channel: an app in the
// user's "Authorized apps".
type consentRow struct {
	User      User
	ChannelID string
	Scopes    []string
}

type channelRow struct {
	ID              string
	RedirectURIs    []string
	LinkedAccount   string // name of the linked official account; "" = none
	EmailPermission bool
}

type friendshipRow struct {
	User  User
	Cells []friendshipCell // one per official account, in listing order
}

type friendshipCell struct {
	BotID  string
	Status Friendship
}

func (s *Server) controlView(problem string, newUser User) controlView {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	v := controlView{
		Users:           s.state.userList(),
		Accounts:        s.state.accountList(),
		Problem:         problem,
		NewUser:         newUser,
		Bots:            s.state.botViews(),
		Modules:         s.state.moduleViews(),
		ChatControls:    s.state.chatControlViews(s.now()),
		Pushes:          slices.Clone(s.state.pushes),
		MissionStickers: missionStickerPackages(),
		BotIDHeader:     s.botHeader,
		PortalURL:       s.portalURL,
		Clock:           s.clockView(),
		PrimaryWebhooks: s.state.primaryWebhooks(),
		Usage:           s.state.usageViews(s.now()),
	}
	for key, scopes := range s.state.consents {
		v.Consents = append(v.Consents, consentRow{User: s.state.users[key.userID], ChannelID: key.channelID, Scopes: scopes})
	}
	slices.SortFunc(v.Consents, func(a, b consentRow) int {
		return cmp.Or(strings.Compare(a.User.Name, b.User.Name), strings.Compare(a.ChannelID, b.ChannelID))
	})
	for _, d := range s.state.deliveries {
		v.Deliveries = append(v.Deliveries, d.view())
	}
	slices.Reverse(v.Deliveries)
	slices.Reverse(v.Pushes)
	for _, ch := range s.state.channels {
		oa, _ := s.state.linkedAccount(ch.ID)
		v.Channels = append(v.Channels, channelRow{ID: ch.ID, RedirectURIs: ch.RedirectURIs, LinkedAccount: oa.Name, EmailPermission: ch.EmailPermission})
	}
	slices.SortFunc(v.Channels, func(a, b channelRow) int { return strings.Compare(a.ID, b.ID) })
	for _, u := range v.Users {
		row := friendshipRow{User: u}
		for _, oa := range v.Accounts {
			row.Cells = append(row.Cells, friendshipCell{BotID: oa.BotID, Status: s.state.friendship(u.ID, oa.BotID)})
		}
		v.Friendships = append(v.Friendships, row)
	}
	return v
}

func (s *Server) handleControlPage(w http.ResponseWriter, r *http.Request) {
	s.renderHTML(w, r, http.StatusOK, controlPage(s.controlView("", User{})))
}

func (s *Server) handleControlCreateUser(w http.ResponseWriter, r *http.Request) {
	if status, ok := parseFormStatus(r); !ok {
		http.Error(w, http.StatusText(status), status)
		return
	}
	input := User{ID: strings.TrimSpace(r.PostForm.Get("id")), Name: r.PostForm.Get("name"), Email: r.PostForm.Get("email")}
	if _, err := s.AddUser(input); err != nil {
		s.renderHTML(w, r, http.StatusUnprocessableEntity, controlPage(s.controlView(err.Error(), input)))
		return
	}
	http.Redirect(w, r, "/sim/", http.StatusSeeOther)
}

func (s *Server) handleControlSetFriendship(w http.ResponseWriter, r *http.Request) {
	if status, ok := parseFormStatus(r); !ok {
		http.Error(w, http.StatusText(status), status)
		return
	}
	form := r.PostForm
	if err := s.SetFriendship(form.Get("user"), form.Get("bot"), Friendship(form.Get("status"))); err != nil {
		s.renderHTML(w, r, http.StatusUnprocessableEntity, controlPage(s.controlView(err.Error(), User{})))
		return
	}
	http.Redirect(w, r, "/sim/", http.StatusSeeOther)
}

func (s *Server) handleAPIListUsers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Users())
}

func (s *Server) handleAPICreateUser(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name  string `json:"name"`
		ID    string `json:"id"`
		Email string `json:"email"`
	}
	if status, err := decodeJSONBody(r, &body); err != nil {
		writeMessage(w, status, err.Error())
		return
	}
	u, err := s.AddUser(User{ID: body.ID, Name: body.Name, Email: body.Email})
	if err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) handleAPISetFriendship(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UserID string     `json:"userId"`
		BotID  string     `json:"botId"`
		Status Friendship `json:"status"`
	}
	if status, err := decodeJSONBody(r, &body); err != nil {
		writeMessage(w, status, err.Error())
		return
	}
	if err := s.SetFriendship(body.UserID, body.BotID, body.Status); err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAPIGetFriendship(w http.ResponseWriter, r *http.Request) {
	userID, botID := r.URL.Query().Get("userId"), r.URL.Query().Get("botId")
	s.state.mu.Lock()
	err := s.state.checkPair(userID, botID)
	status := s.state.friendship(userID, botID)
	s.state.mu.Unlock()
	if err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Status Friendship `json:"status"`
	}{status})
}

// decodeJSONBody decodes exactly one JSON object with no unknown fields and
// reports the status to answer when the body is refused.
func decodeJSONBody(r *http.Request, v any) (int, error) {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("more than one JSON value")
	}
	if err == nil {
		return http.StatusOK, nil
	}
	if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
		return http.StatusRequestEntityTooLarge, errors.New("request body too large")
	}
	return http.StatusBadRequest, fmt.Errorf("invalid JSON body: %v", err)
}

// portalPath is the portal's address of path, "" when the simulator
// serves no portal.
func portalPath(portalURL, path string) string {
	if portalURL == "" {
		return ""
	}
	return portalURL + path
}
