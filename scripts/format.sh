#!/usr/bin/env bash
# Formats Squall's C++ sources with clang-format 14 and the repository's .clang-format.
#   scripts/format.sh            rewrite every tracked .cc/.h file in place
#   scripts/format.sh --check    change nothing; list the files that need formatting and
#                                exit 1 if there are any
#   scripts/format.sh FILE...    format (or with --check, check) only these files
# clang-format is pinned to version 14 because another version lays some code out
# differently, and CI and developers must agree.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
if [ "${1:-}" = "--check" ]; then
  check=1
  shift
fi

tool=$(command -v clang-format-14 || true)
if [ -z "$tool" ]; then
  echo "format.sh: clang-format-14 not found (apt-get install clang-format-14)" >&2
  exit 2
fi

if [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files '*.cc' '*.h')
fi

if [ "$check" -eq 0 ]; then
  printf '%s\0' "${files[@]}" | xargs -0 -n 50 "$tool" -i --style=file
  exit 0
fi

unformatted=()
for f in "${files[@]}"; do
  if ! "$tool" --style=file "$f" | cmp -s - "$f"; then
    unformatted+=("$f")
  fi
done
if [ ${#unformatted[@]} -gt 0 ]; then
  printf 'format.sh: not formatted: %s\n' "${unformatted[@]}" >&2
  echo "format.sh: ${#unformatted[@]} file(s) need formatting; run scripts/format.sh" >&2
  exit 1
fi
echo "format.sh: ${#files[@]} files formatted"
