package store_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"lineportal/internal/dataset"
	"lineportal/internal/demo"
	"lineportal/internal/portal"
	"lineportal/store"
)

// scaleLayout is what the pages must stay fast with: cmd/portalbench's
// data set (100,000 channels, 1,000,000 link requests, 20,000 channels
// linked to one organization), with the organization list, both review
// queues and the audit log filled as well.
func scaleLayout() dataset.Layout {
	l := dataset.Bench()
	l.PendingReviewEvery, l.Organizations, l.InReviewEvery, l.Audit = 100, 10_000, 50, true
	return l
}

// scalePeople are the demo people of a data set made without the
// simulator.
var scalePeople = demo.People{
	Developer: demo.Person{LINEUserID: "U" + strings.Repeat("d", 32), Name: "Developer"},
	OrgAdmin:  demo.Person{LINEUserID: "U" + strings.Repeat("b", 32), Name: "Organization Administrator"},
	Both:      demo.Person{LINEUserID: "U" + strings.Repeat("e", 32), Name: "Both"},
	Operator:  demo.Person{LINEUserID: "U" + strings.Repeat("f", 32), Name: "Operator"},
}

// pageRead is one read behind a page: the i-th call, which tells how many
// rows it found.
type pageRead struct {
	name string
	read func(i int) (int, error)
}

// found is what a list read found: its length.
func found[T any](list []T, _ store.Cursor, err error) (int, error) { return len(list), err }

// scaleReads generates a data set of layout l and returns the reads
// behind the channel page, the organization's "Accounts & channels" and
// the lists, on it.
func scaleReads(tb testing.TB, l dataset.Layout) []pageRead {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "portal.db")
	if err := dataset.Generate(ctx, path, l, scalePeople, time.Now()); err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	dev, err := db.EnsureAdmin(ctx, scalePeople.Developer.LINEUserID, scalePeople.Developer.Name)
	if err != nil {
		tb.Fatal(err)
	}
	operator, err := db.EnsureAdmin(ctx, scalePeople.Operator.LINEUserID, scalePeople.Operator.Name)
	if err != nil {
		tb.Fatal(err)
	}
	op := portal.Admin{ID: operator.ID, Operator: true}
	// A request whose token is known, sent as anyone sends one: the
	// channel's pending request is replaced.
	_, token, err := db.SendLinkRequest(ctx, dev, l.SendChannel(0), dataset.BigOrgID)
	if err != nil {
		tb.Fatal(err)
	}
	if l.Audit {
		sameAuditShape(tb, db, l.SendChannel(0))
	}
	const big = dataset.BigOrgID
	ch := l.DeepChannel()
	one := func(_ any, err error) (int, error) { return 1, err }
	return []pageRead{
		{"FindChannelByID", func(i int) (int, error) {
			return one(db.FindChannelByID(ctx, dataset.FirstChannelID+int64(i*7919%l.Channels())))
		}},
		{"FindChannelAccess", func(int) (int, error) { return one(db.FindChannelAccess(ctx, dev, ch)) }},
		{"FindChannelWithAccess", func(int) (int, error) {
			_, _, _, err := db.FindChannelWithAccess(ctx, dev, ch)
			return 1, err
		}},
		{"FindOrganizationWithAccess/big organization", func(int) (int, error) {
			_, _, err := db.FindOrganizationWithAccess(ctx, op, big)
			return 1, err
		}},
		{"FindChannels/mine", func(int) (int, error) { return found(db.FindChannels(ctx, store.ChannelFilter{Actor: dev})) }},
		{"FindChannels/all, deep page", func(int) (int, error) {
			return found(db.FindChannels(ctx, store.ChannelFilter{Actor: op, All: true, Page: store.Page{After: store.Cursor(itoa(ch))}}))
		}},
		{"FindChannels/all, name matching nothing (a full scan)", func(int) (int, error) {
			// Its one answer is the empty list.
			if n, err := found(db.FindChannels(ctx, store.ChannelFilter{Actor: op, All: true, Name: "no such name"})); err != nil || n > 0 {
				return 0, fmt.Errorf("found %d channels, %v", n, err)
			}
			return 1, nil
		}},
		{"FindLinkRequests/channel", func(int) (int, error) {
			return found(db.FindLinkRequests(ctx, store.LinkRequestFilter{ChannelID: ch}))
		}},
		{"FindLinkRequests/big organization, deep page", func(int) (int, error) {
			return found(db.FindLinkRequests(ctx, store.LinkRequestFilter{OrgID: big, Page: store.Page{After: store.Cursor(itoa(int64(l.LinkRequests() / 2)))}}))
		}},
		{"FindLinkRequestByToken", func(int) (int, error) { return one(db.FindLinkRequestByToken(ctx, dev, token)) }},
		{"FindOrganizationAccounts/big organization", func(int) (int, error) {
			return found(db.FindOrganizationAccounts(ctx, big, store.AccountFilter{}))
		}},
		{"FindOrganizationAccounts/big organization, deep page, Rejected", func(int) (int, error) {
			return found(db.FindOrganizationAccounts(ctx, big, store.AccountFilter{Review: portal.ReviewRejected, Page: store.Page{After: store.Cursor(l.MidLinkCursor())}}))
		}},
		{"FindOfficialAccounts/big organization", func(int) (int, error) {
			// The organization's Official Accounts, which its "Accounts &
			// channels" lists above the channels: none at this scale, as
			// few as organizations link; the read must not walk its
			// channel links to say so.
			_, err := found(db.FindOfficialAccounts(ctx, store.OfficialAccountFilter{OrgID: big, Page: store.Page{Limit: store.MaxPageSize}}))
			return 1, err
		}},
		{"FindReviewHistory/channel", func(int) (int, error) { return found(db.FindReviewHistory(ctx, store.ReviewFilter{ChannelID: ch})) }},
		{"FindReviewHistory/big organization", func(int) (int, error) { return found(db.FindReviewHistory(ctx, store.ReviewFilter{OrgID: big})) }},
		{"FindAuditEntries/channel", func(int) (int, error) { return found(db.FindAuditEntries(ctx, store.AuditFilter{ChannelID: ch})) }},
		{"FindAuditEntries/big organization", func(int) (int, error) { return found(db.FindAuditEntries(ctx, store.AuditFilter{OrgID: big})) }},
		{"FindOrganizations/all", func(int) (int, error) {
			return found(db.FindOrganizations(ctx, store.OrganizationFilter{Actor: op, All: true, Page: store.Page{After: store.Cursor(l.MidOrganizationCursor())}}))
		}},
		{"FindMiniAppReviewQueue", func(int) (int, error) { return found(db.FindMiniAppReviewQueue(ctx, op, store.Page{})) }},
		{"FindVerificationQueue", func(int) (int, error) { return found(db.FindVerificationQueue(ctx, op, store.Page{})) }},
	}
}

// sameAuditShape fails unless the newest "link request sent" entry of the
// channel, which the store wrote, reads as the one before it, which the
// data set generated.
func sameAuditShape(tb testing.TB, db *store.DB, channelID int64) {
	tb.Helper()
	entries, _, err := db.FindAuditEntries(ctx, store.AuditFilter{ChannelID: channelID})
	if err != nil {
		tb.Fatal(err)
	}
	var sent []portal.AuditEntry
	for _, e := range entries {
		if e.Action == portal.ActionLinkRequestSend {
			sent = append(sent, e)
		}
	}
	if len(sent) < 2 || sent[0].SubjectKind != sent[1].SubjectKind || sent[0].OrgID != sent[1].OrgID ||
		sent[0].Before != sent[1].Before || sent[0].After != sent[1].After {
		tb.Fatalf("the store's and the data set's \"link request sent\" entries differ: %+v", sent)
	}
}

// The benchmark's data set and reads at a small scale: the generated rows
// pass the schema, and every read finds rows to read, so that the
// benchmark measures work rather than an empty answer.
func TestScaleReadsFindRows(t *testing.T) {
	sqliteOnly(t) // the data set is a SQLite file; cmd/portalbench copies it to PostgreSQL
	l := dataset.Layout{Linked: 60, Send: 20, Approve: 20, RequestsEach: 3, DeepExtra: 25, RejectEvery: 7,
		PendingReviewEvery: 10, Organizations: 40, InReviewEvery: 5, Audit: true}
	for _, r := range scaleReads(t, l) {
		if n, err := r.read(3); err != nil || n == 0 {
			t.Errorf("%s: %d rows, %v", r.name, n, err)
		}
	}
}

// BenchmarkPages measures the reads behind the pages on the scale data
// set and reports each read's 99th percentile. Run it with:
// go test -run '^$' -bench Pages ./store/
func BenchmarkPages(b *testing.B) {
	sqliteOnly(b)
	for _, r := range scaleReads(b, scaleLayout()) {
		b.Run(r.name, func(b *testing.B) {
			var took []time.Duration
			i := 0
			for b.Loop() {
				t0 := time.Now()
				if _, err := r.read(i); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
				i++
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
