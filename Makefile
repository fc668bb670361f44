# The front door. `make` installs what is missing, configures and builds build/dtruss;
# `make demo` traces a real program; `make test` builds and runs the whole suite via ctest;
# `make bench` installs strace, perf and bpftrace and compares dtruss with them (bench/README.md).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps configure build demo test bench clean format regen

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/dtruss -f sh -c 'ls / | wc -l'

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

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
	rm -rf $(BUILD)
