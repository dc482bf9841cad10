package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium, the one browser the tests drive; they never download one.
const chromiumPath = "/usr/bin/chromium"

// chrome is the one Chromium process the browser tests share: each person gets a browser
// context of their own (separate cookies) in it. TestMain stops it.
var chrome struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	dir    string
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chrome.cancel != nil {
		chrome.cancel()
		os.RemoveAll(chrome.dir)
	}
	os.Exit(code)
}

// requireBrowser skips a browser test with one line when Chromium is missing, unless
// ROLLCALL_TEST_REQUIRE_BROWSER=1 (CI), which makes it fail.
func requireBrowser(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("ROLLCALL_TEST_REQUIRE_BROWSER") == "1" {
			t.Fatalf("ROLLCALL_TEST_REQUIRE_BROWSER=1 but %s is missing: apt-get install chromium", chromiumPath)
		}
		t.Skipf("browser tests skipped: %s is missing (apt-get install chromium)", chromiumPath)
	}
}

// chromium starts the shared Chromium on first use: headless, no sandbox (CI runs as root), a
// fresh profile, and none of the background networking that a closed network refuses.
func chromium(t *testing.T) context.Context {
	t.Helper()
	requireBrowser(t)
	chrome.once.Do(func() {
		chrome.dir, chrome.err = os.MkdirTemp("", "rollcall-chromium-")
		if chrome.err != nil {
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.NoFirstRun, chromedp.UserDataDir(chrome.dir), chromedp.WindowSize(1280, 900),
			chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-domain-reliability", true), chromedp.Flag("no-pings", true))
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(alloc)
		chrome.err = chromedp.Do(ctx)
		chrome.ctx, chrome.cancel = ctx, func() { cancel(); cancelAlloc() }
	})
	if chrome.err != nil {
		t.Fatalf("start chromium: %v", chrome.err)
	}
	return chrome.ctx
}

// tab is one person's browser: its own browser context (cookies) in the shared Chromium.
type tab struct {
	t   *testing.T
	ctx context.Context
}

func newTab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(chromium(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first run opens the tab; it must have no timeout, which would close the tab with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a browser tab: %v", err)
	}
	tb := &tab{t: t, ctx: ctx}
	tb.run(chromedp.EmulateViewport(1280, 900))
	return tb
}

// stepTimeout bounds each run of steps.
const stepTimeout = 20 * time.Second

// run performs steps in order, failing the test at the first error or after stepTimeout.
func (b *tab) run(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail(err)
	}
}

func (b *tab) fail(err error) {
	b.t.Helper()
	where, _ := chromedp.Run(b.ctx, chromedp.Location())
	body, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	b.t.Fatalf("browser at %s: %v\npage text:\n%s", where, err, body)
}

// get runs one action and returns its value, failing the test as run does.
func get[T any](b *tab, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fail(err)
	}
	return v
}

// js is the value of a script, awaited when it is a promise.
func js[T any](b *tab, expr string) T {
	b.t.Helper()
	return get(b, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// waitJS waits until the expression is true. It asks again every 50ms, also while a form's
// answer replaces the page (the evaluation fails then), until the step's timeout.
func waitJS(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var last error
		for {
			ok, err := chromedp.Evaluate[bool](expr)(ctx, t)
			if err == nil && ok {
				return nil
			}
			last = err
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w (last: %v)", expr, ctx.Err(), last)
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// waitText waits until the element sel contains text.
func waitText(sel, text string) chromedp.Action[chromedp.Void] {
	return waitJS(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.textContent.includes(%q); })()`, sel, text))
}

// click clicks the element sel matches; typeIn types text into it.
func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
func typeIn(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), text)
}

// fill sets a field's value and tells the page, as typing does.
func fill(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.value = %q; s.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`, sel, value))(ctx, t)
		return err
	})
}

// pick sets a select's value and tells the page, as a person choosing an option does.
func pick(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, sel, value))(ctx, t)
		return err
	})
}

// shot saves a screenshot of the page as docs/screenshots/name.png when ROLLCALL_SCREENSHOTS
// names that folder (make screenshots); otherwise it does nothing.
func (b *tab) shot(name string) {
	b.t.Helper()
	dir := os.Getenv("ROLLCALL_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := get(b, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// bodyHas reports whether the page's visible text contains s.
func (b *tab) bodyHas(s string) bool {
	return js[bool](b, fmt.Sprintf(`document.body.innerText.includes(%q)`, s))
}

// lines splits text into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
