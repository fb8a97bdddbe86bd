// Package packaging holds Torn's Debian packaging and its tests; it has
// no code of its own.
//
// `make package` builds tornd for the Pis (armhf, which is ARMv6, and
// arm64) and torn-central for servers (amd64, arm64) with CGO_ENABLED=0,
// and packages them into bin/packages with nfpm's deb packager
// (packaging/nfpm), from the recipes tornd.yaml and torn-central.yaml:
// the binary in /usr/bin, the systemd unit (tornd.service,
// torn-central.service) in /lib/systemd/system, the example config as a
// conffile in /etc/torn, and the maintainer scripts in scripts/ that make
// the system user and enable the unit. debversion.sh turns `git describe`
// into the Debian version. torn-display.service, the waiting room's TV as a
// Chromium kiosk, ships in tornd's examples.
//
// The tests read the built packages with the standard library only (ar,
// tar, gzip, ELF and Go's build info) and check the units with
// systemd-analyze verify on a root tree made from each package. Without
// packages they skip, or fail when CI=true. docs/install.md is the
// technician's side of all this.
package packaging
