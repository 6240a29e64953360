package linesim

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The control surface's platform part: the clock, Official Accounts made
// in bulk and attached to a module, Primary channel webhooks and messages
// from users, the email permission of LINE Login channels and users
// unlinking channels.

// parseClockStep reads how far to move the clock: a Go duration ("90m",
// "24h") or a number of days ("90d").
func parseClockStep(raw string) (time.Duration, error) {
	raw = strings.TrimSpace(raw)
	if days, ok := strings.CutSuffix(raw, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number of days", raw)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 10m, 24h or 90d", raw)
	}
	return d, nil
}

func (s *Server) advanceClockBy(raw string) error {
	d, err := parseClockStep(raw)
	if err != nil {
		return err
	}
	return s.AdvanceClock(d)
}

// clockView is the clock as the control API shows it.
type clockView struct {
	Now      time.Time `json:"now"`
	Advanced string    `json:"advanced"` // how far the control surface moved it, as a Go duration
}

func (s *Server) clockView() clockView {
	return clockView{Now: s.Now(), Advanced: time.Duration(s.clock.offset.Load()).String()}
}

func (s *Server) handleAPIClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.clockView())
}

func (s *Server) handleAPIAdvanceClock(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Advance string `json:"advance"`
	}
	if status, err := decodeJSONBody(r, &body); err != nil {
		writeMessage(w, status, err.Error())
		return
	}
	if err := s.advanceClockBy(body.Advance); err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.clockView())
}

func (s *Server) handleControlAdvanceClock(w http.ResponseWriter, r *http.Request) {
	s.controlForm(w, r, func(f url.Values) error { return s.advanceClockBy(f.Get("advance")) })
}

// controlForm runs a control page form's action and ends like every form
// of the page (controlFormResult).
func (s *Server) controlForm(w http.ResponseWriter, r *http.Request, action func(form url.Values) error) {
	if status, ok := parseFormStatus(r); !ok {
		http.Error(w, http.StatusText(status), status)
		return
	}
	s.controlFormResult(w, r, action(r.PostForm))
}

// controlAPI runs a control API action on its JSON body: 204 when done, 400
// with the reason when refused.
func controlAPI[T any](w http.ResponseWriter, r *http.Request, action func(body T) error) {
	var body T
	if status, err := decodeJSONBody(r, &body); err != nil {
		writeMessage(w, status, err.Error())
		return
	}
	if err := action(body); err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// CreateOfficialAccount registers an Official Account as AddOfficialAccount
// does, generating its bot ID when it has none, and returns it as stored.
func (s *Server) CreateOfficialAccount(oa OfficialAccount) (OfficialAccount, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if oa.BotID == "" {
		oa.BotID = "U" + randomHex(16)
	}
	if err := s.state.checkNewAccount(oa); err != nil {
		return OfficialAccount{}, err
	}
	s.state.putAccount(oa)
	return s.state.accounts[oa.BotID], nil
}

// officialAccountInput is an Official Account as the control API takes it.
type officialAccountInput struct {
	BotID      string    `json:"botId"`
	BasicID    string    `json:"basicId"`
	Name       string    `json:"name"`
	PremiumID  string    `json:"premiumId"`
	PictureURL string    `json:"pictureUrl"`
	BrandType  BrandType `json:"brandType"`
	Region     Region    `json:"region"`
}

func (in officialAccountInput) account() OfficialAccount {
	return OfficialAccount{BotID: in.BotID, BasicID: strings.TrimSpace(in.BasicID), Name: strings.TrimSpace(in.Name),
		PremiumID: in.PremiumID, PictureURL: in.PictureURL, BrandType: in.BrandType, Region: in.Region}
}

func (s *Server) handleAPICreateBot(w http.ResponseWriter, r *http.Request) {
	var body officialAccountInput
	if status, err := decodeJSONBody(r, &body); err != nil {
		writeMessage(w, status, err.Error())
		return
	}
	oa, err := s.CreateOfficialAccount(body.account())
	if err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	s.state.mu.Lock()
	view := s.state.botView(oa)
	s.state.mu.Unlock()
	writeJSON(w, http.StatusCreated, view)
}

func (s *Server) handleControlCreateBot(w http.ResponseWriter, r *http.Request) {
	s.controlForm(w, r, func(f url.Values) error {
		_, err := s.CreateOfficialAccount(officialAccountInput{
			BasicID: f.Get("basic_id"), Name: f.Get("name"), BrandType: BrandType(f.Get("brand_type")), Region: Region(f.Get("region")),
		}.account())
		return err
	})
}

// maxBotsAtOnce bounds one bulk attachment: enough to page the bot list
// many times over.
const maxBotsAtOnce = 1000

// AttachNewBots creates count Official Accounts ("<module> customer N",
// unverified, JP) and attaches the module channel to each with scopes, as
// if each account's admin had approved it; every attachment sends its
// attached event. It returns the new bot IDs in attach order.
func (s *Server) AttachNewBots(channelID string, count int, scopes []string) ([]string, error) {
	if count < 1 || count > maxBotsAtOnce {
		return nil, fmt.Errorf("count must be 1 to %d", maxBotsAtOnce)
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	st := &s.state
	ch, ok := st.moduleChannels[channelID]
	if !ok {
		return nil, fmt.Errorf("unknown module channel %q", channelID)
	}
	if err := checkModuleScopes(scopes); err != nil {
		return nil, err
	}
	name := cmp.Or(ch.Name, "Module "+ch.ID)
	ids := make([]string, 0, count)
	for i := range count {
		oa := OfficialAccount{BotID: "U" + randomHex(16), Name: fmt.Sprintf("%s customer %d", name, i+1)}
		oa.BasicID = "@" + oa.BotID[1:9]
		if err := st.checkNewAccount(oa); err != nil {
			return nil, err // a random clash; nothing was attached after it
		}
		st.putAccount(oa)
		st.attach(channelID, oa.BotID, scopes)
		ids = append(ids, oa.BotID)
	}
	return ids, nil
}

func (s *Server) handleAPIAttachNewBots(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Count  int      `json:"count"`
		Scopes []string `json:"scopes"`
	}
	if status, err := decodeJSONBody(r, &body); err != nil {
		writeMessage(w, status, err.Error())
		return
	}
	ids, err := s.AttachNewBots(r.PathValue("id"), body.Count, body.Scopes)
	if err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		BotIDs []string `json:"botIds"`
	}{ids})
}

func (s *Server) handleControlAttachNewBots(w http.ResponseWriter, r *http.Request) {
	s.controlForm(w, r, func(f url.Values) error {
		count, err := strconv.Atoi(f.Get("count"))
		if err != nil {
			return errors.New("enter how many accounts to attach")
		}
		_, err = s.AttachNewBots(r.PathValue("id"), count, strings.Fields(f.Get("scopes")))
		return err
	})
}

func (s *Server) handleAPISetPrimaryWebhook(w http.ResponseWriter, r *http.Request) {
	controlAPI(w, r, func(body PrimaryWebhook) error { return s.SetPrimaryWebhook(r.PathValue("botID"), body) })
}

func (s *Server) handleControlSetPrimaryWebhook(w http.ResponseWriter, r *http.Request) {
	s.controlForm(w, r, func(f url.Values) error {
		return s.SetPrimaryWebhook(f.Get("bot"), PrimaryWebhook{
			ChannelID: strings.TrimSpace(f.Get("channel_id")), Secret: strings.TrimSpace(f.Get("secret")), URL: strings.TrimSpace(f.Get("url")),
		})
	})
}

type sendTextInput struct {
	UserID string `json:"userId"`
	BotID  string `json:"botId"`
	Text   string `json:"text"`
}

func (s *Server) handleAPISendText(w http.ResponseWriter, r *http.Request) {
	controlAPI(w, r, func(in sendTextInput) error { return s.SendText(in.UserID, in.BotID, in.Text) })
}

func (s *Server) handleControlSendText(w http.ResponseWriter, r *http.Request) {
	s.controlForm(w, r, func(f url.Values) error { return s.SendText(f.Get("user"), f.Get("bot"), f.Get("text")) })
}

// SetEmailPermission grants or withdraws a LINE Login channel's permission
// to receive users' email addresses (an application LINE approves in the
// console).
func (s *Server) SetEmailPermission(channelID string, granted bool) error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	ch, ok := s.state.channels[channelID]
	if !ok {
		return fmt.Errorf("unknown LINE Login channel %q", channelID)
	}
	ch.EmailPermission = granted
	s.state.channels[channelID] = ch
	return nil
}

type emailPermissionInput struct {
	Granted bool `json:"granted"`
}

func (s *Server) handleAPISetEmailPermission(w http.ResponseWriter, r *http.Request) {
	controlAPI(w, r, func(in emailPermissionInput) error { return s.SetEmailPermission(r.PathValue("id"), in.Granted) })
}

func (s *Server) handleControlSetEmailPermission(w http.ResponseWriter, r *http.Request) {
	s.controlForm(w, r, func(f url.Values) error { return s.SetEmailPermission(r.PathValue("id"), f.Get("granted") == "true") })
}

type consentInput struct {
	UserID    string `json:"userId"`
	ChannelID string `json:"channelId"`
}

func (s *Server) handleAPIRevokeConsent(w http.ResponseWriter, r *http.Request) {
	controlAPI(w, r, func(in consentInput) error { return s.RevokeConsent(in.UserID, in.ChannelID) })
}

func (s *Server) handleControlRevokeConsent(w http.ResponseWriter, r *http.Request) {
	s.controlForm(w, r, func(f url.Values) error { return s.RevokeConsent(f.Get("user"), f.Get("channel")) })
}
