// Package static serves the portal's own assets (stylesheet, scripts and the
// vendored htmx) from content-hashed URLs, so browsers may cache them
// forever and a new release is fetched at once.
//
// htmx is vendored, never loaded from a CDN: htmx.org 2.0.11, dist/htmx.min.js
// from the npm package, sha256 d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed *.js *.css *.svg
var files embed.FS

type asset struct {
	hash        string // first 16 hex digits of the SHA-256 of the content
	path        string // the URL path, /static/{hash}/{name}; every page names several
	contentType string
	body        []byte
	gzipped     []byte // nil when compression does not pay
}

// assets is computed once from the embedded files and never changes.
var assets = func() map[string]asset {
	m := map[string]asset{}
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".go") {
			continue
		}
		body, err := files.ReadFile(name)
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(body)
		a := asset{hash: hex.EncodeToString(sum[:8]), contentType: mime.TypeByExtension(path.Ext(name)), body: body}
		a.path = "/static/" + a.hash + "/" + name
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if buf.Len() < len(body)*9/10 {
			a.gzipped = buf.Bytes()
		}
		m[name] = a
	}
	return m
}()

// Path returns the content-hashed URL path of the named asset. It panics on
// an unknown name: that is a typo in a template, caught by any test that
// renders the page.
func Path(name string) string {
	a, ok := assets[name]
	if !ok {
		panic("static: no asset named " + name)
	}
	return a.path
}

// Handler serves GET /static/{hash}/{name}. A stale hash is a 404 rather
// than the current file, so a cached page never pairs with the wrong asset.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := assets[r.PathValue("name")]
		if !ok || a.hash != r.PathValue("hash") {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		etag := `"` + a.hash + `"`
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", etag)
		h.Set("Content-Type", a.contentType)
		h.Set("Vary", "Accept-Encoding")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := a.body
		if a.gzipped != nil && acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = a.gzipped
		}
		w.Write(body)
	})
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(coding, "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
