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
// capped at MaxResults), the filter serve set aside, parsed by parseFilter, and the attributes
// and excludedAttributes parameters.
func getQuery(r *http.Request, p scim.ListRequestParams, t resourceSchemas) (listQuery, error) {
	q := listQuery{start: p.StartIndex, count: p.Count, sel: selectionOf(r)}
	raw, _ := r.Context().Value(filterKey{}).(string)
	if raw == "" {
		return q, nil
	}
	e, err := parseFilter(raw)
	if err == nil {
		q.filter, err = translate(e, t.core.ID)
	}
	if err != nil {
		return q, invalidFilter(err)
	}
	return q, nil
}

// searchQuery reads POST /.search, whose body and filter the library has parsed and validated.
func searchQuery(p scim.SearchParams, t resourceSchemas) (listQuery, error) {
	q := listQuery{start: p.StartIndex, count: p.Count, sel: selection{only: p.Attributes, excluded: p.ExcludedAttributes}}
	if p.FilterValidator == nil {
		return q, nil
	}
	var err error
	if q.filter, err = translate(p.FilterValidator.GetFilter(), t.core.ID); err != nil {
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
