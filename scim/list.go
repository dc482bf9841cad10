package scim

import (
	"context"
	"net/http"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/errors"

	"github.com/rollcall/rollcall/provisioning"
)

// listQuery is one page of a list as the store runs it: the filter translated to SQL (never
// evaluated over the org in memory), an offset page and what to return of each resource.
type listQuery struct {
	filter       *provisioning.DirectoryFilter
	start, count int
	sel          selection
}

// getQuery reads GET /Users or /Groups: the page as the library parsed it (startIndex, count
// capped at MaxResults), the filter serve set aside, bounded and parsed by listFilter, and the
// attributes and excludedAttributes parameters.
func (s *Service) getQuery(r *http.Request, p scim.ListRequestParams, t resourceSchemas) (listQuery, error) {
	q := listQuery{start: p.StartIndex, count: p.Count, sel: selectionOf(r)}
	raw, _ := r.Context().Value(filterKey{}).(string)
	if raw == "" {
		return q, nil
	}
	var err error
	q.filter, err = listFilter(raw, s.filterLimits(), t)
	return q, err
}

// listFilter bounds, parses and translates a GET list filter; every error is invalidFilter.
func listFilter(raw string, l filterLimits, t resourceSchemas) (*provisioning.DirectoryFilter, error) {
	if err := l.checkText(raw); err != nil {
		return nil, err
	}
	e, err := parseFilter(raw)
	if err != nil {
		return nil, invalidFilter(err)
	}
	if err := l.checkExpr(e); err != nil {
		return nil, err
	}
	f, err := translate(e, t.core.ID)
	if err != nil {
		return nil, invalidFilter(err)
	}
	return f, nil
}

// searchQuery reads POST /.search, whose body and filter the library has parsed and validated
// (serve bounded the filter's text before, see checkSearch).
func (s *Service) searchQuery(p scim.SearchParams, t resourceSchemas) (listQuery, error) {
	q := listQuery{start: p.StartIndex, count: p.Count, sel: selection{only: p.Attributes, excluded: p.ExcludedAttributes}}
	if p.FilterValidator == nil {
		return q, nil
	}
	e := p.FilterValidator.GetFilter()
	if err := s.filterLimits().checkExpr(e); err != nil {
		return q, err
	}
	e, err := decodeStrings(e)
	if err == nil {
		q.filter, err = translate(e, t.core.ID)
	}
	if err != nil {
		return q, invalidFilter(err)
	}
	return q, nil
}

// listError is a list's error: the store refuses a filter it cannot run as invalid.
func (s *Service) listError(ctx context.Context, err error) error {
	if provisioning.IsCode(err, provisioning.CodeInvalid) {
		return invalidFilter(err)
	}
	return s.scimError(ctx, err)
}

func invalidFilter(err error) errors.ScimError {
	detail := "the filter is not valid SCIM filter syntax"
	if provisioning.IsCode(err, provisioning.CodeInvalid) {
		detail = provisioning.ErrorMessage(err)
	}
	return scimStatus(http.StatusBadRequest, errors.ScimTypeInvalidFilter, detail)
}
