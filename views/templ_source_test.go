package views

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"lineportal/internal/locale"
)

// templ renders "@Component(…)" as plain text unless the call starts its
// own node, so text such as "since @Time(x)" shows the call's source on
// the page. Calls must start a line (or follow a tag's ">").
var callAfterText = regexp.MustCompile(`[^\s>(]\s+@[A-Za-z]+\(`)

func TestTemplCallsStartTheirOwnNode(t *testing.T) {
	files, err := filepath.Glob("*.templ")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templ files: %v", err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			if callAfterText.MatchString(line) {
				t.Errorf("%s:%d: a component call after text renders as text: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// aroundSentenceSpace is sentenceSpace in a template, with the messages
// right before it (perhaps closing an element) and after it, when there
// are.
var aroundSentenceSpace = regexp.MustCompile(`(?:T\(ctx, "([a-z0-9_.]+)"[^}]*\)\s*\}(?:</[a-z]+>)?)?\{ sentenceSpace\(ctx\) \}(?:\{ T\(ctx, "([a-z0-9_.]+)")?`)

// sentenceSpace writes nothing in Japanese and Chinese, where full-width
// punctuation stands apart from the words beside it: the message before it
// ends in a full stop or a full-width colon, or the one after it starts
// with a full-width bracket. Otherwise the words would run together
// ("已連結的組織BM00000000011").
func TestSentenceSpaceMeetsFullWidthPunctuation(t *testing.T) {
	files, err := filepath.Glob("*.templ")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templ files: %v", err)
	}
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range aroundSentenceSpace.FindAllStringSubmatch(string(src), -1) {
			n++
			for _, lang := range []string{"ja", "zh-TW"} {
				l := locale.New(lang, "")
				before, after := "", ""
				if m[1] != "" {
					before = l.T(m[1])
				}
				if m[2] != "" {
					after = l.T(m[2])
				}
				if !strings.ContainsAny(lastRune(before), "。：？！") && !strings.ContainsAny(firstRune(after), "（「") {
					t.Errorf("%s: in %s, %q then %q meet with no space and no full-width punctuation between them", f, lang, before, after)
				}
			}
		}
	}
	if n < 5 {
		t.Errorf("found sentenceSpace %d times; is the pattern still right?", n)
	}
}

func lastRune(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	return string(r[len(r)-1])
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}
