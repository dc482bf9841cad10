package scim

import (
	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
)

// resourceSchemas are the schemas of a resource type, as the library validates its bodies.
type resourceSchemas struct {
	core       schema.Schema
	extensions []schema.Schema
}

var (
	userType         = resourceSchemas{core: schema.CoreUserSchema(), extensions: []schema.Schema{schema.ExtensionEnterpriseUser()}}
	groupType        = resourceSchemas{core: schema.CoreGroupSchema()}
	commonAttributes = schema.Attributes(schema.CommonAttributes())
)

// declares reports whether a top-level attribute of that name is the schemas': a core or common
// attribute (any case), or an extension object (its exact URI, as the library looks it up).
func (t resourceSchemas) declares(name string) bool {
	if _, ok := t.core.Attributes.ContainsAttribute(name); ok {
		return true
	}
	if _, ok := commonAttributes.ContainsAttribute(name); ok {
		return true
	}
	return t.extension(name)
}

// extension reports whether name is the URI of one of the schemas' extensions.
func (t resourceSchemas) extension(name string) bool {
	for _, e := range t.extensions {
		if e.ID == name {
			return true
		}
	}
	return false
}

// resourceType describes the resource type to the library, served at /<name>s.
func (t resourceSchemas) resourceType(name, description string, h scim.ResourceHandler) scim.ResourceType {
	rt := scim.ResourceType{ID: optional.NewString(name), Name: name, Endpoint: "/" + name + "s",
		Description: optional.NewString(description), Schema: t.core, Handler: h}
	for _, e := range t.extensions {
		rt.SchemaExtensions = append(rt.SchemaExtensions, scim.SchemaExtension{Schema: e})
	}
	return rt
}
