package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// client talks to one server over keep-alive connections.
type client struct {
	base string
	http *http.Client
}

func newClient(base string) *client {
	tr := &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute}
	return &client{base: base, http: &http.Client{Transport: tr, Timeout: 5 * time.Minute}}
}

// do sends one request and returns the status and body; a status outside 2xx is an error
// that quotes the start of the body.
func (c *client) do(ctx context.Context, method, path, token string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		if len(path) > 5 && path[:5] == "/scim" {
			req.Header.Set("Content-Type", "application/scim+json")
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode/100 != 2 {
		if len(out) > 200 {
			out = out[:200]
		}
		return nil, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(out))
	}
	return out, nil
}

// discard sends one request and drops the body, returning its size.
func (c *client) discard(ctx context.Context, method, path, token string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	if err == nil && res.StatusCode != 200 {
		err = fmt.Errorf("%s %s: %d", method, path, res.StatusCode)
	}
	return n, err
}

// call sends in as JSON (nil: no body) and decodes the answer into out (nil: ignored).
func (c *client) call(ctx context.Context, method, path, token string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	b, err := c.do(ctx, method, path, token, body)
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(b, out)
}
