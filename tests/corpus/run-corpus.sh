#!/bin/sh
# SPDX-License-Identifier: MIT
# usage: run-corpus.sh TEST-PROGRAM CACHE  (exit 77 = skip when the DTBs cannot be fetched)
set -u
here=$(dirname "$0")
dir=$("$here/fetch-dtbs.sh" "$2") || { echo "corpus: SKIP: Debian arm64 DTBs unavailable"; exit 77; }
exec "$1" "$dir"
