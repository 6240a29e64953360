package views

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/portal"
)

// With nothing to act on, Home says what fits the person: a newcomer gets
// the first steps, a team member that nothing waits, and anyone with
// unread notifications a link to them instead.
func TestWaitingSection_EmptyStates(t *testing.T) {
	for _, c := range []struct {
		name                      string
		inTeam                    bool
		unread                    int
		firstSteps, nothing, read bool
	}{
		{"newcomer", false, 0, true, false, false},
		{"newcomer with notices", false, 2, true, false, true},
		{"team member", true, 0, false, true, false},
		{"team member with notices", true, 3, false, false, true},
	} {
		var b strings.Builder
		if err := WaitingSection(portal.Waiting{InTeam: c.inTeam}, c.unread, time.Now()).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
		got := [3]bool{doc.Find("#first-steps").Length() == 1, doc.Find("#nothing-waiting").Length() == 1 && doc.Find("#first-steps").Length() == 0,
			doc.Find(`#waiting-unread a[href="/notifications"]`).Length() == 1}
		if want := [3]bool{c.firstSteps, c.nothing, c.read}; got != want {
			t.Errorf("%s: first steps, nothing waiting, unread link = %v, want %v", c.name, got, want)
		}
	}
}

// Home counts unread notifications as the header does: 99+ past 99.
func TestWaitingSection_UnreadAsTheHeaderCounts(t *testing.T) {
	for unread, want := range map[int]string{1: "1", 99: "99", 100: "99+"} {
		var b strings.Builder
		if err := WaitingSection(portal.Waiting{InTeam: true}, unread, time.Now()).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
		if got := doc.Find("#waiting-unread a").Text(); !strings.HasSuffix(got, " "+want) {
			t.Errorf("%d unread: %q, want it to end in %q", unread, got, want)
		}
	}
}
