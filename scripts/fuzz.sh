#!/usr/bin/env bash
# Bounded libFuzzer run of the policy loader (fuzz/loader_fuzz.cpp) under
# ASan+UBSan, seeded from the example policies, the malformed corpus, the
# golden cases and fuzz/regressions/. Builds build-fuzz/ with clang.
#   scripts/fuzz.sh [SECONDS]      (default 60; FWC_FUZZ_SECONDS also works)
# Exits 77 when no clang with libFuzzer is installed. A crash, leak or
# timeout fails the run and leaves the input in build-fuzz/artifacts/: add
# it to fuzz/regressions/ once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FWC_FUZZ_SECONDS:-60}}
cxx=""
for c in clang++-14 clang++; do
  if command -v "$c" >/dev/null; then cxx=$c; break; fi
done
if [ -z "$cxx" ] || ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
    "$cxx" -x c++ -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then
  echo "fuzz: no clang with libFuzzer (apt-get install clang-14 libclang-rt-14-dev); skipped"
  exit 77
fi
cmake -S . -B build-fuzz -G Ninja -DFWC_FUZZ=ON -DFWC_TESTS=OFF -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build-fuzz -j2 fwc_loader_fuzz
mkdir -p build-fuzz/corpus build-fuzz/artifacts
rm -f build-fuzz/artifacts/*
echo "== fuzz: policy loader for ${seconds}s"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
build-fuzz/fuzz/fwc_loader_fuzz -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
  -print_final_stats=1 -dict=fuzz/policy.dict -artifact_prefix=build-fuzz/artifacts/ \
  build-fuzz/corpus policies tests/malformed tests/golden/cases fuzz/regressions >build-fuzz/fuzz.log 2>&1 ||
  status=$?
grep -v -e 'NEW ' -e 'REDUCE ' -e 'pulse ' -e 'Uses: ' -e '^###' build-fuzz/fuzz.log | tail -30
if [ "$status" -ne 0 ] || compgen -G "build-fuzz/artifacts/*" >/dev/null; then
  echo "fuzz: failed (status $status); inputs in build-fuzz/artifacts/:" >&2
  ls -l build-fuzz/artifacts/ >&2
  exit 1
fi
echo "fuzz: no crash in ${seconds}s"
