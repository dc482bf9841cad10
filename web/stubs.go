package web

import "net/http"

func (o *Options) memberDetail(w http.ResponseWriter, r *http.Request, v *visit) error { return nil }
func (o *Options) invitePage(w http.ResponseWriter, r *http.Request, v *visit) error   { return nil }
func (o *Options) invite(w http.ResponseWriter, r *http.Request, v *visit) error       { return nil }
func (o *Options) tokens(w http.ResponseWriter, r *http.Request, v *visit) error       { return nil }
func (o *Options) createToken(w http.ResponseWriter, r *http.Request, v *visit) error  { return nil }
func (o *Options) revokeToken(w http.ResponseWriter, r *http.Request, v *visit) error  { return nil }
func (o *Options) audit(w http.ResponseWriter, r *http.Request, v *visit) error        { return nil }
func (o *Options) settings(w http.ResponseWriter, r *http.Request, v *visit) error     { return nil }
func (o *Options) saveSettings(w http.ResponseWriter, r *http.Request, v *visit) error { return nil }
func (o *Options) saveContact(w http.ResponseWriter, r *http.Request, v *visit) error  { return nil }
