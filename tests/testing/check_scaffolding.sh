#!/usr/bin/env bash
# Checks where test scaffolding lives (see CMake's squall_testing_library):
#   1. helpers sit in a testing/ folder and are named for what they are: no
#      *_test_util.* or *_test.h files;
#   2. a header under src/ that only tests and benchmarks include lives in testing/;
#   3. shipped code (src/ outside testing/ and *_test.cc, apps/) includes no testing/
#      header;
#   4. tests start processes only through core/testing/subprocess.h.
# Usage: check_scaffolding.sh <source dir>. Prints each violation as file:line: rule and
# exits 1 if there is any.
set -uo pipefail
cd "${1:?usage: check_scaffolding.sh <source dir>}" || exit 2

failures=0
fail() {
  echo "$1"
  failures=$((failures + 1))
}

is_test_file() {  # tests, test helpers and benchmarks
  case "$1" in
    *_test.cc | */testing/* | tests/* | bench/*) return 0 ;;
    *) return 1 ;;
  esac
}

sources=$(find src apps tests bench fuzz -type f \( -name '*.h' -o -name '*.cc' \) 2>/dev/null | sort)

# 1. File names.
for f in $sources; do
  case "$f" in
    *_test_util.* | *_test.h) fail "$f:1: test helper outside the naming rule (use <component>/testing/<what>.h)" ;;
  esac
done

# 2. Headers only tests include. A library's public header whose first shipped user is
# still to be written is listed here with that user; an entry whose header has gained a
# shipped user is itself an error, so the list cannot go stale.
AWAITING_SHIPPED_USER=(
)
awaiting() {
  local e
  for e in "${AWAITING_SHIPPED_USER[@]}"; do [ "${e%%|*}" = "$1" ] && return 0; done
  return 1
}
for h in $(echo "$sources" | grep '^src/.*\.h$' | grep -v '/testing/'); do
  inc=${h#src/}
  users=$(grep -rlF "#include \"$inc\"" $sources | grep -vx "${h%.h}.cc")
  shipped=0
  for u in $users; do is_test_file "$u" || shipped=1; done
  if awaiting "$h"; then
    [ "$shipped" = 1 ] && fail "$h:1: has a shipped user now; remove it from AWAITING_SHIPPED_USER"
    continue
  fi
  [ -z "$users" ] && continue
  [ "$shipped" = 0 ] && fail "$h:1: included only by tests and benchmarks ($(echo $users | tr ' ' ',')); move it to a testing/ folder"
done

# 3. Shipped code never includes scaffolding.
for f in $sources; do
  is_test_file "$f" && continue
  case "$f" in tests/* | bench/* | fuzz/*) continue ;; esac
  grep -nH '#include "[^"]*/testing/' "$f" | while IFS= read -r hit; do
    echo "${hit%%:#*}: shipped code includes test scaffolding"
  done | grep . && failures=$((failures + 1))
done

# 4. One subprocess helper: no other test starts processes itself.
pattern='(^|[^.>:A-Za-z0-9_]|[^A-Za-z0-9_]::|std::)(popen|fork|vfork|posix_spawnp?|system|execv|execvp|execl|execlp)[[:space:]]*\('
for f in $sources; do
  is_test_file "$f" || continue
  case "$f" in bench/* | src/core/testing/subprocess.*) continue ;; esac
  grep -nHE "$pattern" "$f" | while IFS= read -r hit; do
    echo "$(echo "$hit" | cut -d: -f1-2): starts a process; use core/testing/subprocess.h"
  done | grep . && failures=$((failures + 1))
done

if [ "$failures" -gt 0 ]; then
  echo "test scaffolding: $failures violation(s)"
  exit 1
fi
echo "test scaffolding: ok"
