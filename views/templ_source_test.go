package views

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
