#!/usr/bin/env bash
# doc_labels.sh ROOT: the test labels README.md and CONTRIBUTING.md promise are exactly
# the labels the build gives tests (the LABELS of every CMakeLists.txt), so a document
# cannot offer `ctest -L <label>` for a label no test has, nor hide one that exists.
set -u
export LC_ALL=C
ROOT="${1:?usage: doc_labels.sh ROOT}"
cd "$ROOT" || exit 2

# Labels in the build: the words after LABELS (cmake/squall.cmake only forwards them).
built="$(find -L . -name CMakeLists.txt -not -path './build*' -print0 | xargs -0 cat |
  grep -oE 'LABELS[[:space:]]+[A-Za-z0-9_ ;"]+' | sed -E 's/^LABELS[[:space:]]+//; s/[";]/ /g' |
  tr ' ' '\n' | grep -E '^[a-z0-9_]+$' | sort -u | tr '\n' ' ')"
# README: the `...` words of its "Tests are labelled" sentence.
# shellcheck disable=SC2016  # the backquotes are Markdown, not expansions
readme="$(grep -E 'Tests are labelled' README.md | grep -oE '`[a-z0-9_]+`' | tr -d '`' | sort -u | tr '\n' ' ')"
# CONTRIBUTING.md: the first column of the table in its "### Labels" section.
# shellcheck disable=SC2016
contributing="$(awk '/^### Labels/ { on = 1; next } on && /^#/ { on = 0 } on' CONTRIBUTING.md |
  grep -oE '^\| `[a-z0-9_]+` \|' | tr -d '|` ' | sort -u | tr '\n' ' ')"

status=0
if [[ -z "$built" ]]; then
  echo "doc_labels: found no LABELS in any CMakeLists.txt"
  exit 1
fi
if [[ "$readme" != "$built" ]]; then
  echo "README.md: its 'Tests are labelled' sentence names [${readme% }]; the build has [${built% }]"
  status=1
fi
if [[ "$contributing" != "$built" ]]; then
  echo "CONTRIBUTING.md: its Labels table names [${contributing% }]; the build has [${built% }]"
  status=1
fi
[[ $status == 0 ]] && echo "doc_labels: ok (${built% })"
exit $status
