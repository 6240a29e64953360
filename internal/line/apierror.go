package line

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"lineportal/internal/portal"
)

// What the portal asked LINE to do; APIError.Op and Explain use them.
const (
	opAttach         = "attach module"
	opToken          = "issue channel access token"
	opBotList        = "list attached bots"
	opDetach         = "detach module"
	opChatControl    = "chat control"
	opMissionSticker = "mission sticker"
	opMarkAsRead     = "mark as read"
	opPush           = "push message"
)

// APIError is an error answer from LINE.
type APIError struct {
	Op        string // what the portal asked LINE to do
	Status    int
	Message   string // LINE's message; on token endpoints error_description
	Code      string // the OAuth error code on token endpoints ("invalid_grant"…); "" elsewhere
	RequestID string // x-line-request-id, what LINE's support asks for
}

func (e *APIError) Error() string {
	return fmt.Sprintf("line: %s: HTTP %d %q (request ID %s)", e.Op, e.Status, e.Message, e.RequestID)
}

// apiError turns what an SDK ...WithHttpInfo call returned into the
// portal's error; nil when the call succeeded. The SDK reports a non-2xx
// answer as a plain "unexpected status code: N, body" error and leaves the
// body readable in res, so the answer is read from res.
func apiError(op string, res *http.Response, err error) error {
	if err == nil {
		return nil
	}
	if res == nil || res.StatusCode/100 == 2 {
		// LINE was not reached, or answered something unreadable.
		return fmt.Errorf("line: %s: %w", op, err)
	}
	e := &APIError{Op: op, Status: res.StatusCode, RequestID: res.Header.Get("X-Line-Request-Id")}
	var body struct {
		Message          string `json:"message"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 1<<16))
	if json.Unmarshal(raw, &body) == nil {
		e.Message, e.Code = body.Message, body.Error
		if e.Message == "" {
			e.Message = body.ErrorDescription
		}
	}
	if e.Message == "" {
		e.Message = strings.TrimSpace(string(raw))
	}
	return e
}

// Explanation is an error in words for the person who made the request,
// with LINE's request ID for support.
type Explanation struct {
	Message   string
	RequestID string // "" when LINE was not reached
}

// String is the explanation with its request ID, ready to show.
func (e Explanation) String() string {
	if e.RequestID == "" {
		return e.Message
	}
	return e.Message + " (LINE request ID: " + e.RequestID + ")"
}

// Refusal is an error from Platform as the portal's error, made here once
// for every page that calls LINE: its message is Explain's sentence with
// LINE's request ID. Input refused by this client or by LINE (an answer
// 4xx other than 429) is EINVALID, about the form field named field
// when it is not ""; LINE unreachable, overloaded or failing is
// EUNAVAILABLE.
func Refusal(err error, field string) error {
	if ie, ok := errors.AsType[*InputError](err); ok && ie.Refused != nil {
		return ie.Refused
	}
	message := Explain(err).String()
	apiErr, isAPIError := errors.AsType[*APIError](err)
	_, isInputError := errors.AsType[*InputError](err)
	if !isInputError && !(isAPIError && apiErr.Status/100 == 4 && apiErr.Status != http.StatusTooManyRequests) {
		return portal.Errorf(portal.EUNAVAILABLE, "%s", message)
	}
	if field == "" {
		return portal.Errorf(portal.EINVALID, "%s", message)
	}
	return portal.FieldError(field, message)
}

// RequestID is LINE's request ID of an error from Platform, for the log:
// what LINE's support asks for. "" when LINE was not reached.
func RequestID(err error) string {
	if e, ok := errors.AsType[*APIError](err); ok {
		return e.RequestID
	}
	return ""
}

// Explain turns an error from Platform into a sentence a person
// understands.
func Explain(err error) Explanation {
	if ie, ok := errors.AsType[*InputError](err); ok {
		return Explanation{Message: ie.Message}
	}
	e, ok := errors.AsType[*APIError](err)
	if !ok {
		return Explanation{Message: "LINE could not be reached or gave no usable answer. Try again in a moment."}
	}
	return Explanation{Message: e.explain(), RequestID: e.RequestID}
}

func (e *APIError) explain() string {
	switch e.Status {
	case http.StatusUnauthorized:
		return "LINE did not accept the channel access token: it is wrong or has expired. Issue a new token for the channel and try again."
	case http.StatusTooManyRequests:
		return "LINE is receiving too many requests from this channel. Wait a minute and try again."
	}
	var specific string
	switch e.Op {
	case opMissionSticker:
		specific = missionStickerText(e.Message)
	case opChatControl:
		specific = e.chatControlText()
	case opBotList:
		specific = e.botListText()
	case opDetach:
		specific = detachText(e.Message)
	case opMarkAsRead:
		if e.Status == http.StatusBadRequest {
			specific = "LINE did not accept the user ID: it is not a user who is friends with this LINE Official Account."
		}
	case opAttach:
		specific = e.attachText()
	case opToken:
		if e.Status == http.StatusBadRequest {
			specific = "LINE did not accept the channel ID and channel secret. Check them in the module channel's settings."
		}
	case opPush:
		if e.Status == http.StatusBadRequest {
			specific = "LINE refused the message: " + e.Message
		}
	}
	if specific != "" {
		return specific
	}
	switch {
	case e.Status == http.StatusForbidden:
		return fmt.Sprintf("LINE refused: the channel may not do this for this LINE Official Account, lacks the permission for it, or the account is unavailable. LINE said: %q.", e.Message)
	case e.Status >= 500:
		return "LINE had a temporary problem. Try again later."
	}
	return fmt.Sprintf("LINE refused the request (HTTP %d): %q.", e.Status, e.Message)
}

// missionStickerText explains the mission sticker API's errors, in the
// wording of LINE's API reference and of the corporate options document
// (001), which differ.
func missionStickerText(message string) string {
	switch strings.ToLower(strings.TrimSpace(message)) {
	case "invalid request":
		return "LINE did not accept the user ID. Check that it is the LINE user ID of the person who completed the mission."
	case "illegal argument":
		return "This sticker set is not set up as a mission sticker. Check the package ID with your LINE sales representative."
	case "not in sales period", "not_sales_period":
		return "This mission sticker is outside its validity period, so it cannot be given now."
	case "sticker set not available for channel":
		return "This channel is not permitted to give this sticker set. Ask your LINE sales representative to enable it for the channel."
	case "not available":
		return "This user cannot receive the sticker set: it is not sold in the user's country or region, or the user's device or LINE version does not support it."
	case "not sale for country":
		return "This sticker set is not sold in the user's country or region, so the user cannot receive it."
	case "not sale for device":
		return "The user's device does not support this sticker set."
	case "not sale for version":
		return "The user's LINE app is too old for this sticker set. Ask the user to update LINE, then try again."
	case "not allowed to use the api":
		return "This channel has not been given permission to use mission stickers. Apply for it through your LINE sales representative."
	case "not found":
		return "No sticker set has this package ID. Check the package ID."
	case "internal error":
		return "LINE had an internal error while giving the sticker. Try again later."
	case "upstream error":
		return "LINE could not reach its sticker service. Try again later."
	}
	return ""
}

func (e *APIError) chatControlText() string {
	switch e.Status {
	case http.StatusBadRequest:
		if strings.Contains(e.Message, "'ttl'") {
			return "LINE did not accept the time limit: it must be from 1 second to 1 year."
		}
		if strings.Contains(e.Message, "'chatId'") {
			return "LINE did not accept the chat ID. Use the user ID from the module's webhook events (L…), or a group or room ID."
		}
	case http.StatusNotFound:
		return "This user is not a friend of the Official Account, or the bot is not in that group or room."
	case http.StatusLocked:
		return "Another channel took control of this chat a moment ago — try again in a few seconds."
	}
	return ""
}

func (e *APIError) botListText() string {
	switch {
	case e.Status != http.StatusBadRequest:
		return ""
	case e.Message == "Invalid start param":
		return "The list's page token has expired (they last 24 hours) or is not valid. Start again from the first page."
	case strings.Contains(e.Message, "'limit'"):
		return "LINE lists at most 100 bots per page. Ask for 1 to 100."
	}
	return ""
}

func detachText(message string) string {
	switch message {
	case "user/group/room Id is not available.":
		return "LINE does not know this bot. It may have been deleted; check the bot ID."
	case "Specified channel is not detachable":
		return "This module channel cannot be detached from that Official Account: it is not attached to it, or the channel is not a module channel."
	}
	return ""
}

func (e *APIError) attachText() string {
	switch {
	case e.Code == "invalid_client" || e.Status == http.StatusForbidden:
		return "LINE did not accept the module channel's ID and secret. Check them in the module channel's settings."
	case e.Code == "invalid_grant":
		return "The authorization from LINE is no longer valid: it expired, was already used, or was meant for another address. Start attaching again."
	case e.Status == http.StatusBadRequest:
		return "LINE refused to finish attaching. Start attaching again; if it keeps happening, check the module channel's redirect URL."
	}
	return ""
}
