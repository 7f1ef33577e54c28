# Gatehouse: the two commands are `make run` and `make check`.
# Meson does the building; this file installs what is missing and drives it.
#   make          release build (hardened) at build/gatehouse
#   make run      init ./var if needed, print the portal and console URLs
#                 and the next step, then serve on 127.0.0.1:8443 / :9443
#   make check    the release build, then every test: unit + API under
#                 ASan/UBSan, fuzz replay + short fuzz runs, browser tests,
#                 source checks
#   make bench-load  the load benchmarks (floods, slow clients, lists at
#                 a million tickets, keep-alive), figures beside baselines
#   make eval     the four detection figures (IDN, phishing URLs, Presidio,
#                 gitleaks) on ../shared/eval/dev, or on EVAL_DIR=path (a
#                 directory with the same files)
BUILD   ?= build
SAN     ?= build-san
FUZZ    ?= build-fuzz
DIR     ?= var
MESON   ?= meson
EVAL_DIR ?= ../shared/eval/dev

.PHONY: all deps test-deps run check checksrc bench bench-load eval model model-check clean

all: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	@scripts/install-deps

test-deps:
	@scripts/install-deps --test

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --buildtype=release -Db_pie=true >/dev/null

$(SAN)/build.ninja:
	$(MESON) setup $(SAN) --buildtype=debug -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null

run: all
	@test -f $(DIR)/gatehouse.conf || $(BUILD)/gatehouse init --dir $(DIR)
	@scripts/run-banner $(BUILD)/gatehouse $(DIR)
	$(BUILD)/gatehouse serve --dir $(DIR)

# The release build too: `make run` uses it, and -O3 finds warnings
# (format truncation) that the debug build does not.
check: test-deps $(SAN)/build.ninja $(BUILD)/build.ninja
	ninja -C $(BUILD)
	ninja -C $(SAN)
	scripts/checksrc
	scripts/run-tests $(SAN)

# Source rules kept by tools: banned calls, SQL from strings, function and
# file length, include direction (scripts/checksrc, scripts/checkshape.py).
checksrc:
	scripts/checksrc

# The link model (src/core/phish/urlmodel_weights.c) from the dev URL set
# only, by tools/train_url_model.py (plain Python 3, no other dependency):
#   make model        retrain, print the cross-validated figures, rewrite it
#   make model-check  fail unless the checked-in table is what the script makes
EVAL_DEV ?= ../shared/eval/dev
MODEL_ARGS = --features $(SAN)/gh-url-features \
	--data $(EVAL_DEV)/phishing_urls.csv --out src/core/phish/urlmodel_weights.c

model: $(SAN)/build.ninja
	ninja -C $(SAN) gh-url-features
	python3 tools/train_url_model.py $(MODEL_ARGS)

model-check: $(SAN)/build.ninja
	ninja -C $(SAN) gh-url-features
	python3 tools/train_url_model.py $(MODEL_ARGS) --check

bench: all
	scripts/run-bench $(BUILD)

# The load benchmarks of issue 14 (bench/load_*.c, wrk): each starts the
# release server on loopback and prints its figures beside a same-run
# baseline; about ten minutes in all (docs/operations.md, "Capacity").
bench-load: test-deps $(BUILD)/build.ninja
	ninja -C $(BUILD)
	scripts/run-bench-load $(BUILD)

# Builds bench_eval (in the test build) and prints the summary; run it
# with `$(SAN)/bench/bench_eval [-v] DIR` for every figure behind it.
eval: $(SAN)/build.ninja
	@ninja -C $(SAN) bench/bench_eval gh-url-features >/dev/null
	@$(SAN)/bench/bench_eval --summary $(EVAL_DIR)
	@python3 tools/train_url_model.py $(MODEL_ARGS) \
		--score $(EVAL_DIR)/phishing_urls.csv

clean:
	rm -rf $(BUILD) $(SAN) $(FUZZ)
