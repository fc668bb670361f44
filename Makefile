# The front door. `make` installs what is missing, configures and builds build/dtruss;
# `make demo` traces a real program; `make test` builds and runs the whole suite via ctest;
# `make install` installs dtruss, its man page and completions under PREFIX (DESTDIR honoured);
# `make deb` builds a Debian package in $(BUILD).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
PREFIX ?= /usr/local

.PHONY: all deps configure build demo test clean format regen install deb

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

# dtruss and what installs with it (man page, completions), not the test suite.
install: configure
	@cmake --build $(BUILD) -j $(JOBS) --target dtruss
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

deb: configure
	@cmake --build $(BUILD) -j $(JOBS) --target dtruss
	cd $(BUILD) && cpack -G DEB
	@ls $(BUILD)/dtruss_*.deb

regen:
	python3 src/syscalls/gen_syscalls.py --strict

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h' '*.c')

clean:
	rm -rf $(BUILD)
