// Package version says which build of Torn's programs is running.
package version

import "runtime/debug"

// Build is set by the Makefile (-ldflags -X torn.cat/torn/internal/version.Build=…).
var Build string

// String is the build's version: Build when the Makefile set it, else the
// module version and VCS revision Go recorded, else "unknown".
func String() string {
	if Build != "" {
		return Build
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return bi.Main.Version + " " + s.Value
			}
		}
		return bi.Main.Version
	}
	return "unknown"
}
