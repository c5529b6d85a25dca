# Precedent — build, demo, tests. `make demo` and `make test` do all set-up.
SHELL := /bin/bash
GO ?= go
REPO := $(CURDIR)
export CGO_ENABLED := 1
export CGO_LDFLAGS := -L$(REPO)/third_party/lib
export PRECEDENT_PJRT_DIR ?= $(REPO)/third_party/pjrt
export GOMLX_NO_AUTO_INSTALL := 1
# The Python reference (PyPI torch with MKL + sentence-transformers), shared by clones.
export PRECEDENT_PYREF ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/precedent/pyref
# Infinity (infinity-emb), another serving engine, for TestInfinitySameOrder; borrows pyref's torch.
export PRECEDENT_INFINITY ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/precedent/infinity
# Tests fail, rather than skip, when a set-up asset is missing.
test: export PRECEDENT_REQUIRE_ASSETS := 1
# Behind a TLS-intercepting proxy: PRECEDENT_CA_BUNDLE=/path/corp-root.pem make demo
# makes pip, cargo, Go and curl trust the corporate root during set-up.
ifneq ($(PRECEDENT_CA_BUNDLE),)
export SSL_CERT_FILE := $(PRECEDENT_CA_BUNDLE)
export PIP_CERT := $(PRECEDENT_CA_BUNDLE)
export CARGO_HTTP_CAINFO := $(PRECEDENT_CA_BUNDLE)
export REQUESTS_CA_BUNDLE := $(PRECEDENT_CA_BUNDLE)
export CURL_CA_BUNDLE := $(PRECEDENT_CA_BUNDLE)
endif
TICKETS ?= 20000
TEST_TIMEOUT ?= 25m

.PHONY: setup deps tokenizers weights pjrt onnxruntime pyref infinity build cli desktop demo test race vet fmt-check bench loadtest package app clean fuzz

setup: deps tokenizers weights pjrt onnxruntime

deps:
	@scripts/install-deps.sh

tokenizers:
	@scripts/build-tokenizers.sh

weights:
	@scripts/fetch-weights.sh

pjrt:
	@scripts/fetch-pjrt.sh

# ONNX Runtime's shared library (PyPI onnxruntime wheel): the inference
# fallback when no PJRT plugin loads.
onnxruntime:
	@scripts/fetch-onnxruntime.sh

# PyPI's torch (MKL) and sentence-transformers in a cached venv: the reference
# for the export check and the bench's PyTorch rows (several GiB, downloaded
# once); make test and make bench need it, make demo does not.
pyref:
	@scripts/setup-pyref.sh

# Infinity (infinity-emb on PyPI) in a cached venv of its own that borrows
# pyref's torch (about 660 MB and a minute more): TestInfinitySameOrder loads
# an export in it and compares its /rerank order with serve's. make test needs it.
infinity: pyref
	@scripts/setup-infinity.sh

build: cli desktop

cli: setup
	$(GO) build -o bin/precedent ./cmd/precedent

desktop: setup
	$(GO) build -o bin/precedent-desktop .

# The demo runs in $PRECEDENT_HOME (default: the platform's app-data folder);
# run it again to resume an interrupted demo or to print its table.
demo: cli
	bin/precedent demo --tickets $(TICKETS) $(DEMO_FLAGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

test: setup pyref infinity fmt-check vet
	$(GO) test -timeout $(TEST_TIMEOUT) ./...

# The race detector over the packages with concurrency: the app's jobs and
# the project settings they share with the UI, the UI's job runner and
# panels, the team server's batcher and shutdown, the store, training's
# cancellation and resume.
# Every test of serve, ml/train and data/store runs. app and ui together take
# over 25 minutes under -race on a 2-core machine (TestMonitorExportAndRetrain
# alone 9 min, TestTrainEvaluateExport 6), so they run with -short, which
# skips the monitor, real-archive and UI training tests, and RACE_SKIP drops
# three app tests that train or embed on one goroutine (bi-encoder,
# fine-tune folder, dense first stages): what stays covers the jobs, the
# settings (TestSettingsConcurrent, TestSettingsSaveWhileJobRuns), import,
# training's cancel and resume (TestPipelineEndToEnd) and every UI flow.
# -race turns on the compiler's checkptr instrumentation too; gomlx's pure-Go
# matmul kernels (github.com/gomlx/compute, a dependency) walk tensors with
# uintptr arithmetic that checkptr rejects ("pointer arithmetic result points
# to invalid allocation") although it is no data race, so checkptr alone is
# off for that module; it stays race-instrumented.
RACE_FLAGS := -race -gcflags='github.com/gomlx/compute/...=-d=checkptr=0' -timeout $(TEST_TIMEOUT)
RACE_SKIP ?= ^(TestTrainBiEncoderAndScores|TestFineTuneCrossEncoderFolder|TestDenseFirstStages)$$
race: export PRECEDENT_REQUIRE_ASSETS := 1
race: setup
	$(GO) test $(RACE_FLAGS) ./serve ./ml/train ./data/store
	$(GO) test $(RACE_FLAGS) -short -skip '$(RACE_SKIP)' ./app ./ui

# Fuzzing (not part of `make test`, whose runs replay the seed corpora and
# testdata/fuzz/ regressions): each target in turn for FUZZTIME, one worker,
# at low priority. A crash lands in the package's testdata/fuzz/ as a new
# regression input.
FUZZTIME ?= 10m
FUZZ_TARGETS := data/importer:FuzzReadCSV data/importer:FuzzReadJSONL data/importer:FuzzReadJSON \
	data/importer:FuzzReadXLSX data/importer:FuzzParseTime data/importer:FuzzParseMapping data/mining:FuzzReferences
fuzz:
	@rc=0; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; echo "== $$name ($$pkg, $(FUZZTIME)) $$(date -u +%H:%M:%S)"; \
		nice -n 15 $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -parallel 1 ./$$pkg || rc=1; \
	done; exit $$rc

# One run, one machine: speed targets with PyTorch references measured alongside
# (BENCH_FLAGS=--quick for a smoke test, --json for one JSON object, --only ROWS).
bench: setup pyref
	$(GO) run ./cmd/precedent bench $(BENCH_FLAGS)
	@$(MAKE) --no-print-directory loadtest LOADTEST_FLAGS="$(LOADTEST_FLAGS) $(filter --json,$(BENCH_FLAGS)) $(if $(filter --quick,$(BENCH_FLAGS)),--duration 5s --warmup 2s)"

# Team server load test (README "Team server"): serves LOADTEST_MODEL on loopback in-process and
# loads it; prints throughput, p50/p95/p99, errors by class, RSS before/after. The default is the
# starting checkpoint with an untrained head (a fine-tuned export of it does the same arithmetic);
# LOADTEST_MODEL=DIR loads an export instead.
LOADTEST_MODEL ?= models/all-MiniLM-L6-v2
LOADTEST_FLAGS ?= --clients 8 --duration 30s --warmup 15s --candidates 20
loadtest: setup
	$(GO) run ./cmd/precedent loadtest --model $(LOADTEST_MODEL) $(LOADTEST_FLAGS)

# The desktop app as an installable Linux archive (fyne package), in build/dist/.
package: setup
	fyne-cross/package-linux.sh

# Precedent.app for Apple silicon, in build/dist/: fyne package, the XLA Metal
# plugin in Contents/Frameworks, ad-hoc signed. Needs a Mac (see fyne-cross/).
ifeq ($(shell uname -s),Darwin)
app: setup
	fyne-cross/package-darwin.sh
else
app:
	@echo "make app builds Precedent.app and needs a Mac (macOS 13+, Apple silicon, Xcode command line tools)."
	@echo "Run it there (fyne-cross/MAC-CHECKLIST.md), or cross-build with a macOS SDK image: fyne-cross/README.md."
	@echo "On Linux, make package builds the Linux archive."
	@exit 1
endif

clean:
	rm -rf bin
