package views

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/locale"
	"lineportal/internal/portal"
)

func renderDoc(t *testing.T, ctx context.Context, c interface {
	Render(context.Context, io.Writer) error
}) *goquery.Document {
	t.Helper()
	var b strings.Builder
	if err := c.Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// Each plan is shown with its market's name, its monthly messages and
// whether additional messages can be bought, in the reader's language; an
// account whose country is not set says so.
func TestOAPlanSection(t *testing.T) {
	for _, c := range []struct {
		lang       string
		plan       portal.OAPlan
		summary    string
		additional string
	}{
		{"en", portal.PlanJPLight, "Light (Japan): 5,000 free messages a month.", "No additional messages"},
		{"ja", portal.PlanJPStandard, "スタンダードプラン（日本）：無料メッセージ通数30,000通／月", "追加メッセージ（有料）"},
		{"th", portal.PlanTHBasic, "แพ็กเกจเบสิก (Basic) (ไทย): ข้อความฟรี 15,000 ข้อความต่อเดือน", "ไม่มีข้อความเพิ่มเติม"},
		{"en", portal.PlanTHPro, "Pro (Thailand): 35,000 free messages a month.", "Additional messages can be sent"},
		{"ja", portal.PlanTWHigh, "高用量（台湾）：無料メッセージ通数6,000通／月", "追加メッセージ（有料）"},
	} {
		ctx := locale.With(context.Background(), locale.New(c.lang, ""))
		doc := renderDoc(t, ctx, oaPlanSection(c.plan))
		if got := doc.Find("#oa-plan-summary").Text(); got != c.summary {
			t.Errorf("%s %s: summary %q, want %q", c.lang, c.plan, got, c.summary)
		}
		if got := doc.Find("#oa-plan-additional").Text(); !strings.Contains(got, c.additional) {
			t.Errorf("%s %s: additional messages %q, want %q", c.lang, c.plan, got, c.additional)
		}
	}
	doc := renderDoc(t, locale.With(context.Background(), locale.New("ja", "")), oaPlanSection(portal.PlanNotSet))
	if doc.Find("#oa-plan-summary").Length() != 0 || !strings.Contains(doc.Find("#oa-plan-not-set").Text(), "国・地域が設定されていない") {
		t.Errorf("a plan not set: %q", doc.Text())
	}
}

// The plan select groups the plans by country; an account without a
// country starts on an empty choice, never on a guessed plan.
func TestPlanSelect(t *testing.T) {
	ctx := locale.With(context.Background(), locale.New("en", ""))
	doc := renderDoc(t, ctx, planSelect(portal.PlanNotSet, Refusal{}))
	if got := doc.Find("option[selected]").AttrOr("value", "?"); got != "" {
		t.Errorf("not set: selected %q", got)
	}
	if got := doc.Find("optgroup").Length(); got != len(portal.Regions) {
		t.Errorf("%d country groups", got)
	}
	if got := doc.Find(`optgroup[label="Japan"] option`).Map(func(_ int, s *goquery.Selection) string { return s.Text() }); strings.Join(got, "|") !=
		"Communication (200 messages a month)|Light (5,000 messages a month)|Standard (30,000 messages a month)" {
		t.Errorf("Japan's plans: %q", got)
	}
	doc = renderDoc(t, ctx, planSelect(portal.PlanTWMedium, Refusal{}))
	if doc.Find(`option[value=""]`).Length() != 0 || doc.Find("option[selected]").AttrOr("value", "") != string(portal.PlanTWMedium) {
		t.Errorf("Taiwan's 中用量 is not the choice: %q", doc.Find("option[selected]").Text())
	}
}
