// Package archtest holds the test that keeps the layers apart: the domain
// free of SQL, HTTP and templates; the store free of the web; the views
// free of the store.
package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "lineportal"

// rules: package → import paths (or prefixes ending in "/") it must not
// depend on, directly or indirectly.
var rules = map[string][]string{
	module + "/internal/portal": {
		"database/sql", "net/http", "github.com/a-h/templ", "github.com/line/", "github.com/mattn/go-sqlite3",
		module + "/store", module + "/web", module + "/views", module + "/internal/line",
		// Refusals carry a code and parameters; the edge writes the sentence.
		"github.com/nicksnyder/go-i18n/", module + "/internal/locale",
	},
	module + "/store": {
		"net/http", "github.com/a-h/templ", module + "/web", module + "/views",
	},
	module + "/views": {
		"database/sql", module + "/store", module + "/web", "github.com/mattn/go-sqlite3",
	},
}

func TestImportRules(t *testing.T) {
	for pkg, forbidden := range rules {
		t.Run(pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", pkg, err)
			}
			deps := strings.Fields(string(out))
			if len(deps) < 2 {
				t.Fatalf("go list found no dependencies of %s", pkg)
			}
			for _, dep := range deps {
				for _, f := range forbidden {
					if dep == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f)) || strings.HasPrefix(dep, f+"/") {
						t.Errorf("%s depends on %s", pkg, dep)
					}
				}
			}
		})
	}
}
