package page

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
)

//go:embed templates/*.html
var files embed.FS

// frame is the layout and the form partial every page template is parsed into.
var frame = template.Must(template.ParseFS(files, "templates/frame.html", "templates/form.html"))

// builtin are this package's own contents: the plain page and the error page.
var builtin = MustParse(files, "templates/text.html", "templates/error.html")

// Templates are page contents rendered inside the frame, such as the console's pages. Each file
// defines "main", the content of the page named after the file (its base name); it sees the
// Page's fields and, as .Data, the data given to Write, and may use the "form" template.
type Templates struct{ pages map[string]*template.Template }

// MustParse parses the files of fsys matching patterns, each into its own copy of the frame. It
// panics on a bad template or a pattern without match, so a broken page stops the program at
// start-up.
func MustParse(fsys fs.FS, patterns ...string) *Templates {
	return MustParseShared(fsys, "", patterns...)
}

// MustParseShared is MustParse with partials: the files matching shared (templates that the
// pages call by name, such as a row of buttons several pages show) are parsed into every page.
func MustParseShared(fsys fs.FS, shared string, patterns ...string) *Templates {
	base := frame
	if shared != "" {
		base = template.Must(template.Must(frame.Clone()).ParseFS(fsys, shared))
	}
	t := &Templates{pages: map[string]*template.Template{}}
	for _, pattern := range patterns {
		names, err := fs.Glob(fsys, pattern)
		if err != nil || len(names) == 0 {
			panic(fmt.Sprintf("page: no templates match %q (%v)", pattern, err))
		}
		for _, name := range names {
			c := template.Must(base.Clone())
			t.pages[path.Base(name)] = template.Must(c.ParseFS(fsys, name))
		}
	}
	return t
}

// view is what the frame's templates see.
type view struct {
	Page
	Data any
	// Stylesheet and Script are the assets' URLs; Script is empty unless a form auto-submits.
	// ConsoleScript is the console script's URL on an Enhanced page.
	Stylesheet, Script, ConsoleScript string
}

// Write renders the content name with data inside p's frame, with status and the security
// headers. When rendering fails it answers 500 instead and returns the error, for the log.
func (t *Templates) Write(w http.ResponseWriter, status int, p Page, name string, data any) error {
	tmpl, ok := t.pages[name]
	if !ok {
		writeFailure(w)
		return fmt.Errorf("page: no template %q", name)
	}
	v := view{Page: p, Data: data, Stylesheet: stylesheet.url}
	if p.Enhanced {
		v.ConsoleScript = consoleScript.url
	}
	for _, f := range p.Forms {
		if f.AutoSubmit {
			v.Script = autosubmit.url
		}
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "frame", v); err != nil {
		writeFailure(w)
		return fmt.Errorf("page: render %s: %w", name, err)
	}
	setHeaders(w.Header(), p.FormTargets)
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// writeFailure answers a page that could not be rendered: a bare 500, never half a page.
func writeFailure(w http.ResponseWriter) {
	setHeaders(w.Header(), nil)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte("Internal error.\n"))
}
