#!/usr/bin/env bash
# The whole test suite: install, build, run every test (unit, golden,
# malformed corpus, kernel agreement in network namespaces), then the
# policy loader under AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
(cd build && ctest --output-on-failure)

echo "== sanitizer build: unit tests and the malformed corpus under ASan/UBSan"
scripts/build.sh build-asan -DFWC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -R 'unit|malformed-corpus|golden-nftables|loader-replay')
