#!/usr/bin/env bash
# self_test.sh ROOT: proves scripts/check-layering.sh, tests/layering/doc_paths.sh and
# tests/layering/doc_labels.sh are not vacuous. On a scratch copy of ROOT's src/, the check must pass as the tree is,
# and must fail — naming the file and the broken rule — for each violation injected
# below, one at a time; harmless edits (a comment, a member function called read, I/O
# in a test) must still pass.
# shellcheck disable=SC2016  # backquotes in single quotes are Markdown, not expansions
set -u
export LC_ALL=C

ROOT="$(cd "${1:?usage: self_test.sh ROOT}" && pwd)"
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

# inject FILE EDIT: applies the sed program EDIT to FILE (relative to src/), keeping the
# original for restore_all; an edit that changes nothing is an error of this script.
EDITED=()
inject() {
  local file="$WORK/src/$1"
  [[ -f "$file.orig" ]] || { cp "$file" "$file.orig"; EDITED+=("$file"); }
  cp "$file" "$file.before"
  sed -i -e "$2" "$file"
  cmp -s "$file" "$file.before" && bad "the edit '$2' changed nothing in $1 (update the self test)"
  rm -f "$file.before"
}
restore_all() {
  local f
  for f in "${EDITED[@]}"; do mv "$f.orig" "$f"; done
  EDITED=()
}
# expect NAME WANT_RC [TEXT...]: runs the check on the scratch tree; the exit code must
# be WANT_RC and every TEXT must appear in the output (one per injected violation, so
# each is shown to be caught on its own). Restores the tree afterwards.
expect() {
  local name="$1" want_rc="$2" out rc text ok=1
  shift 2
  out="$(bash "$CHECK" "$WORK" 2>&1)"
  rc=$?
  if [[ $rc != "$want_rc" ]]; then
    bad "$name: exit $rc, want $want_rc; output:"$'\n'"$out"
    ok=0
  fi
  for text in "$@"; do
    if [[ "$out" != *"$text"* ]]; then
      bad "$name: output lacks '$text'; output:"$'\n'"$out"
      ok=0
    fi
  done
  [[ $ok == 1 ]] && echo "ok: $name"
  restore_all
}

expect "the unmodified tree passes" 0

# Each violation in its own file, all caught in one run.
# Clocks in the sans-IO folders.
inject coord/model.cc '1a int64_t leak() { return std::chrono::steady_clock::now().time_since_epoch().count(); }'
inject gossip/rounds.cc '1a static long t0 = time(nullptr);'
inject services/lin_kv.cc '1a static squall::SteadyClock c;'
inject node/node.cc '1a static int x = clock_gettime(0, nullptr);'
# I/O, threads, environment.
inject coord/oplog.cc '1a #include <iostream>'
inject gossip/gset.cc '1a static auto& o = std::cout;'
inject services/seq_kv.cc '1a static auto* f = fopen("x", "r");'
inject node/kv_client.cc '1a static auto n = ::write(1, "x", 1);'
inject services/rpc.cc '1a static int s = socket(2, 1, 0);'
inject coord/ops.cc '1a #include <thread>'
inject gossip/overlay.cc '1a static auto* e = std::getenv("X");'
inject gossip/server.cc '1a #include "node/stdio_driver.h"'
# The allow-list is exact: another call in the allow-listed file is caught.
inject gossip/set_replica.cc '1a static int p = printf("x");'
# Layering of #includes.
inject coord/types.cc '1a #include "harness/runner.h"'
inject core/rng.cc '1a #include "history/op.h"'
inject model/kv.cc '1a #include "checker/search.h"'
inject coord/records.cc '1a #include <rapidjson/document.h>'
inject harness/store.cc '1a #include "support/squall_run.h"'
expect "every injected violation is caught" 1 \
  "src/coord/model.cc:2: sans-IO host clock" \
  "src/gossip/rounds.cc:2: sans-IO host clock" \
  "src/services/lin_kv.cc:2: sans-IO host clock" \
  "src/node/node.cc:2: sans-IO host clock" \
  "src/coord/oplog.cc:2: sans-IO I/O header" \
  "src/gossip/gset.cc:2: sans-IO I/O call" \
  "src/services/seq_kv.cc:2: sans-IO I/O call" \
  "src/node/kv_client.cc:2: sans-IO system call" \
  "src/services/rpc.cc:2: sans-IO system call" \
  "src/coord/ops.cc:2: sans-IO thread" \
  "src/gossip/overlay.cc:2: sans-IO environment or entropy" \
  "src/gossip/server.cc:2: sans-IO include of an I/O driver" \
  "src/gossip/set_replica.cc:2: sans-IO I/O call" \
  "src/coord/types.cc:2: layering: coord may not include harness/" \
  "src/core/rng.cc:2: layering: core may not include history/" \
  "src/model/kv.cc:2: layering: model may not include checker/" \
  "src/coord/records.cc:2: layering: coord may not include rapidjson/" \
  "src/harness/store.cc:2: layering: harness may not include support/"

# Harmless edits pass.
inject coord/model.cc '1a // never std::chrono::steady_clock::now(), never std::cout'
inject coord/memory_store.cc '1a struct Reader { int read(int); }; inline int Reader::read(int x) { return x; }'
inject coord/model_test.cc '1a #include <iostream>'
inject harness/store_test.cc '1a #include "support/squall_run.h"'
inject harness/store.cc '1a #include "history/value.h"'
expect "comments, member functions, tests' I/O, transitive includes pass" 0

# Bookkeeping errors, each in its own file, caught in one run: an allow-list entry that
# no longer matches, CMake gaining or losing a dependency the table does not have, and a
# new component missing from the table.
inject gossip/set_replica.cc '/#include <cstdio>/d'
inject coord/CMakeLists.txt 's/DEPS squall_core)/DEPS squall_core squall_net)/'
inject checker/CMakeLists.txt 's/DEPS squall_model squall_rapidjson fmt::fmt)/DEPS squall_model squall_rapidjson)/'
mkdir -p "$WORK/src/extra"
printf 'squall_library(squall_extra\n  SOURCES extra.cc\n  DEPS squall_core)\n' > "$WORK/src/extra/CMakeLists.txt"
expect "stale allow-list line, CMake drift, unlisted component" 1 \
  "ALLOW_LINES entry 'src/gossip/set_replica.cc: #include <cstdio>' matches nothing" \
  "CMake DEPS of squall_coord are [core net]" \
  "CMake DEPS of squall_checker are [model rapidjson]" \
  "component 'extra' is missing from the DEPS table"
rm -rf "$WORK/src/extra"

# A dependency cycle in the table is reported.
sed -i 's/^  \[core\]=""/  [core]="sim"/' "$CHECK"
out="$(bash "$CHECK" "$WORK" 2>&1)"
if [[ $? != 1 || "$out" != *"dependency cycle"* ]]; then
  bad "cycle: want a cycle failure; output:"$'\n'"$out"
else
  echo "ok: dependency cycle"
fi

# doc_paths.sh and doc_labels.sh on a scratch root that links to everything of ROOT but
# docs/ and README.md, which are copies to break.
DOCROOT="$WORK/docroot"
mkdir -p "$DOCROOT"
for entry in "$ROOT"/* "$ROOT"/.[!.]*; do
  case "$(basename "$entry")" in docs | README.md) continue ;; esac
  [[ -e "$entry" ]] && ln -s "$entry" "$DOCROOT/$(basename "$entry")"
done
cp -r "$ROOT/docs" "$DOCROOT/docs"
cp "$ROOT/README.md" "$DOCROOT/README.md"
out="$(bash "$ROOT/tests/layering/doc_labels.sh" "$DOCROOT" 2>&1)" || bad "doc_labels fails on the real documents:"$'\n'"$out"
sed -i 's/^Tests are labelled `unit`, /Tests are labelled `unit`, `slow`, /' "$DOCROOT/README.md"
out="$(bash "$ROOT/tests/layering/doc_labels.sh" "$DOCROOT" 2>&1)"
if [[ $? != 1 || "$out" != *"names [browser cluster corpus etcd fuzz integration slow unit]"* ]]; then
  bad "doc_labels: want a failure for a label no test has; output:"$'\n'"$out"
else
  echo "ok: a promised label that no test has"
fi
out="$(bash "$ROOT/tests/layering/doc_paths.sh" "$DOCROOT" 2>&1)" || bad "doc_paths fails on the real documents:"$'\n'"$out"
echo 'See `src/core/no_such_header.h`.' >> "$DOCROOT/docs/ARCHITECTURE.md"
out="$(bash "$ROOT/tests/layering/doc_paths.sh" "$DOCROOT" 2>&1)"
if [[ $? != 1 || "$out" != *"cites src/core/no_such_header.h, which does not exist"* ]]; then
  bad "doc_paths: want a dead-path failure; output:"$'\n'"$out"
else
  echo "ok: dead path in a document"
fi

if ((failures > 0)); then
  echo "layering self test: $failures case(s) failed"
  exit 1
fi
echo "layering self test: all cases behave"
