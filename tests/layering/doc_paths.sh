#!/usr/bin/env bash
# doc_paths.sh ROOT: every repository path that docs/*.md and CONTRIBUTING.md cite
# (src/..., apps/..., tests/..., scripts/..., bench/..., fuzz/..., cmake/..., docs/...)
# exists, so the documents cannot silently point at renamed or deleted files.
# Placeholders (<component>, *) are skipped. Exit 1 listing the dead paths.
set -u
export LC_ALL=C
ROOT="${1:?usage: doc_paths.sh ROOT}"
cd "$ROOT" || exit 2

docs=(CONTRIBUTING.md docs/*.md)
missing=0
checked=0
for doc in "${docs[@]}"; do
  if [[ ! -f "$doc" ]]; then
    echo "$doc: missing"
    missing=$((missing + 1))
    continue
  fi
  while IFS=: read -r n path; do
    path="${path%%[.,;:)]}"       # sentence punctuation after a path
    path="${path%%[.,;:)]}"
    [[ "$path" == *"<"* || "$path" == *"*"* || "$path" == *"{"* ]] && continue
    checked=$((checked + 1))
    if [[ ! -e "$path" ]]; then
      echo "$doc:$n: cites $path, which does not exist"
      missing=$((missing + 1))
    fi
  done < <(grep -noE '(^|[^A-Za-z0-9_./-])(src|apps|tests|scripts|bench|fuzz|cmake|docs)/[A-Za-z0-9_./<>*{}-]*' "$doc" |
           sed -E 's/^([0-9]+):[^a-z]?/\1:/')
done
if ((missing > 0)); then
  echo "doc_paths: $missing dead path(s)"
  exit 1
fi
echo "doc_paths: ok ($checked paths in ${#docs[@]} documents)"
