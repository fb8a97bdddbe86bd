# Torn's build. `make demo` runs the demo office; `make test` runs every
# check this machine can run, installing what it needs first.

GO          ?= go
TOOLS       := $(CURDIR)/.tools
STATICCHECK := $(TOOLS)/staticcheck
STATICCHECK_VERSION := v0.8.2
NFPM        := $(TOOLS)/nfpm
VERSION     ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -s -w -X torn.cat/torn/internal/version.Build=$(VERSION)

.PHONY: all build demo test check-fmt vet staticcheck unit fuzz crossbuild bench tools browser voice postgres clean systemd package

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./cmd/...

# The whole office on this machine, with throw-away databases: tornd with
# its virtual printer and simulated citizens, and torn-central on SQLite
# beside it, so that the QR code on a ticket opens central's page.
demo: build
	@dir=$$(mktemp -d /tmp/torn-demo.XXXXXX); \
	echo "Demo office from configs/demo.toml, throw-away databases in $$dir"; \
	echo "  queue:        http://127.0.0.1:8080/api/queue"; \
	echo "  office:       http://127.0.0.1:8080/api/office"; \
	echo "  health:       http://127.0.0.1:8080/healthz"; \
	echo "  printed:      http://127.0.0.1:8080/printer  (the virtual printer's last tickets)"; \
	echo "  issue ticket: curl -X POST -d '{\"service\":\"oac\"}' http://127.0.0.1:8080/api/tickets"; \
	echo "  TV, kiosk:    http://127.0.0.1:8080/display   http://127.0.0.1:8080/kiosk"; \
	echo "  check in:     http://127.0.0.1:8080/kiosk/checkin  (appointments every 10 min from now for"; \
	echo "                12345678Z, X1234567L, 99999999R, 11111111H, 22222222J, Y7654321G)"; \
	echo "  appointments: curl -b /tmp/torn-demo.cookies http://127.0.0.1:8080/api/appointments"; \
	echo "  clerk login:  curl -c /tmp/torn-demo.cookies -d '{\"name\":\"demo\",\"password\":\"demo\"}' http://127.0.0.1:8080/api/login"; \
	echo "  call next:    curl -b /tmp/torn-demo.cookies -X POST http://127.0.0.1:8080/api/desks/taula1/next"; \
	echo "  central:      http://127.0.0.1:8090/offices  (user any, password: the key in $$dir/central.key)"; \
	echo "                a ticket's QR code opens http://127.0.0.1:8090/t/<token>"; \
	echo "Simulated citizens take a ticket every 20 s or so and the desks serve them."; \
	echo "Ctrl-C stops it; the databases are removed."; \
	trap 'kill $$central 2>/dev/null; rm -rf "$$dir"' EXIT INT TERM; \
	./bin/torn-central device add demo-1 -office demo -db "sqlite:$$dir/central.db" | tail -1 > /tmp/torn-demo-central.token; \
	./bin/torn-central apikey add demo -db "sqlite:$$dir/central.db" | tail -1 > "$$dir/central.key"; \
	./bin/torn-central serve -db "sqlite:$$dir/central.db" -listen 127.0.0.1:8090 -keys "$$dir/keys" 2> "$$dir/central.log" & central=$$!; \
	test -f /tmp/torn-demo.key || ./bin/tornd key generate /tmp/torn-demo.key >/dev/null; \
	{ echo "slot,service,document,name"; i=0; \
	  for doc in 12345678Z X1234567L 99999999R 11111111H 22222222J Y7654321G; do \
	    echo "$$(TZ=Europe/Madrid date -d "+$$((i * 10)) min" '+%F %H:%M'),cita,$$doc,Demo $$i"; i=$$((i + 1)); \
	  done; } > /tmp/torn-demo-appointments.csv; \
	./bin/tornd run -config configs/demo.toml -db "$$dir/torn.db" -listen 127.0.0.1:8080 -simulate

# Everything: formatting, vet, staticcheck, the tests with the race
# detector (the crash test among them), short fuzz runs, and the
# cross-builds for the Pi.
test: tools browser voice postgres systemd check-fmt vet staticcheck package unit fuzz crossbuild

tools: $(STATICCHECK)

# Debian's packages that tests need, installed when missing:
# $(call apt_install,COMMAND,PACKAGE).
apt_install = @if ! command -v $(1) >/dev/null; then \
		echo "installing Debian's $(2) for the tests"; \
		if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $(2); \
	fi

# espeak-ng speaks the calls on the display.
voice:
	$(call apt_install,espeak-ng,espeak-ng)

# PostgreSQL runs the central store's tests (internal/pgtest starts a
# throw-away server from /usr/lib/postgresql/*/bin; initdb is not on PATH,
# so apt_install cannot test for it).
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "installing Debian's postgresql for the tests"; \
		if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends postgresql; \
	fi

# systemd-analyze verifies the packages' units (packaging/).
systemd:
	$(call apt_install,systemd-analyze,systemd)

# Chromium runs the page tests (internal/browser); CHROMIUM=/path uses another.
browser:
	$(if $(CHROMIUM),@true,$(call apt_install,chromium,chromium))

$(STATICCHECK):
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# nfpm's deb packager, pinned in packaging/nfpm/go.mod, outside torn's
# go.mod; packaging/nfpm/main.go says why it is not upstream's cmd/nfpm.
$(NFPM): packaging/nfpm/go.mod packaging/nfpm/go.sum packaging/nfpm/main.go
	cd packaging/nfpm && GOBIN=$(TOOLS) $(GO) install .

# The Debian packages, in bin/packages: tornd for the Pis (armhf is ARMv6,
# Raspberry Pi OS's 32-bit userland, so it runs on a Pi Zero or 1 too) and
# torn-central for servers. The version is packaging/debversion.sh's;
# docs/install.md installs them; the tests in packaging/ read them.
DEB_VERSION ?= $(shell sh packaging/debversion.sh)
package: $(NFPM)
	rm -rf bin/packages
	mkdir -p bin/packages
	$(call deb,tornd,armhf,GOARCH=arm GOARM=6)
	$(call deb,tornd,arm64,GOARCH=arm64)
	$(call deb,torn-central,amd64,GOARCH=amd64)
	$(call deb,torn-central,arm64,GOARCH=arm64)

# $(call deb,COMMAND,DEB_ARCH,GOARCH=...): COMMAND built for DEB_ARCH into
# bin/linux-DEB_ARCH, then packaged by packaging/COMMAND.yaml.
deb = CGO_ENABLED=0 GOOS=linux $(3) $(GO) build -ldflags '$(LDFLAGS)' -o bin/linux-$(2)/$(1) ./cmd/$(1) && \
	DEB_ARCH=$(2) DEB_VERSION=$(DEB_VERSION) BIN_DIR=bin/linux-$(2) $(NFPM) package -f packaging/$(1).yaml -p deb -t bin/packages/

check-fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck: $(STATICCHECK)
	$(STATICCHECK) ./...

unit:
	TORN_ARTIFACTS=$(CURDIR)/bin/artifacts $(GO) test -race -count=1 -timeout 12m ./...

# Short runs of the fuzz targets, on top of their seed corpora that unit runs.
# Counted in executions, about 10 to 20 s each on two cores, not in seconds:
# Go 1.26's fuzz coordinator can fail a run with "context deadline exceeded"
# when a -fuzztime duration ends mid-execution (go.dev/issue/75804, fixed in
# Go 1.27); a count has no deadline to race.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecodeEvent -fuzztime 1000000x ./store
	$(GO) test -run '^$$' -fuzz FuzzRender -fuzztime 60000x ./printer
	$(GO) test -run '^$$' -fuzz FuzzEncode -fuzztime 60000x ./printer
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 1000000x ./idcard
	$(GO) test -run '^$$' -fuzz FuzzNationalID -fuzztime 500000x ./idcard

crossbuild:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=6 $(GO) build -o /dev/null ./cmd/...
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7 $(GO) build -o /dev/null ./cmd/...
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -o /dev/null ./cmd/...

# The figures of docs/performance.md.
bench:
	$(GO) test -run '^$$' -bench Issue -benchtime 20000x ./office
	$(GO) test -run '^$$' -bench CommitIssue -benchtime 20000x ./store
	$(GO) test -run '^$$' -bench BootYear -benchtime 50x ./store
	$(GO) test -run TestMemoryDay -count=1 -v ./cmd/tornd
	$(GO) test -run '^$$' -bench Ticket -benchmem ./printer
	$(GO) test -run '^$$' -bench PressToPrinter -benchtime 2000x -count 3 ./cmd/tornd
	$(GO) test -run '^$$' -bench Ingest -benchtime 200x -count 3 ./central/sqlstore
	$(GO) test -run '^$$' -bench ReportYear -benchtime 5x -timeout 90m ./central/sqlstore
	$(GO) test -run '^$$' -bench 'Day|Forecast' -benchtime 3s ./sim

clean:
	rm -rf bin $(TOOLS)
