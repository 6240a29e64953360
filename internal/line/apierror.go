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
	opQuota          = "read message quota"
	opInsight        = "read followers"
	opWebhook        = "webhook URL"
)

// MonthlyLimitMessage is LINE's 429 answer to a counted message once an
// Official Account's quota for the month is used.
const MonthlyLimitMessage = "You have reached your monthly limit."

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

// Explanation is why LINE (or this client, before calling LINE) refused
// a request, as the portal's refusal reason and its parameters, with
// LINE's request ID for support.
type Explanation struct {
	Reason    portal.Reason
	Params    []any
	RequestID string // "" when LINE was not reached
}

// reason is a refusal reason with its parameters (name/value pairs).
type reason struct {
	reason portal.Reason
	params []any
}

// Refusal is an error from Platform as the portal's error, made here once
// for every page that calls LINE: Explain's reason, with LINE's request
// ID as the parameter LINERequestID (the edge adds it to the sentence).
// Input refused by this client or by LINE (an answer 4xx other than 429)
// is EINVALID, about the form field named field when it is not ""; LINE
// unreachable, overloaded or failing is EUNAVAILABLE.
func Refusal(err error, field string) error {
	if ie, ok := errors.AsType[*InputError](err); ok {
		if field == "" {
			return ie.Refused
		}
		return portal.OnField(ie.Refused, field)
	}
	e := Explain(err)
	params := append(e.Params, "LINERequestID", e.RequestID)
	apiErr, isAPIError := errors.AsType[*APIError](err)
	if !(isAPIError && apiErr.Status/100 == 4 && apiErr.Status != http.StatusTooManyRequests) {
		return portal.Refuse(portal.EUNAVAILABLE, e.Reason, params...)
	}
	if field == "" {
		return portal.Refuse(portal.EINVALID, e.Reason, params...)
	}
	return portal.FieldRefusal(field, e.Reason, params...)
}

// RequestID is LINE's request ID of an error from Platform, for the log:
// what LINE's support asks for. "" when LINE was not reached.
func RequestID(err error) string {
	if e, ok := errors.AsType[*APIError](err); ok {
		return e.RequestID
	}
	return ""
}

// Explain tells why a call to Platform failed, as a refusal reason a
// person's language can put in words.
func Explain(err error) Explanation {
	if ie, ok := errors.AsType[*InputError](err); ok {
		return Explanation{Reason: portal.ErrorReason(ie.Refused)}
	}
	e, ok := errors.AsType[*APIError](err)
	if !ok {
		return Explanation{Reason: portal.RLINEUnreachable}
	}
	r := e.explain()
	return Explanation{Reason: r.reason, Params: r.params, RequestID: e.RequestID}
}

func (e *APIError) explain() reason {
	switch e.Status {
	case http.StatusUnauthorized:
		return reason{portal.RLINETokenRejected, nil}
	case http.StatusTooManyRequests:
		if e.Message == MonthlyLimitMessage {
			return reason{portal.RLINEMonthlyLimit, nil}
		}
		return reason{portal.RLINETooMany, nil}
	}
	var specific reason
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
			specific = reason{portal.RLINEReadNotFriend, nil}
		}
	case opAttach:
		specific = e.attachText()
	case opToken:
		if e.Status == http.StatusBadRequest {
			specific = reason{portal.RLINECredentialsRejected, nil}
		}
	case opWebhook:
		if e.Status == http.StatusBadRequest {
			specific = reason{portal.RLINEWebhookRejected, []any{"Said", e.Message}}
		}
	case opPush:
		if e.Status == http.StatusBadRequest {
			specific = reason{portal.RLINEPushRefused, []any{"Said", e.Message}}
		}
	}
	if specific.reason != "" {
		return specific
	}
	switch {
	case e.Status == http.StatusForbidden:
		return reason{portal.RLINEForbidden, []any{"Said", e.Message}}
	case e.Status >= 500:
		return reason{portal.RLINETemporary, nil}
	}
	return reason{portal.RLINERefused, []any{"Status", e.Status, "Said", e.Message}}
}

// missionStickerText explains the mission sticker API's errors, in the
// wording of LINE's API reference and of the corporate options document
// (001), which differ.
func missionStickerText(message string) reason {
	switch strings.ToLower(strings.TrimSpace(message)) {
	case "invalid request":
		return reason{portal.RLINEMissionUser, nil}
	case "illegal argument":
		return reason{portal.RLINEMissionNotMission, nil}
	case "not in sales period", "not_sales_period":
		return reason{portal.RLINEMissionPeriod, nil}
	case "sticker set not available for channel":
		return reason{portal.RLINEMissionChannel, nil}
	case "not available":
		return reason{portal.RLINEMissionNotAvailable, nil}
	case "not sale for country":
		return reason{portal.RLINEMissionCountry, nil}
	case "not sale for device":
		return reason{portal.RLINEMissionDevice, nil}
	case "not sale for version":
		return reason{portal.RLINEMissionVersion, nil}
	case "not allowed to use the api":
		return reason{portal.RLINEMissionNotAllowed, nil}
	case "not found":
		return reason{portal.RLINEMissionNotFound, nil}
	case "internal error":
		return reason{portal.RLINEMissionInternal, nil}
	case "upstream error":
		return reason{portal.RLINEMissionUpstream, nil}
	}
	return reason{}
}

func (e *APIError) chatControlText() reason {
	switch e.Status {
	case http.StatusBadRequest:
		if strings.Contains(e.Message, "'ttl'") {
			return reason{portal.RLINEChatTTL, nil}
		}
		if strings.Contains(e.Message, "'chatId'") {
			return reason{portal.RLINEChatIDRejected, nil}
		}
	case http.StatusNotFound:
		return reason{portal.RLINEChatNotFound, nil}
	case http.StatusLocked:
		return reason{portal.RLINEChatLocked, nil}
	}
	return reason{}
}

func (e *APIError) botListText() reason {
	switch {
	case e.Status != http.StatusBadRequest:
		return reason{}
	case e.Message == "Invalid start param":
		return reason{portal.RLINEBotListToken, nil}
	case strings.Contains(e.Message, "'limit'"):
		return reason{portal.RLINEBotListLimit, nil}
	}
	return reason{}
}

func detachText(message string) reason {
	switch message {
	case "user/group/room Id is not available.":
		return reason{portal.RLINEDetachUnknown, nil}
	case "Specified channel is not detachable":
		return reason{portal.RLINENotDetachable, nil}
	}
	return reason{}
}

func (e *APIError) attachText() reason {
	switch {
	case e.Code == "invalid_client" || e.Status == http.StatusForbidden:
		return reason{portal.RLINEAttachCredentials, nil}
	case e.Code == "invalid_grant":
		return reason{portal.RLINEAttachGrant, nil}
	case e.Status == http.StatusBadRequest:
		return reason{portal.RLINEAttachRefused, nil}
	}
	return reason{}
}
