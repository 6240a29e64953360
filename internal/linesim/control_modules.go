package linesim

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The control surface's module part: module channels and their
// attachments, bots (suspend, resume, delete), chat control, webhook
// deliveries (redeliver), pushes and the mission sticker packages.

type moduleView struct {
	ID           string           `json:"id"`
	RedirectURIs []string         `json:"redirectUris"`
	WebhookURL   string           `json:"webhookUrl"`
	Attachments  []attachmentView `json:"attachments"`
}

type attachmentView struct {
	BotID      string    `json:"botId"`
	BotName    string    `json:"botName"`
	Scopes     []string  `json:"scopes"`
	AttachedAt time.Time `json:"attachedAt"`
}

type botView struct {
	BotID      string    `json:"botId"`
	BasicID    string    `json:"basicId"`
	Name       string    `json:"name"`
	PremiumID  string    `json:"premiumId,omitempty"`
	PictureURL string    `json:"pictureUrl,omitempty"`
	BrandType  BrandType `json:"brandType"`
	Region     Region    `json:"region"`
	Suspended  bool      `json:"suspended"`
	Modules    []string  `json:"modules"` // IDs of the attached module channels
}

type chatControlView struct {
	BotName   string
	UserName  string
	ChatID    string // as module channels see it
	ChannelID string
	ExpireAt  time.Time // zero = no time limit
}

// moduleViews lists module channels with their attachments in attach
// order. The caller holds the lock.
func (st *state) moduleViews() []moduleView {
	views := make([]moduleView, 0, len(st.moduleIDs))
	for _, id := range st.moduleIDs {
		ch := st.moduleChannels[id]
		v := moduleView{ID: id, RedirectURIs: ch.RedirectURIs, WebhookURL: ch.WebhookURL, Attachments: []attachmentView{}}
		for botID, a := range st.attachments[id] {
			v.Attachments = append(v.Attachments, attachmentView{botID, st.accounts[botID].Name, a.scopes, a.attachedAt})
		}
		slices.SortFunc(v.Attachments, func(a, b attachmentView) int { return a.AttachedAt.Compare(b.AttachedAt) })
		views = append(views, v)
	}
	return views
}

// botViews lists the official accounts with their modules. The caller
// holds the lock.
func (st *state) botViews() []botView {
	accounts := st.accountList()
	views := make([]botView, 0, len(accounts))
	for _, oa := range accounts {
		views = append(views, st.botView(oa))
	}
	return views
}

// botView is one official account with its modules. The caller holds the
// lock.
func (st *state) botView(oa OfficialAccount) botView {
	return botView{
		BotID: oa.BotID, BasicID: oa.BasicID, Name: oa.Name, PremiumID: oa.PremiumID, PictureURL: oa.PictureURL,
		BrandType: oa.BrandType, Region: oa.Region, Suspended: oa.Suspended, Modules: append([]string{}, st.modulesOf(oa.BotID)...),
	}
}

// chatControlViews lists the chats a module is active in now. The caller
// holds the lock.
func (st *state) chatControlViews(now time.Time) []chatControlView {
	var views []chatControlView
	for key, c := range st.chatControls {
		if c.activeAt(now) {
			views = append(views, chatControlView{
				BotName: st.accounts[key.botID].Name, UserName: st.users[key.userID].Name,
				ChatID: ModuleUserID(key.botID, key.userID), ChannelID: c.channelID, ExpireAt: c.expireAt,
			})
		}
	}
	slices.SortFunc(views, func(a, b chatControlView) int {
		return cmp.Or(strings.Compare(a.BotName, b.BotName), strings.Compare(a.UserName, b.UserName))
	})
	return views
}

// botAction runs a control action on a bot: suspend, resume or delete.
func (s *Server) botAction(botID, action string) error {
	switch action {
	case "suspend":
		return s.SuspendBot(botID)
	case "resume":
		return s.ResumeBot(botID)
	case "delete":
		return s.DeleteBot(botID)
	}
	return fmt.Errorf("action %q must be suspend, resume or delete", action)
}

func (s *Server) handleControlBotAction(w http.ResponseWriter, r *http.Request) {
	s.controlFormResult(w, r, s.botAction(r.PathValue("botID"), r.PathValue("action")))
}

func (s *Server) handleControlRedeliver(w http.ResponseWriter, r *http.Request) {
	_, err := s.Redeliver(r.PathValue("id"))
	s.controlFormResult(w, r, err)
}

// controlFormResult ends a control page form: back to the page, or the page
// again with the problem.
func (s *Server) controlFormResult(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.renderHTML(w, r, http.StatusUnprocessableEntity, controlPage(s.controlView(err.Error(), User{})))
		return
	}
	http.Redirect(w, r, "/sim/", http.StatusSeeOther)
}

func (s *Server) handleAPIListModules(w http.ResponseWriter, r *http.Request) {
	s.state.mu.Lock()
	views := s.state.moduleViews()
	s.state.mu.Unlock()
	writeJSON(w, http.StatusOK, views)
}

// handleAPICreateModule registers a module channel, as the LINE
// Developers Console would: for developing or load-testing a module
// integration against the simulator.
func (s *Server) handleAPICreateModule(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ID           string   `json:"id"`
		Name         string   `json:"name"`
		Secret       string   `json:"secret"`
		RedirectURIs []string `json:"redirectUris"`
		WebhookURL   string   `json:"webhookUrl"`
	}
	if status, err := decodeJSONBody(r, &body); err != nil {
		writeMessage(w, status, err.Error())
		return
	}
	ch := ModuleChannel{ID: body.ID, Name: body.Name, Secret: body.Secret, RedirectURIs: body.RedirectURIs, WebhookURL: body.WebhookURL}
	if err := s.AddModuleChannel(ch); err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// handleControlCreateModule is handleAPICreateModule as a form, for
// someone trying the portal without the demo: the webhook URL left empty
// is the portal's receiver for the channel.
func (s *Server) handleControlCreateModule(w http.ResponseWriter, r *http.Request) {
	s.controlForm(w, r, func(f url.Values) error {
		ch := ModuleChannel{ID: strings.TrimSpace(f.Get("id")), Name: strings.TrimSpace(f.Get("name")), Secret: strings.TrimSpace(f.Get("secret")),
			WebhookURL: strings.TrimSpace(f.Get("webhook_url"))}
		if uri := strings.TrimSpace(f.Get("redirect_uri")); uri != "" {
			ch.RedirectURIs = []string{uri}
		}
		// What LINE issues, so that the portal takes the channel: the
		// simulator's other channels may be looser, for tests.
		if len(ch.ID) != 10 || strings.Trim(ch.ID, "0123456789") != "" {
			return fmt.Errorf("channel ID %q must be 10 digits, as LINE issues them", ch.ID)
		}
		if len(ch.Secret) != 32 || strings.Trim(ch.Secret, "0123456789abcdef") != "" {
			return errors.New("the channel secret must be 32 hexadecimal digits (0-9, a-f), as LINE issues them")
		}
		if ch.WebhookURL == "" && s.portalURL != "" {
			ch.WebhookURL = s.portalURL + "/webhooks/line/" + ch.ID
		}
		return s.AddModuleChannel(ch)
	})
}

// handleAPIAttachModule attaches a module channel to a bot as if the
// account's administrator had approved it on the authorization screen (the
// attached event goes to the channel's webhook).
func (s *Server) handleAPIAttachModule(w http.ResponseWriter, r *http.Request) {
	var body struct {
		BotID  string   `json:"botId"`
		Scopes []string `json:"scopes"`
	}
	if status, err := decodeJSONBody(r, &body); err != nil {
		writeMessage(w, status, err.Error())
		return
	}
	if err := s.AttachModule(r.PathValue("id"), body.BotID, body.Scopes); err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAPIListBots(w http.ResponseWriter, r *http.Request) {
	s.state.mu.Lock()
	views := s.state.botViews()
	s.state.mu.Unlock()
	writeJSON(w, http.StatusOK, views)
}

func (s *Server) handleAPIBotAction(w http.ResponseWriter, r *http.Request) {
	if err := s.botAction(r.PathValue("botID"), r.PathValue("action")); err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAPIListDeliveries(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Deliveries())
}

func (s *Server) handleAPIRedeliver(w http.ResponseWriter, r *http.Request) {
	id, err := s.Redeliver(r.PathValue("id"))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusAccepted, struct {
		ID string `json:"id"`
	}{id})
}

func (s *Server) handleAPIListPushes(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Pushes())
}

func (s *Server) handleAPIMissionStickers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, missionStickerPackages())
}
