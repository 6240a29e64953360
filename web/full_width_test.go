package web

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"lineportal/internal/locale"
)

// inlineElements are the elements that flow inside a line of text, so
// that whitespace beside them is a space the reader sees between words.
var inlineElements = map[string]bool{
	"a": true, "abbr": true, "b": true, "cite": true, "code": true, "em": true, "i": true, "kbd": true, "mark": true,
	"q": true, "s": true, "small": true, "span": true, "strong": true, "sub": true, "sup": true, "time": true, "u": true,
}

// spaceAfterSentence is a space after a sentence's end or a full-width
// colon, in Japanese or Chinese, before what follows on the same line.
var spaceAfterSentence = regexp.MustCompile(`[。！？：]\s+[^\s\x00]|[^\s\x00]\s+[（「]`)

// Japanese and Chinese write no space between sentences. Every page of the
// route catalogue, rendered in each, has none where a sentence from one
// message meets a link or a sentence from another: the space a template's
// line break leaves there in English is not theirs.
func TestRouteCatalogue_FullWidthSentencesMeetWithoutSpaces(t *testing.T) {
	cat := routeCatalogue(t)
	for _, lang := range []string{"ja", "zh-TW"} {
		cat.srv.fixedLocale = locale.New(lang, "")
		cat.eachPage(t, func(c routeCase, p page) {
			p.doc.Find("body, body *").Each(func(_ int, s *goquery.Selection) {
				n := s.Nodes[0]
				if inline(n) {
					return // read as part of the line it is in
				}
				if line := lineText(n); spaceAfterSentence.MatchString(line) {
					t.Errorf("%s: %s (%s): a space follows a sentence in <%s>: %q", lang, c.Pattern, c.Path, n.Data, spaceAfterSentence.FindString(line))
				}
			})
		})
	}
	// The other languages keep their space.
	for _, lang := range []string{"en", "th"} {
		l := locale.New(lang, "")
		cat.srv.fixedLocale = l
		banner := newVisitor(t).get(cat.URL + "/").doc.Find("#sim-banner").Text()
		if want := l.T("sim.banner") + " " + l.T("sim.open"); strings.TrimSpace(banner) != want {
			t.Errorf("in %s, the simulator's banner reads %q, want %q", lang, banner, want)
		}
	}
}

// lineText is the text n shows in its own lines: its text and its inline
// elements' text, each other element standing as a \x00 that breaks the
// line.
func lineText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				b.WriteString(c.Data)
			case inline(c):
				walk(c)
			case c.Type == html.ElementNode:
				b.WriteByte(0)
			}
		}
	}
	walk(n)
	return b.String()
}

// inline tells whether n flows in its line as words do. A link that looks
// like a button stands apart from the words before it, as a button does.
func inline(n *html.Node) bool {
	if n.Type != html.ElementNode || !inlineElements[n.Data] {
		return false
	}
	for _, a := range n.Attr {
		if a.Key == "class" && slices.Contains(strings.Fields(a.Val), "btn") {
			return false
		}
	}
	return true
}
