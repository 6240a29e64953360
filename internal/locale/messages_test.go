package locale

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// sourceDirs are where the portal's user-visible text is written, relative
// to this package.
var sourceDirs = []string{"../../views", "../../web", "../../internal/locale", "../../cmd/portal"}

var (
	// callSite finds a message ID passed to T, tr or a flash.
	callSite = regexp.MustCompile(`(?:\bT|\btr|\.T)\((?:[a-zA-Z.]+(?:\(\))?, )?"([a-z0-9_]+(?:\.[a-z0-9_]+)+)"|"(?:success|error|info|warning)", "([a-z0-9_]+(?:\.[a-z0-9_]+)+)"`)
	// literal is any double-quoted string in the source.
	literal = regexp.MustCompile(`"([a-z0-9_]+(?:\.[a-z0-9_]+)+)"`)
)

// usedIDs returns the message IDs named at call sites and every string
// literal of the source that looks like an ID.
func usedIDs(t *testing.T) (calls, literals map[string][]string) {
	t.Helper()
	calls, literals = map[string][]string{}, map[string][]string{}
	for _, dir := range sourceDirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "_templ.go") ||
				!(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".templ")) {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range callSite.FindAllStringSubmatch(string(src), -1) {
				id := m[1] + m[2]
				calls[id] = append(calls[id], path)
			}
			for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
				literals[m[1]] = append(literals[m[1]], path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(calls) < 20 {
		t.Fatalf("found only %d message IDs in the source; is the pattern still right?", len(calls))
	}
	return calls, literals
}

// Every message used is translated in every language, and every message a
// file holds is used.
func TestMessagesComplete(t *testing.T) {
	calls, literals := usedIDs(t)
	domain := domainIDs(t)
	for id := range domain {
		calls[id] = append(calls[id], "internal/portal (a Reason, Term or NoteCode constant)")
	}
	namespaces := map[string]bool{}
	for id := range MessageIDs("en") {
		namespaces[strings.SplitN(id, ".", 2)[0]] = true
	}
	for _, tag := range Languages {
		lang := tag.String()
		have := MessageIDs(lang)
		if len(have) == 0 {
			t.Fatalf("no messages for %s", lang)
		}
		var missing []string
		for id, where := range calls {
			if !have[id] {
				missing = append(missing, id+" (used in "+where[0]+")")
			}
		}
		// IDs written in tables (a state's message) rather than at a call
		// site: any literal in a namespace the messages use.
		for id, where := range literals {
			if _, call := calls[id]; !call && namespaces[strings.SplitN(id, ".", 2)[0]] && !have[id] {
				missing = append(missing, id+" (named in "+where[0]+")")
			}
		}
		for id := range MessageIDs("en") {
			if !have[id] {
				missing = append(missing, id+" (in en.json)")
			}
		}
		sort.Strings(missing)
		for _, m := range missing {
			t.Errorf("%s.json lacks %s", lang, m)
		}
		var unused []string
		for id := range have {
			if _, ok := literals[id]; !ok && !domain[id] {
				unused = append(unused, id)
			}
		}
		sort.Strings(unused)
		for _, id := range unused {
			t.Errorf("%s.json holds %s, which nothing uses", lang, id)
		}
	}
}

// domainCodes are the values of the portal package's constants of the
// given type (Reason, Term, NoteCode), read from its source: the messages
// named by them ("refusal.<reason>", "term.<term>", "audit_note.<code>")
// appear in no source text.
func domainCodes(t *testing.T, typ string) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("../portal/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no portal sources: %v", err)
	}
	var codes []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != typ {
					continue
				}
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						code, _ := strconv.Unquote(lit.Value)
						codes = append(codes, code)
					}
				}
			}
		}
	}
	return codes
}

// domainIDs are the messages the domain's reasons, terms and audit notes
// name.
func domainIDs(t *testing.T) map[string]bool {
	ids := map[string]bool{}
	for _, r := range domainCodes(t, "Reason") {
		ids["refusal."+r] = true
	}
	for _, term := range domainCodes(t, "Term") {
		ids["term."+term] = true
	}
	for _, note := range domainCodes(t, "NoteCode") {
		ids["audit_note."+note] = true
	}
	if len(ids) < 4 {
		t.Fatalf("found only %d reasons and terms in the portal package", len(ids))
	}
	return ids
}

func TestMessageCounts(t *testing.T) {
	for _, tag := range Languages {
		t.Logf("%s: %d messages", tag, len(MessageIDs(tag.String())))
	}
}

// A message ID is defined in one file of its language: a language's files
// are merged, so a second definition silently replaces the first wherever
// it is used (a state word turned into a whole sentence).
func TestMessageIDsDefinedOnce(t *testing.T) {
	definedIn := map[string]string{} // language + ID → file
	eachMessageFile(t, func(base, lang string, messages map[string]any) {
		for id := range messages {
			if other, ok := definedIn[lang+" "+id]; ok {
				t.Errorf("%s is defined in %s and in %s", id, other, base)
			}
			definedIn[lang+" "+id] = base
		}
	})
}

// eachMessageFile calls fn with each message file's name, its language
// (a language may have several files: "teams.ja.json") and its messages,
// each a string or its plural forms.
func eachMessageFile(t *testing.T, fn func(base, lang string, messages map[string]any)) {
	t.Helper()
	names, err := fs.Glob(files, "messages/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		data, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var messages map[string]any
		if err := json.Unmarshal(data, &messages); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		base := filepath.Base(name)
		lang := strings.TrimSuffix(base, ".json")
		if i := strings.LastIndex(lang, "."); i >= 0 {
			lang = lang[i+1:]
		}
		fn(base, lang, messages)
	}
}

// Every translation takes the parameters its English message takes, no
// more and no fewer: a parameter left out loses what the sentence is
// about, one the code does not give reads "<no value>". Where LINE's own
// wording leaves one out, leftOut says so.
func TestMessagesTakeTheirEnglishParameters(t *testing.T) {
	params := func(lang string) map[string]string {
		names, err := fs.Glob(files, "messages/*.json")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, name := range names {
			base := strings.TrimSuffix(filepath.Base(name), ".json")
			if base != lang && !strings.HasSuffix(base, "."+lang) {
				continue
			}
			data, err := files.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			var messages map[string]json.RawMessage
			if err := json.Unmarshal(data, &messages); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for id, m := range messages {
				set := map[string]bool{}
				for _, p := range paramName.FindAllStringSubmatch(string(m), -1) {
					set[p[1]] = true
				}
				list := make([]string, 0, len(set))
				for p := range set {
					list = append(list, p)
				}
				sort.Strings(list)
				out[id] = strings.Join(list, ", ")
			}
		}
		return out
	}
	english := params("en")
	for _, tag := range Languages[1:] {
		for id, got := range params(tag.String()) {
			if want, ok := english[id]; ok && got != want && leftOut[tag.String()+" "+id] == "" {
				t.Errorf("%s %s takes [%s], English [%s]", tag, id, got, want)
			}
		}
	}
}

// leftOut are the translations that leave out a parameter of their
// English message, and why.
var leftOut = map[string]string{
	"ja guidance.wrong_org.title": "LINE's own heading, 「接続先の組織が誤っている場合」, names neither the channel nor the account",
}

// paramName is a template's parameter, {{.Name}}, wherever it stands in
// an action.
var paramName = regexp.MustCompile(`\{\{[^}]*?\.([A-Za-z][A-Za-z0-9_]*)`)

// Words a translation once used in place of LINE's own (glossary.md) do
// not come back: in Japanese, LINE calls a link request 接続リクエスト and
// quotes a label with 「」. (Thai, written without spaces, can't be
// searched for a word this way: บล็อก is also the end of สำหรับล็อกอิน.)
func TestNoWordTheGlossaryReplaces(t *testing.T) {
	replaced := map[string]map[string]string{ // language → word → LINE's
		"ja": {"リンクリクエスト": "接続リクエスト", "［": "「", "］": "」"},
	}
	eachMessageFile(t, func(base, lang string, messages map[string]any) {
		for id, m := range messages {
			text, _ := json.Marshal(m) // a message, or its plural forms
			for word, lines := range replaced[lang] {
				if strings.Contains(string(text), word) {
					t.Errorf("%s %s says %q where LINE says %q", base, id, word, lines)
				}
			}
		}
	})
}
