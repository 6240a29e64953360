package views

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

func TestTimeLeft(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		after time.Duration
		want  string
	}{
		{168 * time.Hour, "7 days left"},
		{167*time.Hour + 59*time.Minute, "6 days 23 hours left"},
		{168*time.Hour - time.Millisecond, "7 days left"},
		{25*time.Hour + 30*time.Minute, "25 hours 30 minutes left"},
		{time.Hour, "1 hour left"},
		{59 * time.Minute, "59 minutes left"},
		{30 * time.Second, "1 minute left"},
		{0, "expired"},
		{-time.Hour, "expired"},
	}
	for _, c := range cases {
		if got := timeLeft(context.Background(), now, now.Add(c.after)); got != c.want {
			t.Errorf("timeLeft(+%v) = %q, want %q", c.after, got, c.want)
		}
	}
}

func TestQRCodeDrawsTheURL(t *testing.T) {
	var b strings.Builder
	if err := QRCode("http://127.0.0.1:8080/link/ABCDEFGHIJKLMNOPQRSTUVWXYZ", "Link request URL").Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
	d, _ := doc.Find("svg.qr path").Attr("d")
	// A version-3 code or larger has hundreds of dark modules.
	if strings.Count(d, "M") < 200 {
		t.Fatalf("QR path has %d modules", strings.Count(d, "M"))
	}
	if doc.Find("svg.qr").AttrOr("aria-label", "") != "Link request URL" {
		t.Fatal("QR code has no accessible label")
	}
}

func TestStatusBadgeTone(t *testing.T) {
	for tone, class := range map[string]string{"ok": "badge-ok", "bad": "badge-bad", "wait": "badge-wait"} {
		var b strings.Builder
		StatusBadge("Verified", tone).Render(context.Background(), &b)
		if !strings.Contains(b.String(), class) || !strings.Contains(b.String(), ">Verified<") {
			t.Errorf("tone %s: %s", tone, b.String())
		}
	}
}

// The header counts unread notifications up to portal.UnreadCounted and
// says "99+" beyond.
func TestNotificationsLinkCountsToNinetyNine(t *testing.T) {
	for _, c := range []struct {
		unread int
		want   string
	}{{0, ""}, {7, "7"}, {99, "99"}, {100, "99+"}} {
		var b strings.Builder
		if err := NotificationsLink(c.unread).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
		if got := strings.TrimSpace(doc.Find("#unread-count").Text()); got != c.want {
			t.Errorf("%d unread: badge %q, want %q", c.unread, got, c.want)
		}
	}
}

// The header's navigation marks the current section's link, and only it.
func TestNavMarksTheCurrentSection(t *testing.T) {
	for _, c := range []struct{ nav, want string }{{"channels", "/channels"}, {"profile", "/profile"}, {"home", "/"}, {"", ""}} {
		var b strings.Builder
		if err := Page(Shell{Nav: c.nav, Admin: &Admin{Name: "Ken"}}, "Title").Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
		current := doc.Find(".nav a[aria-current=page]")
		if n := doc.Find(".nav a").Length(); n < 6 {
			t.Errorf("nav %q: %d links", c.nav, n)
		}
		if got := current.AttrOr("href", ""); current.Length() > 1 || got != c.want {
			t.Errorf("nav %q: %d current links, href %q; want %q", c.nav, current.Length(), got, c.want)
		}
	}
}
