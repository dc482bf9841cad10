package scim

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/elimity-com/scim"
	"github.com/scim2/filter-parser/v2"

	"github.com/rollcall/rollcall/provisioning"
)

// applyOp applies one validated PATCH operation to a document. A path prefixed with the core
// schema's URI addresses the top level; another URI addresses that extension. A path-less value
// may hold an extension's attributes under its URI (RFC 7643 3.3), as the library allows.
func applyOp(d document, op scim.PatchOperation, t resourceSchemas) error {
	if op.Path == nil {
		values, ok := op.Value.(map[string]any)
		if !ok {
			return badValue("an operation without a path needs an object value")
		}
		for k, v := range values {
			if ext, isObject := v.(map[string]any); isObject && t.extension(k) {
				if err := applyOp(d, scim.PatchOperation{Op: op.Op, Value: prefixed(k, ext)}, t); err != nil {
					return err
				}
				continue
			}
			p, err := filter.ParsePath([]byte(k))
			if err != nil {
				return badPath(fmt.Sprintf("%q is not a valid attribute path", k))
			}
			if err := applyOp(d, scim.PatchOperation{Op: op.Op, Path: &p, Value: v}, t); err != nil {
				return err
			}
		}
		return nil
	}
	p := op.Path
	target := d
	if uri := p.AttributePath.URI(); uri != "" && !strings.EqualFold(uri, t.core.ID) {
		target = d.sub(uri, op.Op != "remove")
		if target == nil {
			return nil
		}
	}
	attr := p.AttributePath.AttributeName
	if p.ValueExpression != nil {
		decoded := *p
		var err error
		if decoded.ValueExpression, err = decodeStrings(p.ValueExpression); err != nil {
			return badPath(provisioning.ErrorMessage(err))
		}
		return applyFiltered(target, attr, op, &decoded)
	}
	if sub := p.AttributePath.SubAttributeName(); sub != "" {
		complexValue := target.sub(attr, op.Op != "remove")
		if complexValue == nil {
			return nil
		}
		return applySimple(complexValue, sub, op.Op, op.Value)
	}
	return applySimple(target, attr, op.Op, op.Value)
}

// prefixed names each attribute of an extension object by its path, uri:name.
func prefixed(uri string, attrs map[string]any) map[string]any {
	out := make(map[string]any, len(attrs))
	for k, v := range attrs {
		out[uri+":"+k] = v
	}
	return out
}

// applySimple adds, replaces or removes one attribute. Adding to a multi-valued attribute appends
// the values not already there; adding or replacing an object (a complex attribute such as name)
// sets the sub-attributes given and leaves the others, as RFC 7644 3.5.2.3 says; removing the
// last values of a multi-valued attribute removes the attribute.
func applySimple(d document, attr, op string, value any) error {
	switch op {
	case "remove":
		if list, ok := value.([]any); ok && len(list) > 0 {
			cur, _ := d.get(attr)
			if have, isList := cur.([]any); isList {
				if left := without(have, list); len(left) > 0 {
					d.set(attr, left)
					return nil
				}
			}
		}
		d.del(attr)
	case "add", "replace":
		cur, _ := d.get(attr)
		switch have := cur.(type) {
		case []any:
			if list, ok := value.([]any); ok && op == "add" {
				d.set(attr, union(have, list))
				return nil
			}
		case map[string]any:
			if m, ok := value.(map[string]any); ok {
				for k, v := range m {
					document(have).set(k, v)
				}
				return nil
			}
		}
		d.set(attr, value)
	default:
		return badValue("op must be add, remove or replace")
	}
	return nil
}

// applyFiltered handles paths such as emails[type eq "work"].value on a multi-valued attribute.
func applyFiltered(d document, attr string, op scim.PatchOperation, p *filter.Path) error {
	cur, _ := d.get(attr)
	list, _ := cur.([]any)
	sub := p.SubAttributeName()
	matched := false
	var kept []any
	for _, el := range list {
		m, ok := el.(map[string]any)
		if !ok || !matches(p.ValueExpression, document(m)) {
			kept = append(kept, el)
			continue
		}
		matched = true
		switch {
		case op.Op == "remove" && sub == "":
			continue
		case sub != "":
			if err := applySimple(document(m), sub, op.Op, op.Value); err != nil {
				return err
			}
		default:
			if v, ok := firstObject(op.Value); ok {
				for k, x := range v {
					document(m).set(k, x)
				}
			}
		}
		kept = append(kept, m)
	}
	if !matched && op.Op != "remove" {
		el := document(equalities(p.ValueExpression))
		if sub != "" {
			el.set(sub, op.Value)
		} else if v, ok := firstObject(op.Value); ok {
			for k, x := range v {
				el.set(k, x)
			}
		}
		kept = append(kept, map[string]any(el))
	}
	if kept == nil {
		d.del(attr)
		return nil
	}
	d.set(attr, kept)
	return nil
}

func firstObject(v any) (map[string]any, bool) {
	if list, ok := v.([]any); ok && len(list) > 0 {
		v = list[0]
	}
	m, ok := v.(map[string]any)
	return m, ok
}

// equalities collects the attr eq value conditions of a filter, to build a new element.
func equalities(e filter.Expression) map[string]any {
	out := map[string]any{}
	switch e := e.(type) {
	case *filter.AttributeExpression:
		if strings.EqualFold(string(e.Operator), "eq") {
			out[e.AttributePath.AttributeName] = e.CompareValue
		}
	case *filter.LogicalExpression:
		if strings.EqualFold(string(e.Operator), "and") {
			for k, v := range equalities(e.Left) {
				out[k] = v
			}
			for k, v := range equalities(e.Right) {
				out[k] = v
			}
		}
	}
	return out
}

// matches evaluates a value filter on one element of a multi-valued attribute (a few elements
// of one resource, never a list of resources). Strings compare case-insensitively.
func matches(e filter.Expression, el document) bool {
	switch e := e.(type) {
	case *filter.LogicalExpression:
		if strings.EqualFold(string(e.Operator), "and") {
			return matches(e.Left, el) && matches(e.Right, el)
		}
		return matches(e.Left, el) || matches(e.Right, el)
	case *filter.NotExpression:
		return !matches(e.Expression, el)
	case *filter.AttributeExpression:
		v, ok := el.get(e.AttributePath.AttributeName)
		op := strings.ToLower(string(e.Operator))
		if op == "pr" {
			return ok && v != nil && v != ""
		}
		if !ok {
			return op == "ne"
		}
		have, want := fmt.Sprint(v), fmt.Sprint(e.CompareValue)
		if _, isString := v.(string); isString {
			have, want = strings.ToLower(have), strings.ToLower(want)
		}
		switch op {
		case "eq":
			return have == want
		case "ne":
			return have != want
		case "co":
			return strings.Contains(have, want)
		case "sw":
			return strings.HasPrefix(have, want)
		case "ew":
			return strings.HasSuffix(have, want)
		}
	}
	return false
}

func union(have, add []any) []any {
	out := append([]any{}, have...)
	for _, v := range add {
		if !containsValue(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func without(have, remove []any) []any {
	var out []any
	for _, v := range have {
		if !containsValue(remove, v) {
			out = append(out, v)
		}
	}
	return out
}

// containsValue compares elements by their "value" sub-attribute when both have one.
func containsValue(list []any, v any) bool {
	for _, x := range list {
		a, aok := x.(map[string]any)
		b, bok := v.(map[string]any)
		if aok && bok {
			av, _ := document(a).get("value")
			bv, _ := document(b).get("value")
			if av != nil && bv != nil && fmt.Sprint(av) == fmt.Sprint(bv) {
				return true
			}
		}
		if reflect.DeepEqual(x, v) {
			return true
		}
	}
	return false
}
