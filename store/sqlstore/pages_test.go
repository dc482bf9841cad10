package sqlstore_test

import (
	"testing"

	"github.com/rollcall/rollcall/store/storetest"
)

// TestDirectoryUserPages runs the paging check of unfiltered SCIM user lists on both stores.
func TestDirectoryUserPages(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) { storetest.DirectoryUserPages(t, b) })
	}
}
