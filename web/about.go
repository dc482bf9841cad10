package web

import (
	"net/http"

	"github.com/rollcall/rollcall/provisioning"
)

// aboutView is what about.html shows every member: the org, their place in it, and the org
// contact to turn to.
type aboutView struct {
	base
	Member  provisioning.Membership
	HasSeat bool
	Seats   string
	Contact provisioning.Contact
}

// about shows the org's page, which every member may open.
func (o *Options) about(w http.ResponseWriter, r *http.Request, v *visit) error {
	view := aboutView{base: v.base(), Member: v.member, HasSeat: v.member.HasSeat(), Contact: v.org.Contact,
		Seats: v.org.SeatLimit.String()}
	return o.render(w, r, http.StatusOK, v.frame(v.org.Name, "/about"), "about.html", view)
}
