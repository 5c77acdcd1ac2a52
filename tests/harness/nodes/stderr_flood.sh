#!/bin/sh
# Writes $1 MB of stderr as one line (the worst case for a reader that splits lines),
# then a last line, and exits 3 without answering init.
head -c "$(($1 * 1000000))" /dev/zero | tr '\0' x >&2
echo >&2
echo "fatal: flood over" >&2
exit 3
