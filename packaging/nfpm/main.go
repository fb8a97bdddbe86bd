// Command nfpm builds Torn's Debian packages with nfpm's deb packager
// (github.com/goreleaser/nfpm/v2, pinned in this directory's go.mod).
//
// It takes the flags of `nfpm package` and reads the same nfpm.yaml, but
// only for deb: upstream's cmd/nfpm also links its rpm and msix
// packagers, whose modules (go.digitalxero.dev/...) the Go module proxy
// we build with refuses, so `go install .../cmd/nfpm@v2.48.0` fails here.
// The deb packager needs neither. This directory is a module of its own
// so that nfpm stays out of torn's go.mod: the Makefile installs it into
// .tools like staticcheck.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
)

const usage = "usage: nfpm package -f CONFIG [-p deb] [-t FILE|DIR]\n"

func main() {
	if len(os.Args) < 2 || os.Args[1] != "package" {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	fs := flag.NewFlagSet("nfpm package", flag.ExitOnError)
	config := fs.String("f", "nfpm.yaml", "the config `file`; ${VAR} is taken from the environment")
	packager := fs.String("p", "deb", "the packager: deb only")
	target := fs.String("t", ".", "the package `file`, or the directory to put it in under its conventional name")
	fs.Parse(os.Args[2:])
	if *packager != "deb" || fs.NArg() != 0 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	name, err := build(*config, *target, *packager)
	if err != nil {
		fmt.Fprintf(os.Stderr, "nfpm: %s: %v\n", *config, err)
		os.Exit(1)
	}
	fmt.Println("created package:", name)
}

// build is upstream's doPackage (internal/cmd/package.go) for one packager.
func build(config, target, packager string) (string, error) {
	cfg, err := nfpm.ParseFile(config)
	if err != nil {
		return "", err
	}
	info, err := cfg.Get(packager)
	if err != nil {
		return "", err
	}
	info = nfpm.WithDefaults(info)
	pkg, err := nfpm.Get(packager)
	if err != nil {
		return "", err
	}
	if st, err := os.Stat(target); err == nil && st.IsDir() {
		target = filepath.Join(target, pkg.ConventionalFileName(info))
	}
	f, err := os.Create(target)
	if err != nil {
		return "", err
	}
	info.Target = target
	if err := pkg.Package(info, f); err != nil {
		f.Close()
		os.Remove(target)
		return "", err
	}
	return target, f.Close()
}
