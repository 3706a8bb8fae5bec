package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lifeline-support/lifeline/signaling/orgkey"
)

// rotateOrgKey is "signaling rotate-org-key": a new organisation key in the
// key file, the old one kept for verification (orgkey.Keep). The servers use
// it once restarted.
func rotateOrgKey(args []string) int {
	fs := flag.NewFlagSet("rotate-org-key", flag.ContinueOnError)
	data := fs.String("data", env("LIFELINE_DATA", "./data"), "data directory")
	file := fs.String("org-key", env("LIFELINE_ORG_KEY", ""), "organisation key file (default <data>/org-key.json)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *file == "" {
		*file = filepath.Join(*data, orgkey.FileName)
	}
	k, err := orgkey.Rotate(*file, time.Now())
	if err != nil {
		fmt.Fprintln(os.Stderr, "rotate-org-key:", err)
		return 1
	}
	fmt.Printf("New organisation key in %s (restart every server; copy the file to each node).\nFingerprint: %s\n%sThe previous key still verifies downloads made before for %d days.\n",
		*file, k.Fingerprint(), k.PEM(), int(orgkey.Keep.Hours()/24))
	return 0
}
