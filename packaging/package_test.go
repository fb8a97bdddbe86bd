package packaging

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// packageDir is where `make package` puts the debs, from this directory.
const packageDir = "../bin/packages"

// A product is one of the packages `make package` builds, per architecture.
type product struct {
	name   string   // the package and its command
	arches []string // Debian's names
	config string   // the example installed as /etc/torn/<name>.toml
	user   string   // the system user the postinst makes
}

var products = []product{
	{name: "tornd", arches: []string{"armhf", "arm64"}, config: "../configs/small-buttons.toml", user: "torn"},
	{name: "torn-central", arches: []string{"amd64", "arm64"}, config: "../configs/torn-central.toml", user: "torn-central"},
}

// machines maps a Debian architecture to its ELF machine and GOARCH.
var machines = map[string]struct {
	elf    elf.Machine
	goarch string
}{
	"armhf": {elf.EM_ARM, "arm"},
	"arm64": {elf.EM_AARCH64, "arm64"},
	"amd64": {elf.EM_X86_64, "amd64"},
}

// A deb is a package file as read with the standard library.
type deb struct {
	file    string
	members []string             // the ar archive's, in order
	control map[string]string    // the control file's fields
	ctrl    map[string]*tarEntry // control.tar.gz by name ("postinst")
	data    map[string]*tarEntry // data.tar.gz by absolute path ("/usr/bin/tornd")
}

type tarEntry struct {
	hdr  *tar.Header
	body []byte
}

// missing skips the test, or fails it under CI, where nothing may be
// left untested.
func missing(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// readDebs reads every package in bin/packages.
func readDebs(t *testing.T) []*deb {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(packageDir, "*.deb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		missing(t, "no packages in bin/packages: run make package first")
	}
	var debs []*deb
	for _, f := range files {
		d, err := readDeb(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		debs = append(debs, d)
	}
	return debs
}

func readDeb(file string) (*deb, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	d := &deb{file: file}
	members, err := readAr(b)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		d.members = append(d.members, m.name)
	}
	for _, m := range members {
		switch m.name {
		case "control.tar.gz":
			if d.ctrl, err = readTarGz(m.body); err != nil {
				return nil, fmt.Errorf("control.tar.gz: %w", err)
			}
		case "data.tar.gz":
			if d.data, err = readTarGz(m.body); err != nil {
				return nil, fmt.Errorf("data.tar.gz: %w", err)
			}
		}
	}
	if d.ctrl == nil || d.data == nil {
		return nil, fmt.Errorf("members %q: want control.tar.gz and data.tar.gz (gzip: the test reads no xz or zstd)", d.members)
	}
	c, ok := d.ctrl["/control"]
	if !ok {
		return nil, errors.New("control.tar.gz has no control file")
	}
	d.control = parseControl(c.body)
	return d, nil
}

type arMember struct {
	name string
	body []byte
}

// readAr reads a deb's outer archive: the "!<arch>\n" magic, then per
// member a 60-byte header (name 16, mtime 12, uid 6, gid 6, mode 8, size
// 10, "`\n") and the body, padded to an even length.
func readAr(b []byte) ([]arMember, error) {
	const magic = "!<arch>\n"
	if !bytes.HasPrefix(b, []byte(magic)) {
		return nil, errors.New("not an ar archive")
	}
	b = b[len(magic):]
	var ms []arMember
	for len(b) > 0 {
		if len(b) < 60 || string(b[58:60]) != "`\n" {
			return nil, fmt.Errorf("bad ar header after %d members", len(ms))
		}
		name := strings.TrimSuffix(strings.TrimSpace(string(b[:16])), "/") // GNU ar ends names with /
		size, err := strconv.Atoi(strings.TrimSpace(string(b[48:58])))
		if err != nil || size < 0 || size > len(b)-60 {
			return nil, fmt.Errorf("ar member %q: bad size %q", name, b[48:58])
		}
		ms = append(ms, arMember{name, b[60 : 60+size]})
		b = b[60+size:]
		if size%2 == 1 && len(b) > 0 {
			b = b[1:]
		}
	}
	return ms, nil
}

// readTarGz reads a gzipped tar into memory, keyed by absolute path
// without a trailing slash ("./usr/bin/" is "/usr/bin").
func readTarGz(b []byte) (map[string]*tarEntry, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	files := map[string]*tarEntry{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		files[path.Clean("/"+h.Name)] = &tarEntry{h, body}
	}
}

// parseControl reads a control file's fields; continuation lines are
// joined with newlines.
func parseControl(b []byte) map[string]string {
	fields := map[string]string{}
	var last string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, " ") && last != "" {
			fields[last] += "\n" + strings.TrimSpace(line)
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			last = k
			fields[k] = strings.TrimSpace(v)
		}
	}
	return fields
}

func (d *deb) product() (product, error) {
	for _, p := range products {
		if p.name == d.control["Package"] {
			return p, nil
		}
	}
	return product{}, fmt.Errorf("unexpected package %q", d.control["Package"])
}

// debVersion is a Debian version without an epoch or a revision, as
// packaging/debversion.sh makes them.
var debVersion = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~]*$`)

func TestPackages(t *testing.T) {
	debs := readDebs(t)
	var got []string
	for _, d := range debs {
		got = append(got, d.control["Package"]+"_"+d.control["Architecture"])
	}
	for _, p := range products {
		for _, a := range p.arches {
			if !slices.Contains(got, p.name+"_"+a) {
				t.Errorf("no %s package for %s in %s (have %q)", p.name, a, packageDir, got)
			}
		}
	}
	for _, d := range debs {
		t.Run(filepath.Base(d.file), func(t *testing.T) { checkDeb(t, d) })
	}
}

func checkDeb(t *testing.T, d *deb) {
	p, err := d.product()
	if err != nil {
		t.Fatal(err)
	}
	arch, version := d.control["Architecture"], d.control["Version"]
	if !slices.Contains(p.arches, arch) {
		t.Errorf("Architecture %q, want one of %q", arch, p.arches)
	}
	if !debVersion.MatchString(version) {
		t.Errorf("Version %q is not a Debian version as debversion.sh makes them", version)
	}
	if want := p.name + "_" + version + "_" + arch + ".deb"; filepath.Base(d.file) != want {
		t.Errorf("file %s, want %s", filepath.Base(d.file), want)
	}
	if !slices.Equal(d.members, []string{"debian-binary", "control.tar.gz", "data.tar.gz"}) {
		t.Errorf("ar members %q", d.members)
	}
	if !regexp.MustCompile(`(^|, )adduser($|[ ,])`).MatchString(d.control["Depends"]) {
		t.Errorf("Depends %q: the postinst needs adduser", d.control["Depends"])
	}

	// The config is a conffile, kept across upgrades, and is the example.
	conf := "/etc/torn/" + p.name + ".toml"
	if c := d.ctrl["/conffiles"]; c == nil || !slices.Contains(strings.Fields(string(c.body)), conf) {
		t.Errorf("conffiles does not list %s", conf)
	}
	want, err := os.ReadFile(p.config)
	if err != nil {
		t.Fatal(err)
	}
	if f := d.data[conf]; f == nil || !bytes.Equal(f.body, want) {
		t.Errorf("%s is missing or differs from %s", conf, p.config)
	}

	// The maintainer scripts: POSIX sh, executable, and the postinst
	// makes the user.
	for _, s := range []string{"postinst", "prerm", "postrm"} {
		f := d.ctrl["/"+s]
		if f == nil {
			t.Errorf("no %s", s)
			continue
		}
		if f.hdr.Mode&0o111 == 0 {
			t.Errorf("%s mode %o: not executable", s, f.hdr.Mode)
		}
		if !bytes.HasPrefix(f.body, []byte("#!/bin/sh\n")) || !bytes.Contains(f.body, []byte("\nset -e\n")) {
			t.Errorf("%s does not start with #!/bin/sh and set -e", s)
		}
	}
	if f := d.ctrl["/postinst"]; f != nil {
		mk := regexp.MustCompile(`(?m)^\s*adduser --system .*\b` + regexp.QuoteMeta(p.user) + `$`)
		if !mk.Match(f.body) {
			t.Errorf("postinst does not make the system user %s with adduser --system", p.user)
		}
	}

	// The unit, as in packaging/.
	unit := p.name + ".service"
	want, err = os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	if f := d.data["/lib/systemd/system/"+unit]; f == nil || !bytes.Equal(f.body, want) {
		t.Errorf("/lib/systemd/system/%s is missing or differs from packaging/%s", unit, unit)
	}
	if p.name == "tornd" {
		want, err := os.ReadFile("torn-display.service")
		if err != nil {
			t.Fatal(err)
		}
		if f := d.data["/usr/share/doc/tornd/examples/torn-display.service"]; f == nil || !bytes.Equal(f.body, want) {
			t.Error("the example torn-display.service is missing or differs from packaging/")
		}
	}

	checkBinary(t, d, p, arch)
}

// checkBinary checks that /usr/bin/<name> is a static Go binary for the
// package's architecture (ARMv6 for armhf), built as the Makefile says.
func checkBinary(t *testing.T, d *deb, p product, arch string) {
	bin := "/usr/bin/" + p.name
	f := d.data[bin]
	if f == nil {
		t.Fatalf("no %s", bin)
	}
	if f.hdr.Mode&0o777 != 0o755 {
		t.Errorf("%s mode %o, want 755", bin, f.hdr.Mode)
	}
	m := machines[arch]
	e, err := elf.NewFile(bytes.NewReader(f.body))
	if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	defer e.Close()
	if e.Machine != m.elf {
		t.Errorf("%s is for %v, want %v for %s", bin, e.Machine, m.elf, arch)
	}
	for _, prog := range e.Progs {
		if prog.Type == elf.PT_INTERP {
			t.Errorf("%s has a dynamic loader: built without CGO_ENABLED=0?", bin)
		}
	}
	info, err := buildinfo.Read(bytes.NewReader(f.body))
	if err != nil {
		t.Fatalf("%s: Go build info: %v", bin, err)
	}
	want := map[string]string{"GOOS": "linux", "GOARCH": m.goarch, "CGO_ENABLED": "0"}
	if arch == "armhf" {
		want["GOARM"] = "6" // Raspberry Pi OS's armhf is ARMv6: Pi Zero and 1
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	for k, v := range want {
		if settings[k] != v {
			t.Errorf("%s built with %s=%q, want %q", bin, k, settings[k], v)
		}
	}
	if !strings.Contains(settings["-ldflags"], "internal/version.Build=") {
		t.Errorf("%s built with -ldflags %q: not the Makefile's LDFLAGS", bin, settings["-ldflags"])
	}
}

// A unit file's settings: section → key → values, in order.
type unitFile map[string]map[string][]string

func readUnit(t *testing.T, file string) unitFile {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	u := unitFile{}
	var section string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			section = strings.Trim(line, "[]")
			u[section] = map[string][]string{}
		default:
			k, v, _ := strings.Cut(line, "=")
			u[section][k] = append(u[section][k], v)
		}
	}
	return u
}

// get is the last value of key, as systemd takes it for a single value.
func (u unitFile) get(section, key string) string {
	vs := u[section][key]
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

// TestUnitLines holds the units to what the daemons and the devices need,
// so that dropping a line fails here before it fails in an office.
func TestUnitLines(t *testing.T) {
	type want struct{ section, key, value string }
	for file, wants := range map[string][]want{
		"tornd.service": {
			{"Service", "Type", "notify"}, // tornd sends READY=1 (internal/sdnotify)
			{"Service", "WatchdogSec", "30s"},
			{"Service", "ExecStart", "/usr/bin/tornd run -config /etc/torn/tornd.toml"},
			{"Service", "ExecReload", "/bin/kill -HUP $MAINPID"},
			{"Service", "User", "torn"},
			{"Service", "Group", "torn"},
			{"Service", "StateDirectory", "torn"}, // /var/lib/torn/torn.db
			{"Service", "SyslogIdentifier", "tornd"},
			{"Service", "NoNewPrivileges", "yes"},
			{"Service", "ProtectSystem", "strict"},
			{"Install", "WantedBy", "multi-user.target"},
		},
		"torn-central.service": {
			{"Service", "Type", "notify"},
			{"Service", "WatchdogSec", "60s"},
			{"Service", "ExecStart", "/usr/bin/torn-central serve -config /etc/torn/torn-central.toml"},
			{"Service", "User", "torn-central"},
			{"Service", "Group", "torn-central"},
			{"Service", "StateDirectory", "torn-central"},
			{"Service", "SyslogIdentifier", "torn-central"},
			{"Unit", "Wants", "network-online.target"},
			{"Unit", "After", "network-online.target postgresql.service"},
			{"Install", "WantedBy", "multi-user.target"},
		},
	} {
		u := readUnit(t, file)
		for _, w := range wants {
			if got := u.get(w.section, w.key); got != w.value {
				t.Errorf("%s: [%s] %s=%q, want %q", file, w.section, w.key, got, w.value)
			}
		}
		if r := u.get("Service", "Restart"); r != "always" && r != "on-failure" {
			t.Errorf("%s: Restart=%q, want always or on-failure", file, r)
		}
		if u.get("Service", "RestartSec") == "" {
			t.Errorf("%s: no RestartSec", file)
		}
	}

	// tornd opens the devices: PrivateDevices would hide them, and each
	// supplementary group must exist or the unit does not start, so the
	// postinst makes those that are missing.
	u := readUnit(t, "tornd.service")
	if v := u.get("Service", "PrivateDevices"); v != "" && v != "no" {
		t.Errorf("tornd.service: PrivateDevices=%s hides the GPIO, serial, USB printer and input devices", v)
	}
	groups := strings.Fields(u.get("Service", "SupplementaryGroups"))
	for _, g := range []string{"gpio", "dialout", "lp", "input", "i2c"} {
		if !slices.Contains(groups, g) {
			t.Errorf("tornd.service: SupplementaryGroups %q lacks %s", groups, g)
		}
	}
	postinst, err := os.ReadFile("scripts/tornd.postinst")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*for g in ([a-z0-9 ]+); do$`).FindSubmatch(postinst)
	if m == nil || !slices.Equal(strings.Fields(string(m[1])), groups) {
		t.Errorf("scripts/tornd.postinst makes the groups of a `for g in ...` loop, which must be SupplementaryGroups %q", groups)
	}
}

// otherPackages are the commands of torn-display.service that other
// packages install (cage, Chromium), which this machine need not have.
var otherPackages = []string{"/usr/bin/cage", "/usr/bin/chromium-browser"}

// TestVerifyUnits runs systemd-analyze verify on each package's units in a
// root tree made of the package's files (so ExecStart must name the
// binary the package installs) and of this machine's systemd units (the
// targets they order against). verify reports some problems, such as an
// unknown key, only as warnings with a zero exit: any output line that
// names one of our units fails the test.
func TestVerifyUnits(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		missing(t, "no systemd-analyze: make systemd installs Debian's systemd")
	}
	hostUnits := "/lib/systemd/system"
	if _, err := os.Stat(filepath.Join(hostUnits, "multi-user.target")); err != nil {
		missing(t, "no systemd units in "+hostUnits+": make systemd installs Debian's systemd")
	}
	for _, d := range readDebs(t) {
		t.Run(filepath.Base(d.file), func(t *testing.T) {
			p, err := d.product()
			if err != nil {
				t.Fatal(err)
			}
			root := t.TempDir()
			// Merged /usr, as on Bookworm: the package's /lib/systemd lands in /usr/lib.
			for _, dir := range []string{"usr/lib/systemd", "usr/bin", "usr/sbin", "etc/systemd/system"} {
				if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, l := range []string{"lib", "bin", "sbin"} {
				if err := os.Symlink("usr/"+l, filepath.Join(root, l)); err != nil {
					t.Fatal(err)
				}
			}
			if err := copyTree(filepath.Join(root, "usr/lib/systemd/system"), hostUnits); err != nil {
				t.Fatal(err)
			}
			if err := extract(root, d.data); err != nil {
				t.Fatal(err)
			}
			units := []string{p.name + ".service"}
			if p.name == "tornd" {
				// Installed as docs/install.md says.
				ex := d.data["/usr/share/doc/tornd/examples/torn-display.service"]
				if ex == nil {
					t.Fatal("no example torn-display.service")
				}
				if err := os.WriteFile(filepath.Join(root, "etc/systemd/system/torn-display.service"), ex.body, 0o644); err != nil {
					t.Fatal(err)
				}
				units = append(units, "torn-display.service")
			}
			if err := stubCommands(root, units); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"verify", "--root=" + root, "--man=no", "--generators=no"}, units...)
			out, err := exec.Command("systemd-analyze", args...).CombinedOutput()
			var bad []string
			for _, line := range strings.Split(string(out), "\n") {
				for _, u := range units {
					if strings.Contains(line, u) {
						bad = append(bad, line)
						break
					}
				}
			}
			if err != nil || len(bad) > 0 {
				how := "warnings about our units"
				if err != nil {
					how = err.Error()
				}
				t.Errorf("systemd-analyze %s: %s\n%s", strings.Join(args, " "), how, out)
			}
		})
	}
}

// extract writes a package's files and directories under root.
func extract(root string, data map[string]*tarEntry) error {
	for name, f := range data {
		dst := filepath.Join(root, name)
		switch f.hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(dst, f.body, fs.FileMode(f.hdr.Mode)&0o777); err != nil {
				return err
			}
		}
	}
	return nil
}

// copyTree copies a directory of units: files, and symlinks as they are
// (aliases point at their unit by a relative name).
func copyTree(dst, src string) error {
	return filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		switch {
		case e.IsDir():
			return os.MkdirAll(to, 0o755)
		case e.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(to, b, 0o644)
		}
	})
}

// stubCommands puts an executable stub in root for each command the units
// run that the package does not install but the system does: one that
// this machine has at the same path (/bin/kill), or one of otherPackages.
// Any other missing command stays missing, for verify to report.
func stubCommands(root string, units []string) error {
	for _, u := range units {
		for _, dir := range []string{"etc/systemd/system", "lib/systemd/system"} {
			b, err := os.ReadFile(filepath.Join(root, dir, u))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			for _, line := range strings.Split(string(b), "\n") {
				k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
				if !ok || !strings.HasPrefix(k, "Exec") {
					continue
				}
				fields := strings.Fields(strings.TrimLeft(v, "-@:+!"))
				if len(fields) == 0 {
					continue
				}
				cmd := fields[0]
				if _, err := os.Stat(filepath.Join(root, cmd)); err == nil {
					continue
				}
				if _, err := os.Stat(cmd); err != nil && !slices.Contains(otherPackages, cmd) {
					continue
				}
				if err := os.WriteFile(filepath.Join(root, cmd), []byte("#!/bin/sh\n"), 0o755); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// TestDebVersion runs debversion.sh in a throw-away repository through
// its cases, and checks with dpkg that the versions sort as commits do.
func TestDebVersion(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		missing(t, "no git")
	}
	script, err := filepath.Abs("debversion.sh")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	env := append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %q: %v\n%s", name, args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	commit := func(date string) string {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "f"), []byte(date), 0o644); err != nil {
			t.Fatal(err)
		}
		run("git", "add", "f")
		cmd := exec.Command("git", "commit", "-q", "-m", date)
		cmd.Dir, cmd.Env = dir, append(env, "GIT_COMMITTER_DATE="+date, "GIT_AUTHOR_DATE="+date)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git commit: %v\n%s", err, out)
		}
		return run("git", "rev-parse", "--short=7", "HEAD")
	}
	run("git", "init", "-q")

	var versions []string
	check := func(want string) {
		t.Helper()
		got := run("sh", script)
		if got != want {
			t.Errorf("debversion.sh = %q, want %q", got, want)
		}
		if !debVersion.MatchString(got) {
			t.Errorf("debversion.sh = %q: not a Debian version", got)
		}
		versions = append(versions, got)
	}
	h := commit("2026-01-14T09:30:12Z")
	check("0.0~git20260114093012." + h)
	h = commit("2026-01-14T10:00:00Z")
	check("0.0~git20260114100000." + h)
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("edited"), 0o644); err != nil {
		t.Fatal(err)
	}
	check("0.0~git20260114100000." + h + "+dirty")
	run("git", "checkout", "-q", "f")
	commit("2026-02-01T08:00:00Z")
	run("git", "tag", "v1.0.0-rc1")
	check("1.0.0~rc1")
	commit("2026-02-02T08:00:00Z")
	run("git", "tag", "v1.0.0")
	check("1.0.0")
	commit("2026-02-03T08:00:00Z")
	h = commit("2026-02-04T08:00:00Z")
	check("1.0.0+git20260204080000.2." + h)

	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Log("no dpkg: the order of the versions is not checked")
		return
	}
	for i := 1; i < len(versions); i++ {
		if err := exec.Command("dpkg", "--compare-versions", versions[i-1], "lt", versions[i]).Run(); err != nil {
			t.Errorf("dpkg does not sort %s before %s", versions[i-1], versions[i])
		}
	}
}
