#!/usr/bin/env bash
# self_test.sh ROOT: proves scripts/check-layering.sh is not vacuous. On a scratch copy
# of ROOT's src/, the check must pass as the tree is, and must fail — naming the file
# and the broken rule — for each violation injected below, one at a time; a few
# harmless edits (a comment, a member function called read) must still pass.
set -u
export LC_ALL=C

ROOT="${1:?usage: self_test.sh ROOT}"
SCRIPT="$ROOT/scripts/check-layering.sh"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/squall-layering.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$WORK/scripts"
cp -r "$ROOT/src" "$WORK/src"
cp "$SCRIPT" "$WORK/scripts/"
CHECK="$WORK/scripts/check-layering.sh"

failures=0
bad() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# run_case NAME FILE EDIT WANT_RC [WANT_TEXT]: applies the sed program EDIT to FILE (relative
# to src/), runs the check, compares the exit code and looks for WANT_TEXT in the
# output, then restores the file.
run_case() {
  local name="$1" file="$WORK/src/$2" edit="$3" want_rc="$4" want_text="${5:-}" out rc
  cp "$file" "$file.orig"
  sed -i -e "$edit" "$file"
  if cmp -s "$file" "$file.orig"; then
    bad "$name: the edit changed nothing in $2 (update the self test)"
  else
    out="$(bash "$CHECK" "$WORK" 2>&1)"
    rc=$?
    if [[ $rc != "$want_rc" ]]; then
      bad "$name: exit $rc, want $want_rc; output:"$'\n'"$out"
    elif [[ -n "$want_text" && "$out" != *"$want_text"* ]]; then
      bad "$name: output lacks '$want_text'; output:"$'\n'"$out"
    else
      echo "ok: $name"
    fi
  fi
  mv "$file.orig" "$file"
}

out="$(bash "$CHECK" "$WORK" 2>&1)" || bad "the unmodified tree fails the check:"$'\n'"$out"

# Clocks in the sans-IO folders.
run_case "steady_clock in coord" coord/model.cc \
  '1a int64_t leak() { return std::chrono::steady_clock::now().time_since_epoch().count(); }' \
  1 "src/coord/model.cc:2: sans-IO host clock"
run_case "time() in gossip" gossip/rounds.cc '1a static long t0 = time(nullptr);' 1 "sans-IO host clock"
run_case "SteadyClock in services" services/lin_kv.cc '1a static squall::SteadyClock c;' 1 "sans-IO host clock"
run_case "clock_gettime in node" node/node.cc '1a static int x = clock_gettime(0, nullptr);' 1 "sans-IO host clock"
# I/O.
run_case "iostream in coord" coord/oplog.cc '1a #include <iostream>' 1 "src/coord/oplog.cc:2: sans-IO I/O header"
run_case "std::cout in gossip" gossip/gset.cc '1a static auto& o = std::cout;' 1 "sans-IO I/O call"
run_case "fopen in services" services/seq_kv.cc '1a static auto* f = fopen("x", "r");' 1 "sans-IO I/O call"
run_case "write syscall in node" node/kv_client.cc '1a static auto n = ::write(1, "x", 1);' 1 "sans-IO system call"
run_case "socket in services" services/rpc.cc '1a static int s = socket(2, 1, 0);' 1 "sans-IO system call"
run_case "thread in coord" coord/ops.cc '1a #include <thread>' 1 "sans-IO thread"
run_case "getenv in gossip" gossip/overlay.cc '1a static auto* e = std::getenv("X");' 1 "sans-IO environment"
run_case "stdio driver header in gossip" gossip/server.cc '1a #include "node/stdio_driver.h"' 1 "include of an I/O driver"
# The allow-list is exact: the same call elsewhere in the allow-listed file is caught,
# and an entry that no longer matches is reported.
run_case "printf next to the allowed cstdio" gossip/set_replica.cc '1a static int p = printf("x");' 1 "sans-IO I/O call"
run_case "stale allow-list line" gossip/set_replica.cc '/#include <cstdio>/d' 1 "matches nothing"
# Harmless edits pass.
run_case "clock named in a comment" coord/model.cc '1a // never std::chrono::steady_clock::now(), never std::cout' 0
run_case "tests may do I/O" coord/model_test.cc '1a #include <iostream>' 0
run_case "test files may include tests/support" harness/store_test.cc '1a #include "support/squall_run.h"' 0
# Layering of #includes.
run_case "coord includes harness" coord/types.cc '1a #include "harness/runner.h"' 1 \
  "src/coord/types.cc:2: layering: coord may not include harness/"
run_case "core includes history" core/rng.cc '1a #include "history/op.h"' 1 "layering: core may not include history/"
run_case "model includes checker (upwards)" model/kv.cc '1a #include "checker/search.h"' 1 "layering: model may not include checker/"
run_case "coord includes rapidjson" coord/ops.cc '1a #include <rapidjson/document.h>' 1 "layering: coord may not include rapidjson/"
run_case "production code includes tests/support" harness/store.cc '1a #include "support/squall_run.h"' 1 \
  "layering: harness may not include support/"
run_case "transitive dependency is allowed" harness/store.cc '1a #include "history/value.h"' 0
# The table must follow CMake.
run_case "CMake gains a dependency" coord/CMakeLists.txt 's/DEPS squall_core)/DEPS squall_core squall_net)/' 1 \
  "CMake DEPS of squall_coord are [core net]"
run_case "CMake loses a dependency" checker/CMakeLists.txt 's/DEPS squall_model fmt::fmt)/DEPS squall_model)/' 1 \
  "CMake DEPS of squall_checker are [model]"

# A new component must be added to the table.
mkdir -p "$WORK/src/extra"
printf 'squall_library(squall_extra\n  SOURCES extra.cc\n  DEPS squall_core)\n' > "$WORK/src/extra/CMakeLists.txt"
out="$(bash "$CHECK" "$WORK" 2>&1)"
if [[ $? != 1 || "$out" != *"component 'extra' is missing from the DEPS table"* ]]; then
  bad "new component: want a missing-table failure; output:"$'\n'"$out"
else
  echo "ok: new component"
fi
rm -rf "$WORK/src/extra"

# A dependency cycle in the table is reported.
sed -i 's/^  \[core\]=""/  [core]="sim"/' "$CHECK"
out="$(bash "$CHECK" "$WORK" 2>&1)"
if [[ $? != 1 || "$out" != *"dependency cycle"* ]]; then
  bad "cycle: want a cycle failure; output:"$'\n'"$out"
else
  echo "ok: dependency cycle"
fi

if ((failures > 0)); then
  echo "layering self test: $failures case(s) failed"
  exit 1
fi
echo "layering self test: all cases behave"
