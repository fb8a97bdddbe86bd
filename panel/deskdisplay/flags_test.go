package deskdisplay

import "flag"

// update rewrites the golden files under testdata/ instead of comparing
// with them: go test ./panel/deskdisplay -update. Every golden test of the
// package uses this one flag.
var update = flag.Bool("update", false, "rewrite golden files")
