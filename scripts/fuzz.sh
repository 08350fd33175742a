#!/usr/bin/env bash
# Bounded libFuzzer runs under ASan+UBSan, one harness after the other:
#   loader   fuzz/loader_fuzz.cpp: the policy front end
#   compile  fuzz/compile_fuzz.cpp: the front end, then every target of the
#            registry for every node and role, and explain
# seeded from the example policies, the malformed corpus, the golden cases,
# fuzz/seeds/ and fuzz/regressions/ (the compile harness also gets each seed
# policy with its list files and fragments appended). Builds build-fuzz/.
#   scripts/fuzz.sh [SECONDS [HARNESS...]]   (default 60 per harness, both;
#                                            FWC_FUZZ_SECONDS also works)
# Exits 77 when no clang with libFuzzer is installed. A crash, leak or
# timeout fails the run and leaves the input in build-fuzz/artifacts/: add
# it to fuzz/regressions/ once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FWC_FUZZ_SECONDS:-60}}
shift || true
harnesses=(loader compile)
[ $# -eq 0 ] || harnesses=("$@")
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
targets=()
for h in "${harnesses[@]}"; do targets+=("fwc_${h}_fuzz"); done
ninja -C build-fuzz -j2 "${targets[@]}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p build-fuzz/artifacts
rm -f build-fuzz/artifacts/*
status=0
for h in "${harnesses[@]}"; do
  corpus=build-fuzz/corpus-$h
  [ "$h" = loader ] && corpus=build-fuzz/corpus
  mkdir -p "$corpus"
  seeds=(policies tests/malformed tests/golden/cases fuzz/seeds fuzz/regressions)
  if [ "$h" = compile ]; then
    rm -rf build-fuzz/seeds-bundled
    fuzz/bundle_seeds.sh "$PWD/build-fuzz/seeds-bundled"
    seeds+=(build-fuzz/seeds-bundled)
  fi
  echo "== fuzz: $h harness for ${seconds}s"
  build-fuzz/fuzz/fwc_${h}_fuzz -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -dict=fuzz/policy.dict -artifact_prefix=build-fuzz/artifacts/ \
    "$corpus" "${seeds[@]}" >"build-fuzz/fuzz-$h.log" 2>&1 || status=$?
  grep -v -e 'NEW ' -e 'REDUCE ' -e 'pulse ' -e 'Uses: ' -e '^###' "build-fuzz/fuzz-$h.log" | tail -30
  [ "$status" -eq 0 ] || break
done
if [ "$status" -ne 0 ] || compgen -G "build-fuzz/artifacts/*" >/dev/null; then
  echo "fuzz: failed (status $status); inputs in build-fuzz/artifacts/:" >&2
  ls -l build-fuzz/artifacts/ >&2
  exit 1
fi
echo "fuzz: no crash in ${seconds}s per harness (${harnesses[*]})"
