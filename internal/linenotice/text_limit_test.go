package linenotice_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"lineportal/internal/portal"
)

// A message lists only the notices that fit in one LINE text message
// (5,000 characters) and says how many more wait in the portal: an
// operator who rejects Aoi's MINI App review five times within the
// batching window, each time with a reason of the longest kind, still
// reaches her by LINE, where the whole list would be refused by LINE and
// the message never sent.
func TestSender_LongNoticesFitOneLINEMessage(t *testing.T) {
	w := newWorld(t)
	s := w.sender(w.db, "a")
	operator := w.mika
	operator.Operator = true
	reason := strings.Repeat("The service company's address does not match the registry. ", 20)[:portal.MaxReason]
	for i := range 5 {
		draft := w.sakuraOrder.Published
		draft.ServiceCompany.Address += " " + strconv.Itoa(i+2) + "F"
		if err := w.db.UpdateChannelDraft(ctx, w.aoi, w.sakuraOrder.ID, draft); err != nil {
			t.Fatal(err)
		}
		if err := w.db.SubmitMiniAppReview(ctx, w.aoi, w.sakuraOrder.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.db.RejectMiniAppReview(ctx, operator, w.sakuraOrder.ID, reason); err != nil {
			t.Fatal(err)
		}
	}
	mark := len(w.sim.Pushes())
	if r := w.turn(t, s); r.Pushed != 1 || r.Failed != 0 {
		t.Fatalf("turn: %+v; want Aoi's one message pushed", r)
	}
	got := w.pushes(mark)[w.aoi.LINEUserID]
	if len(got) != 1 {
		t.Fatalf("Aoi got %d messages", len(got))
	}
	text := got[0]
	if n := len(utf16.Encode([]rune(text))); n > 5000 {
		t.Errorf("the message has %d characters", n)
	}
	if listed := strings.Count(text, reason); listed != 4 || !strings.Contains(text, "Notifications from the portal (5)") ||
		!strings.Contains(text, "…and 1 more in the portal.") || !strings.HasSuffix(text, "https://portal.example/notifications") {
		t.Errorf("the message lists %d of the 5 rejections:\n%s", listed, text)
	}
}
