# SPDX-License-Identifier: MIT
# vsnd top-level entry points. Each target installs the Debian packages it
# needs (by name, with apt-get) when they are missing, configures Meson and
# builds into a directory of its own:
#   build/        gcc, ASan + UBSan: `make test`, `make demo`
#   build-fuzz/   clang + libFuzzer: `make fuzz`
#   build-bench/  gcc, release, no sanitizers: `make bench`
# A target whose feature does not exist yet says so and exits non-zero.

BUILD      ?= build
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
BENCH_BUILD ?= build-bench
BENCH_ARGS ?=
MESON_TEST_ARGS ?=

# Everything the build and the test suites use, by Debian package name.
DEB_PACKAGES = meson ninja-build pkg-config gcc clang libclang-rt-14-dev python3 \
	libxen-dev libasound2-dev libsystemd-dev libinih-dev \
	xenstore-utils alsa-utils sox

.PHONY: all deps build test fuzz demo bench soak e2e clean help

all: build

help:
	@echo "make demo   play a tone from a simulated guest through vsndbe into ALSA"
	@echo "make test   build with ASan+UBSan and run every suite but bench/soak"
	@echo "            (the real-Xen suite e2e last, about 2.5 minutes)"
	@echo "make fuzz   run every libFuzzer target for FUZZ_SECONDS (default 60) each"
	@echo "make bench  measure vsndbe (P1 CPU per stream, P7 throughput) on a release"
	@echo "            build; the table is printed, JSON in $(BENCH_BUILD)/bench.json"
	@echo "make soak   resources of vsndbe over SOAK_SECONDS (default 120) of load"
	@echo "make e2e    the real-Xen suite alone"

deps:
	@scripts/install-deps.sh $(DEB_PACKAGES)

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Db_sanitize=address,undefined -Db_lundef=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

test: build
	@rc=0; meson test -C $(BUILD) --no-rebuild --print-errorlogs \
		--no-suite bench --no-suite soak $(MESON_TEST_ARGS) || rc=$$?; \
	python3 scripts/test-summary.py $(BUILD)/meson-logs/testlog.json; exit $$rc

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzzing=true -Db_sanitize=address,undefined \
		-Db_lundef=false

fuzz: deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	scripts/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# A simulated guest plays a tone through xensimd, vsndbe and ALSA into a WAV
# file, which is compared with the guest's source (scripts/demo.sh).
demo: build
	scripts/demo.sh $(BUILD)

# vsnd-bench (docs/benchmarks.md) on a release build without sanitizers, so
# that the figures are the daemon's and not the instrumentation's. BENCH_ARGS
# adds options, e.g. BENCH_ARGS="--streams=32 --seconds=30".
$(BENCH_BUILD)/build.ninja:
	meson setup $(BENCH_BUILD) -Dbuildtype=release

bench: deps $(BENCH_BUILD)/build.ninja
	ninja -C $(BENCH_BUILD)
	$(BENCH_BUILD)/tests/bench/vsnd-bench --json=$(BENCH_BUILD)/bench.json $(BENCH_ARGS)

# The soak run (tests/soak): vsndbe's memory, fds, grant mappings and
# threads stay flat over SOAK_SECONDS of guest reboots, OPEN/CLOSE loops and
# a long playback, on the same release build as the bench.
SOAK_SECONDS ?= 120

soak: deps $(BENCH_BUILD)/build.ninja
	ninja -C $(BENCH_BUILD)
	VSND_SOAK_SECONDS=$(SOAK_SECONDS) meson test -C $(BENCH_BUILD) --suite soak \
		--print-errorlogs --verbose

# The real-Xen suite (docs/e2e.md): QEMU -> Xen 4.17 -> dom0 -> PV guests,
# images and results in E2E_DIR, vsnd built without sanitizers in E2E_BUILD.
# `make test` runs it too (suite e2e). E2E_ONLY="dom0 xenif guests" picks steps.
E2E_DIR   ?= build-e2e
E2E_BUILD ?= build-e2e-bin

e2e: deps
	E2E_DIR=$(E2E_DIR) E2E_BUILD=$(E2E_BUILD) tests/e2e/e2e.sh

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(BENCH_BUILD) $(E2E_DIR) $(E2E_BUILD)
