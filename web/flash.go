package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// flash is a one-time message for the next page: a message ID and its
// parameters (name/value pairs of strings, integers and msgIDs), so that
// it is written in the reader's language when shown.
//
// It travels in a sealed cookie (Server.flashes), not in the session row,
// so that a message costs no write to the database: the action's own
// commit is the only one behind the 303. The browser holds the message
// only if it got that 303, which is sent once the action is durable (see
// docs/decisions.md on why this cookie carries more than an ID).
type flash struct {
	Kind string `json:"k"`
	ID   string `json:"id"`
	Args []any  `json:"-"` // in the cookie as flashArgs
}

// msgID is a flash parameter that is itself a message (a review status,
// say), written in the reader's language with the rest.
type msgID string

// flashArg is one parameter in the cookie, its type kept: JSON alone
// would make an integer a float (which plural rules refuse to count) and
// a msgID a plain string (which would not be translated).
type flashArg struct {
	S *string `json:"s,omitempty"`
	N *int64  `json:"n,omitempty"`
	M *msgID  `json:"m,omitempty"`
}

type flashJSON struct {
	Kind string     `json:"k"`
	ID   string     `json:"id"`
	Args []flashArg `json:"a,omitempty"`
}

func (f flash) MarshalJSON() ([]byte, error) {
	j := flashJSON{Kind: f.Kind, ID: f.ID}
	for _, a := range f.Args {
		var arg flashArg
		switch v := a.(type) {
		case msgID:
			arg.M = &v
		case string:
			arg.S = &v
		case int:
			n := int64(v)
			arg.N = &n
		case int64:
			arg.N = &v
		default:
			return nil, fmt.Errorf("web: flash parameter %v of type %T: use a string, an integer or a msgID", a, a)
		}
		j.Args = append(j.Args, arg)
	}
	return json.Marshal(j)
}

func (f *flash) UnmarshalJSON(b []byte) error {
	var j flashJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = flash{Kind: j.Kind, ID: j.ID}
	for _, a := range j.Args {
		switch {
		case a.M != nil:
			f.Args = append(f.Args, *a.M)
		case a.N != nil:
			f.Args = append(f.Args, int(*a.N))
		case a.S != nil:
			f.Args = append(f.Args, *a.S)
		default:
			return errors.New("web: a flash parameter without a value")
		}
	}
	return nil
}

// flashMaxAge is how long an unread message waits: the redirect that
// shows it follows at once, so one not shown by then is stale.
const flashMaxAge = 10 * time.Minute

// setFlash keeps f for the next page. It replaces a message not yet
// shown: the redirect that would have shown it was not followed.
func (s *Server) setFlash(w http.ResponseWriter, f flash) error {
	return setSealed(s, w, s.flashes, "", f)
}

// takeFlash returns the message waiting for this page, if any, and drops
// it, so that it is shown once. A forged or expired cookie holds none.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) (flash, bool) {
	return takeSealed[flash](s, w, r, s.flashes, "")
}
