# The front door. `make` installs what is missing, configures and builds build/dtruss and the
# tests; `make demo` installs only what dtruss needs, builds dtruss alone and traces a real
# program; `make test` installs what the tests run, builds and runs the whole suite via ctest, then
# the same suite built with ASan/UBSan (build-asan/), then each libFuzzer target (build-fuzz/,
# clang) for FUZZ_SECONDS seconds. Any sanitizer report or fuzzer crash fails `make test`.
# `make install` installs dtruss, its man page and completions under PREFIX (DESTDIR honoured);
# `make deb` builds a Debian package in $(BUILD).
# `make bench` installs strace, perf and bpftrace and compares dtruss with them (bench/README.md).
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
FUZZ_TARGETS = decode options ring capture
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
PREFIX ?= /usr/local

.PHONY: all deps test-deps configure build demo test test-main test-asan test-fuzz bench clean format regen install deb

all: build

deps:
	@scripts/install-deps.sh

test-deps: deps
	@scripts/install-test-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: configure
	@cmake --build $(BUILD) -j $(JOBS) --target dtruss
	$(BUILD)/dtruss -f sh -c 'ls / | wc -l'

test: test-main test-asan test-fuzz

test-main: test-deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# dtruss and what installs with it (man page, completions), not the test suite.
install: configure
	@cmake --build $(BUILD) -j $(JOBS) --target dtruss
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

deb: configure
	@scripts/apt-install.sh make-deb dpkg-dev file
	@cmake --build $(BUILD) -j $(JOBS) --target dtruss
	cd $(BUILD) && cpack -G DEB
	@ls $(BUILD)/dtruss_*.deb

# LeakSanitizer is part of ASan on Linux: a leak fails the test that leaked.
test-asan: test-deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DDTRUSS_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

# Each target runs on its seed corpus (fuzz/corpus/NAME, read only: new inputs go to a scratch
# copy) for FUZZ_SECONDS; a crash, leak or sanitizer report leaves crash-* and fails.
test-fuzz: test-deps
	@CC=clang CXX=clang++ cmake -S fuzz -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@for t in $(FUZZ_TARGETS); do \
	  rm -rf $(FUZZ_BUILD)/work-$$t && mkdir -p $(FUZZ_BUILD)/work-$$t && \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s" && \
	  $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -close_fd_mask=3 -print_final_stats=0 \
	    -artifact_prefix=$(FUZZ_BUILD)/ $(FUZZ_BUILD)/work-$$t fuzz/corpus/$$t 2>$(FUZZ_BUILD)/fuzz_$$t.log \
	    || { tail -60 $(FUZZ_BUILD)/fuzz_$$t.log; exit 1; }; \
	done

# Not part of `make test`: minutes long, and its numbers depend on the machine. BENCH_ARGS is
# passed to bench/run.py, e.g. make bench BENCH_ARGS='--quick' or '--workloads getppid --rounds 3'.
BENCH_ARGS ?=
bench: build
	@scripts/install-bench-deps.sh
	python3 bench/run.py --dtruss $(BUILD)/dtruss $(BENCH_ARGS)

regen:
	python3 src/syscalls/gen_syscalls.py --strict

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h' '*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
