// vSphere tags for the vcsim scenario estate, through the vAPI REST interface.
//
// The simulator must serve REST: set m.Service.RegisterEndpoints = true and import
// _ "github.com/vmware/govmomi/vapi/simulator" (in main.go). vcsim 0.24 has only the /rest
// endpoints, which is what the govmomi rest client uses.

package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vapi/tags"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// plantScenarioTags attaches tags through the running server's REST interface (vcsim serves
// REST only over HTTP, not to the in-process client): of the VMs ordered by moref, every one
// but each fourth gets the plantTags pattern, so some VMs carry no tag; the first host gets
// dr-tier:gold.
func plantScenarioTags(ctx context.Context, sdk *url.URL, caFile string, user *url.Userinfo) ([]PlantedTag, error) {
	u := *sdk
	u.User = nil
	// The planting talks to its own server on loopback: with the stock certificate it trusts
	// whatever it is served.
	sc := soap.NewClient(&u, caFile == "")
	if caFile != "" {
		if err := sc.SetRootCAs(caFile); err != nil {
			return nil, fmt.Errorf("plantScenarioTags: CA: %w", err)
		}
	}
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, fmt.Errorf("plantScenarioTags: client: %w", err)
	}
	var vms []types.ManagedObjectReference
	for i, e := range sortedEntities("VirtualMachine") {
		if i%4 != 3 {
			vms = append(vms, e.Reference())
		}
	}
	var host types.ManagedObjectReference
	if hosts := sortedEntities("HostSystem"); len(hosts) > 0 {
		host = hosts[0].Reference()
	}
	return plantTags(ctx, c, user, vms, host)
}

// PlantedTag is one tag attached to one managed object.
type PlantedTag struct {
	Category string `json:"category"`
	Tag      string `json:"tag"`
	// Managed object type: "VirtualMachine" or "HostSystem".
	Type string `json:"type"`
	// Moref value, e.g. "vm-57".
	Moref string `json:"moref"`
}

// Label is the tag as vcaudit reports it: "category:tag".
func (p PlantedTag) Label() string {
	return p.Category + ":" + p.Tag
}

// plantTagsCategories is what plantTags creates: category -> its tags.
var plantTagsCategories = []struct {
	name string
	tags []string
}{
	{"dr-tier", []string{"gold", "silver"}},
	{"owner", []string{"team-a"}},
}

// plantTags creates the categories "dr-tier" (tags "gold", "silver") and "owner" (tag
// "team-a"), both single-cardinality, and attaches them:
//   - vms[i] with i%3 == 0: dr-tier:gold and owner:team-a;
//   - vms[i] with i%3 == 1: dr-tier:silver;
//   - vms[i] with i%3 == 2: owner:team-a;
//   - host: dr-tier:gold (skipped when host.Value is empty).
//
// VMs the caller does not pass carry no tag. It logs in to REST with user (when nil, the user
// info of c's URL), logs out before returning, and returns every attachment made, in order.
func plantTags(ctx context.Context, c *vim25.Client, user *url.Userinfo, vms []types.ManagedObjectReference, host types.ManagedObjectReference) ([]PlantedTag, error) {
	if user == nil {
		user = c.URL().User
	}
	if user == nil {
		return nil, fmt.Errorf("plantTags: no credentials for the REST login")
	}
	rc := rest.NewClient(c)
	if err := rc.Login(ctx, user); err != nil {
		return nil, fmt.Errorf("plantTags: REST login: %w", err)
	}
	defer func() { _ = rc.Logout(ctx) }()
	m := tags.NewManager(rc)

	// "category:tag" -> tag id
	ids := make(map[string]string)
	for _, cat := range plantTagsCategories {
		catID, err := m.CreateCategory(ctx, &tags.Category{
			Name:            cat.name,
			Description:     "planted by the vcaudit tests",
			Cardinality:     "SINGLE",
			AssociableTypes: []string{},
		})
		if err != nil {
			return nil, fmt.Errorf("plantTags: create category %s: %w", cat.name, err)
		}
		for _, name := range cat.tags {
			tagID, err := m.CreateTag(ctx, &tags.Tag{Name: name, CategoryID: catID})
			if err != nil {
				return nil, fmt.Errorf("plantTags: create tag %s:%s: %w", cat.name, name, err)
			}
			ids[cat.name+":"+name] = tagID
		}
	}

	var planted []PlantedTag
	attach := func(ref types.ManagedObjectReference, category, tag string) error {
		if err := m.AttachTag(ctx, ids[category+":"+tag], mo.Reference(ref)); err != nil {
			return fmt.Errorf("plantTags: attach %s:%s to %s: %w", category, tag, ref, err)
		}
		planted = append(planted, PlantedTag{Category: category, Tag: tag, Type: ref.Type, Moref: ref.Value})
		return nil
	}
	for i, vm := range vms {
		var err error
		switch i % 3 {
		case 0:
			if err = attach(vm, "dr-tier", "gold"); err == nil {
				err = attach(vm, "owner", "team-a")
			}
		case 1:
			err = attach(vm, "dr-tier", "silver")
		case 2:
			err = attach(vm, "owner", "team-a")
		}
		if err != nil {
			return nil, err
		}
	}
	if host.Value != "" {
		if err := attach(host, "dr-tier", "gold"); err != nil {
			return nil, err
		}
	}
	return planted, nil
}
