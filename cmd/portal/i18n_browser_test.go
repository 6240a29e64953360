package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lineportal/internal/demo"
)

// chooseLanguage picks a language with the header's switcher, a plain form.
func chooseLanguage(t *testing.T, b *browser, portalURL, lang string) {
	t.Helper()
	b.do(t, chromedp.Navigate(portalURL+"/"))
	clickAndWait(t, b, `form.lang-switch button[value="`+lang+`"]`, `document.documentElement.lang === "`+lang+`"`)
}

// shows fails unless the element the selector finds shows each of words.
func shows(t *testing.T, b *browser, css string, words ...string) {
	t.Helper()
	text := textOf(t, b, css)
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("%s shows %q, without %q", css, text, w)
		}
	}
}

// The link lifecycle in Japanese, Thai and Traditional Chinese: send a
// link request, open the URL as the organization's administrator, approve,
// see Verified; and a mismatch, Rejected with its guidance. Each screen
// shows LINE's own words (spec/glossary.md), times in the reader's zone and
// format.
func TestBrowser_LinkLifecycleInEachLanguage(t *testing.T) {
	year := time.Now().Year()
	for _, c := range []struct {
		lang                                string
		bmLinkTab, send, orgID, orgIDFormat string
		urlLabel, validity, left, zone      string
		approvalTitle, precaution, approve  string
		verified, rejected                  string
		guidance                            []string
	}{
		{
			lang: "ja", bmLinkTab: "ビジネスマネージャー接続", send: "接続をリクエストする", orgID: "組織ID", orgIDFormat: "BM + 11桁の半角数字",
			urlLabel: "接続リクエスト用URL", validity: "接続リクエスト用URLの有効期間は発行から7日間（168時間）です。", left: "残り7日", zone: strconv.Itoa(year) + "/",
			approvalTitle: "リクエストの承認", precaution: "ビジネスマネージャーの組織との接続は解除できません。", approve: "承認する",
			verified: "認証済み", rejected: "否認",
			guidance: []string{"チャネルの事業情報が誤っている場合", "下書きの再審査をリクエストし", "接続審査の再審査をリクエストする", "組織のビジネス情報が誤っている場合", "接続先の組織が誤っている場合"},
		},
		{
			lang: "th", bmLinkTab: "การลิงก์ Business Manager", send: "ส่งคำขอลิงก์", orgID: "ID องค์กร", orgIDFormat: "BM ตามด้วยตัวเลข 11 หลัก",
			urlLabel: "URL คำขอลิงก์", validity: "URL นี้ใช้ได้ 7 วัน (168 ชั่วโมง) นับจากเวลาที่ออก", left: "เหลืออีก 7 วัน", zone: strconv.Itoa(year+543) + " ",
			approvalTitle: "อนุมัติคำขอลิงก์", precaution: "ยกเลิกการลิงก์ไม่ได้", approve: "อนุมัติ",
			verified: "ผ่านการรับรองแล้ว", rejected: "ไม่ผ่านการตรวจสอบ",
			guidance: []string{"ข้อมูลธุรกิจของ Channel ไม่ถูกต้อง", "ข้อมูลธุรกิจขององค์กรไม่ถูกต้อง"},
		},
		{
			lang: "zh-TW", bmLinkTab: "Business Manager 連結", send: "傳送連結請求", orgID: "組織ID", orgIDFormat: "BM + 11 位數字",
			urlLabel: "連結請求網址", validity: "連結請求網址自核發起 7 天（168 小時）內有效。", left: "剩餘 7 天", zone: "（UTC+8）",
			approvalTitle: "核准連結請求", precaution: "無法解除連結。", approve: "核准",
			verified: "已認證", rejected: "未通過",
			guidance: []string{"Channel 的事業資訊有誤", "組織的企業資訊有誤"},
		},
	} {
		t.Run(c.lang, func(t *testing.T) {
			m := startPortal(t, nil)
			dev := newBrowser(t)
			boss := newBrowser(t)
			chooseLanguage(t, dev, m.URL, c.lang)
			signInInBrowser(t, dev, m.URL, demoDeveloperID, false)

			openChannel(t, dev, m.URL, "Sakura Order")
			shows(t, dev, "#tab-bm-link", c.bmLinkTab)
			shows(t, dev, "#send-link-request", c.orgID, c.send)
			// A refusal of the rules, in the reader's language.
			dev.allow("status of 422 (Unprocessable Entity) (" + m.URL + "/channels/")
			dev.do(t, chromedp.SendKeys(chromedp.ID("org_id"), "BM123"))
			dev.click(t, `#send-link-request button[type=submit]`)
			dev.waitUntil(t, `document.getElementById("org_id-error") !== null`)
			shows(t, dev, "#org_id-error", c.orgIDFormat)
			get(t, dev, chromedp.Evaluate[any](`document.getElementById("org_id").value = ""`))

			orderURL := sendLinkRequestInBrowser(t, dev, demo.SakuraFoodsID)
			shows(t, dev, "#issued-url", c.urlLabel, c.validity, c.zone)
			shows(t, dev, "#time-left", c.left)

			chooseLanguage(t, boss, m.URL, c.lang)
			if status := approveInBrowser(t, boss, orderURL, true, func() {
				shows(t, boss, "#approval h1", c.approvalTitle)
				shows(t, boss, "#approval-precaution", c.precaution)
				shows(t, boss, "#approve", c.approve)
				shows(t, boss, "#approval-validity", c.zone)
			}); status != "Verified" {
				t.Fatalf("Sakura Order review: %q", status)
			}
			shows(t, boss, "#review-status .status-badge", c.verified)

			// A mismatch: Rejected, with the documented cases.
			openChannel(t, dev, m.URL, "Sakura Points")
			pointsURL := sendLinkRequestInBrowser(t, dev, demo.SakuraFoodsID)
			if status := approveInBrowser(t, boss, pointsURL, false, nil); status != "Rejected" {
				t.Fatalf("Sakura Points review: %q", status)
			}
			shows(t, boss, "#review-status .status-badge", c.rejected)
			shows(t, boss, "#rejection-guidance", c.guidance...)

			for name, br := range map[string]*browser{"developer": dev, "administrator": boss} {
				if errs := br.consoleErrors(); len(errs) > 0 {
					t.Errorf("%s's browser console errors: %v", name, errs)
				}
			}
		})
	}
}
