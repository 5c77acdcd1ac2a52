#!/usr/bin/env bash
# check-layering.sh [ROOT]: the architecture rules of docs/ARCHITECTURE.md, checked on
# the sources under ROOT (default: the repository this script lives in).
#
#  1. The sans-IO folders never read a clock and never do I/O: no host clocks, no
#     stdio/iostream/file streams, no system calls, no sockets, no threads, no
#     environment or entropy reads. The few files that legitimately do I/O are listed
#     in ALLOW_FILES / ALLOW_LINES below, each with its reason; an allow-list entry that
#     no longer matches anything is itself an error, so the list cannot go stale.
#  2. #includes follow the layering: a file in src/<c>/ includes "<d>/..." only when d
#     is c or lies in the dependency closure of c (DEPS below). RapidJSON and fmt are
#     part of the table too. Test files may in addition include tests/support headers.
#  3. DEPS agrees with the CMake graph: the table below must equal the DEPS of every
#     squall_library() in src/*/CMakeLists.txt (plus its target_link_libraries lines),
#     and the graph must be acyclic. Change both together.
#
# Prints one line per violation (file:line: rule: text) and exits 1 if there is any,
# 0 otherwise; 2 on bad usage. Run by ctest as `layering_check` (tests/layering).
set -u
export LC_ALL=C

ROOT="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
if [[ ! -d "$ROOT/src" ]]; then
  echo "check-layering: no src/ under '$ROOT'" >&2
  exit 2
fi
cd "$ROOT" || exit 2

# ---- the layering table: direct dependencies, as in each component's CMakeLists.txt ----
# (rapidjson = squall_rapidjson, fmt = fmt::fmt; Threads and GTest are not tracked.)
declare -A DEPS=(
  [core]=""
  [history]="core rapidjson fmt"
  [model]="history coord"
  [checker]="model rapidjson fmt"
  [proto]="core rapidjson"
  [node]="proto"
  [gossip]="node"
  [coord]="core"
  [net]="core proto fmt"
  [workload]="core rapidjson fmt checker model history proto"
  [viz]="core net rapidjson fmt"
  [services]="core proto rapidjson"
  [harness]="core net proto workload viz rapidjson fmt services"
  [serve]="core viz history rapidjson fmt"
  [worker]="coord core"
  [sim]="worker coord core fmt"
  [etcd]="core rapidjson"
  [etcd_store]="coord etcd"
  [cluster]="core history workload harness etcd checker model viz rapidjson fmt"
  [worker_driver]="worker coord etcd_store etcd core rapidjson fmt"
  [worker_audit]="sim worker_driver etcd_store etcd worker coord core fmt"
  [cluster_shard]="cluster worker_audit worker_driver sim etcd_store etcd worker coord core history workload checker model fmt"
  [msim]="gossip harness node services workload net core fmt"
)
# Third-party libraries that appear in the table, by include prefix.
EXTERNAL="rapidjson fmt"

# ---- the sans-IO rule ----
SANS_IO_DIRS=(src/node src/gossip src/coord src/services src/worker)
# Whole files exempt from rule 1 (path, then why).
ALLOW_FILES=(
  "src/node/stdio_driver.cc|the stdio driver: poll/read/write on stdin and stdout, reads the injected clock"
  "src/node/stdio_driver.h|the stdio driver's interface"
)
# Single lines exempt from rule 1: path|ERE matched against the offending line|why.
ALLOW_LINES=(
  "src/gossip/set_replica.cc|#include <cstdio>|std::snprintf formats into a buffer; no I/O"
)
# Forbidden in sans-IO code (ERE, matched on the text before any // comment).
FORBIDDEN=(
  "host clock|(system|steady|high_resolution|utc|tai|gps|file)_clock|SteadyClock"
  "host clock|(^|[^A-Za-z0-9_.>])(time|clock|gettimeofday|clock_gettime|timespec_get|localtime|gmtime)[[:space:]]*\\("
  "I/O header|#[[:space:]]*include[[:space:]]*<(iostream|istream|fstream|cstdio|stdio\\.h|unistd\\.h|fcntl\\.h|poll\\.h|signal\\.h|csignal|filesystem|sys/[a-z_/]+\\.h|netinet/[a-z_]+\\.h|arpa/[a-z_]+\\.h|netdb\\.h|dirent\\.h)>"
  "I/O call|std::(cout|cerr|clog|cin)([^A-Za-z0-9_]|$)|fmt::print|(^|[^A-Za-z0-9_])(printf|fprintf|vprintf|puts|fputs|putchar|fopen|fdopen|freopen|fclose|fread|fwrite|fflush|fgets|fscanf|scanf|perror)[[:space:]]*\\("
  "system call|(^|[^A-Za-z0-9_>])::(read|write|open|openat|close|pipe|pipe2|poll|ppoll|select|dup|dup2|fork|execv|execvp|execve|kill|socket|connect|accept|bind|listen|send|recv|sendto|recvfrom|ioctl|fcntl|usleep|nanosleep|sleep|waitpid|epoll_create1?|epoll_wait|epoll_ctl)[[:space:]]*\\("
  "system call|(^|[^A-Za-z0-9_.>:])(socket|epoll_create1?|epoll_wait|epoll_ctl|fork|execv|execvp|execve|usleep|nanosleep|sleep|waitpid)[[:space:]]*\\("
  "thread|#[[:space:]]*include[[:space:]]*<(thread|mutex|shared_mutex|condition_variable|future|stop_token|semaphore|pthread\\.h)>|std::(j?thread|async|this_thread)([^A-Za-z0-9_]|$)|pthread_[a-z_]+[[:space:]]*\\("
  "environment or entropy|getenv[[:space:]]*\\(|std::random_device|(^|[^A-Za-z0-9_])s?rand[[:space:]]*\\("
)

failures=0
fail() {
  echo "$1"
  failures=$((failures + 1))
}

# Test code: *_test files and a component's testing/ folder (its test scaffolding).
is_test_file() {
  [[ "$1" =~ _test\.(cc|h)$ || "$1" =~ _test_util\.(cc|h)$ || "$1" =~ ^src/[a-z_]+/testing/ ]]
}

# Components that test code of $1 may include besides its own closure: any component
# that does not depend on $1 (below or beside it, never above), and the tracked external
# libraries. Shipped code never includes test code (tests/testing/check_scaffolding.sh).
test_extra_allowed() {
  local c="$1" d out=" $EXTERNAL "
  for d in "${!CLOSURE[@]}"; do
    [[ "${CLOSURE[$d]}" == *" $c "* && "$d" != "$c" ]] || out+="$d "
  done
  echo "$out"
}

# Text without its // comments.
strip_comment() { sed -E 's://.*$::'; }

# ---- rule 1 ----
line_allowed() {  # file, line text: true when an ALLOW_LINES entry covers it
  local entry path line_ere
  for entry in "${ALLOW_LINES[@]}"; do
    path="${entry%%|*}"
    line_ere="${entry#*|}"
    line_ere="${line_ere%|*}"
    if [[ "$path" == "$1" ]] && printf '%s\n' "$2" | grep -Eq -- "$line_ere"; then return 0; fi
  done
  return 1
}

check_sans_io() {
  local f rule hit n text entry path line_ere io_headers="" files=() skip
  # Including an allow-listed I/O header would bring its I/O in by the back door.
  for entry in "${ALLOW_FILES[@]}"; do
    path="${entry%%|*}"
    [[ "$path" == *.h ]] && io_headers+="${io_headers:+|}${path#src/}"
  done
  local rules=("${FORBIDDEN[@]}")
  [[ -n "$io_headers" ]] && rules+=("include of an I/O driver|#[[:space:]]*include[[:space:]]*\"(${io_headers//./\\.})\"")

  while IFS= read -r f; do
    is_test_file "$f" && continue
    skip=0
    for entry in "${ALLOW_FILES[@]}"; do
      [[ "${entry%%|*}" == "$f" ]] && skip=1
    done
    [[ $skip == 1 ]] || files+=("$f")
  done < <(find "${SANS_IO_DIRS[@]}" -type f \( -name '*.cc' -o -name '*.h' \) 2>/dev/null | sort)
  ((${#files[@]} > 0)) || return 0

  # Every line once, as file TAB line TAB text-before-any-// (a "//" inside a string
  # literal ends the text too, which can only hide a match, never invent one); the
  # rules then match the text, which a tab precedes like the start of a line.
  local lines
  lines="$(mktemp "${TMPDIR:-/tmp}/check-layering.XXXXXX")"
  awk '{ t = $0; sub(/\/\/.*$/, "", t); if (t ~ /[^[:space:]]/) printf "%s\t%d\t%s\n", FILENAME, FNR, t }' \
    "${files[@]}" > "$lines"
  for rule in "${rules[@]}"; do
    while IFS=$'\t' read -r f n text; do
      [[ -n "$f" ]] || continue
      line_allowed "$f" "$text" || fail "$f:$n: sans-IO ${rule%%|*}: $text"
    done < <(grep -E -- $'\t'".*(${rule#*|})" "$lines")
  done
  rm -f "$lines"

  # Stale allow-list entries.
  for entry in "${ALLOW_FILES[@]}"; do
    path="${entry%%|*}"
    [[ -f "$path" ]] || fail "scripts/check-layering.sh: ALLOW_FILES names $path, which does not exist"
  done
  for entry in "${ALLOW_LINES[@]}"; do
    path="${entry%%|*}"
    line_ere="${entry#*|}"
    line_ere="${line_ere%|*}"
    if [[ ! -f "$path" ]] || ! strip_comment < "$path" | grep -Eq -- "$line_ere"; then
      fail "scripts/check-layering.sh: ALLOW_LINES entry '$path: $line_ere' matches nothing; remove it"
    fi
  done
}

# ---- the closure of DEPS (transitive dependencies); a component in its own closure is a cycle ----
declare -A CLOSURE=()
compute_closures() {
  local c d e set grew
  for c in "${!DEPS[@]}"; do
    set=" ${DEPS[$c]} "
    grew=1
    while [[ $grew == 1 ]]; do
      grew=0
      for d in $set; do
        for e in ${DEPS[$d]-}; do
          if [[ "$set" != *" $e "* ]]; then
            set+="$e "
            grew=1
          fi
        done
      done
    done
    [[ "$set" == *" $c "* ]] && fail "scripts/check-layering.sh: dependency cycle through '$c' (its closure is:$set)"
    CLOSURE[$c]=" $c$set"
  done
}

# Sorted, space-separated words of $@ (pure bash: the check runs in a tight test loop).
sorted_words() {
  local -a w=() out=()
  local x i j
  for x in "$@"; do w+=("$x"); done
  for ((i = 0; i < ${#w[@]}; i++)); do
    for ((j = i + 1; j < ${#w[@]}; j++)); do
      if [[ "${w[j]}" < "${w[i]}" ]]; then x="${w[i]}"; w[i]="${w[j]}"; w[j]="$x"; fi
    done
  done
  for x in "${w[@]}"; do [[ " ${out[*]} " == *" $x "* ]] || out+=("$x"); done
  echo "${out[*]}"
}

check_table_against_cmake() {
  local c cmake d got want
  declare -A CMAKE_DEPS=()
  # One pass over every component's CMakeLists.txt: "component dependency" pairs from
  # the DEPS of squall_library(squall_<c> ...) and from target_link_libraries(squall_<c> ...).
  while read -r c d; do
    [[ "$d" == "$c" ]] || CMAKE_DEPS[$c]+=" $d"
  done < <(awk '
    FNR == 1 { n = split(FILENAME, parts, "/"); comp = parts[n - 1]; lib = "squall_" comp; inlib = 0; indeps = 0 }
    function emit(text,   k, m, words) {
      m = split(text, words, /[[:space:]]+/)
      for (k = 1; k <= m; k++) {
        if (words[k] == "squall_rapidjson") print comp, "rapidjson"
        else if (words[k] == "fmt::fmt") print comp, "fmt"
        else if (words[k] ~ /^squall_[a-z_]+$/) print comp, substr(words[k], 8)
      }
    }
    { line = $0; sub(/#.*/, "", line) }
    line ~ "squall_library\\(" lib "([[:space:]]|$)" { inlib = 1 }
    inlib {
      if (line ~ /DEPS/) { indeps = 1; sub(/.*DEPS/, "", line) }
      else if (line ~ /SOURCES/) indeps = 0
      if (indeps) { t = line; sub(/\).*/, "", t); emit(t) }
      if (line ~ /\)/) { inlib = 0; indeps = 0 }
      next
    }
    line ~ "target_link_libraries\\(" lib "[[:space:]]" {
      sub(/.*target_link_libraries\(/, "", line); sub(/\).*/, "", line); emit(line)
    }' src/*/CMakeLists.txt)

  for cmake in src/*/CMakeLists.txt; do
    c="${cmake#src/}"
    c="${c%/CMakeLists.txt}"
    if [[ ! -v "DEPS[$c]" ]]; then
      fail "$cmake: component '$c' is missing from the DEPS table of scripts/check-layering.sh"
      continue
    fi
    # shellcheck disable=SC2086  # word splitting intended
    got="$(sorted_words ${CMAKE_DEPS[$c]-})"
    # shellcheck disable=SC2086
    want="$(sorted_words ${DEPS[$c]})"
    [[ "$got" == "$want" ]] ||
      fail "$cmake: CMake DEPS of squall_$c are [$got] but scripts/check-layering.sh says [$want]; update both together"
  done
  for c in "${!DEPS[@]}"; do
    [[ -f "src/$c/CMakeLists.txt" ]] || fail "scripts/check-layering.sh: DEPS names component '$c', which has no src/$c/CMakeLists.txt"
  done
}

# ---- rule 2 ----
check_includes() {
  local hit f n text c target allowed
  compute_closures
  while IFS= read -r hit; do
    f="${hit%%:*}"
    hit="${hit#*:}"
    n="${hit%%:*}"
    text="${hit#*:}"
    c="${f#src/}"
    c="${c%%/*}"
    [[ -v "CLOSURE[$c]" ]] || continue  # reported by the CMake comparison
    [[ "$text" =~ include[[:space:]]*[\"\<]([A-Za-z0-9_]+)/ ]] || continue
    target="${BASH_REMATCH[1]}"
    # Only project components, tests/support and the tracked libraries are layered.
    [[ -d "src/$target" || "$target" == "support" || " $EXTERNAL " == *" $target "* ]] || continue
    allowed="${CLOSURE[$c]}"
    is_test_file "$f" && allowed+=" support $(test_extra_allowed "$c")"
    # shellcheck disable=SC2086  # word splitting intended
    [[ "$allowed" == *" $target "* ]] ||
      fail "$f:$n: layering: $c may not include $target/ (allowed: $(sorted_words ${CLOSURE[$c]/ $c / }))"
  done < <(find src -type f \( -name '*.cc' -o -name '*.h' \) -print0 | sort -z |
           xargs -0 grep -nHE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<][A-Za-z0-9_]+/')
}

check_table_against_cmake
check_sans_io
check_includes

if ((failures > 0)); then
  echo "check-layering: $failures violation(s); see docs/ARCHITECTURE.md for the rules"
  exit 1
fi
components=(src/*/CMakeLists.txt)
echo "check-layering: ok (sans-IO: ${SANS_IO_DIRS[*]}; layering of ${#components[@]} components)"
exit 0
