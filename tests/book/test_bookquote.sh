#!/usr/bin/env bash
# test_bookquote.sh - self-test of book/tools/bookquote.py.
#
# The book quotes code by reference, and `make test` relies on bookquote
# to notice when a reference breaks or a quote drifts from the code. This
# script proves it does: it builds a throwaway repository (chapters/ with a
# C file, an nasm file and a Makefile; book/ with two chapters and an
# index), breaks it in each way that matters and checks the tool's exit
# status and its file:line messages, then renders HTML and follows the
# navigation links. Run from the repository root:
#
#     bash tests/book/test_bookquote.sh
set -u

here=$(cd "$(dirname "$0")" && pwd)
tool="$here/../../book/tools/bookquote.py"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bookquote-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
repo="$tmp/repo"
chapter=book/01-first.md
passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $1"
	sed 's/^/    | /' "$tmp/out"
}

# bq ARGS... - runs the tool on the fixture; output in $tmp/out, exit
# status in $status.
bq() {
	(cd "$repo" && python3 "$tool" --root "$repo" "$@") >"$tmp/out" 2>&1
	status=$?
}

expect_status() { # WANT DESCRIPTION
	if [ "$status" -eq "$1" ]; then pass; else fail "$2 (exit $status, want $1)"; fi
}

expect_output() { # FIXED-STRING DESCRIPTION
	if grep -qF -- "$1" "$tmp/out"; then pass; else fail "$2 (no '$1' in output)"; fi
}

expect_file_has() { # FILE FIXED-STRING DESCRIPTION
	if grep -qF -- "$2" "$1"; then pass; else fail "$3 (no '$2' in $1)"; fi
}

# line_of TEXT - the line of the chapter that contains TEXT.
line_of() { grep -nF -- "$1" "$repo/$chapter" | head -n 1 | cut -d: -f1; }

# edit FILE SED-SCRIPT - edits a fixture file in place.
edit() { sed -i -e "$2" "$repo/$1"; }

make_fixture() {
	rm -rf "$repo"
	mkdir -p "$repo/chapters/01-first" "$repo/book"
	cat >"$repo/chapters/01-first/foo.c" <<'EOF'
/*
 * foo.c - a fixture for the bookquote self-test.
 */
#include <stdio.h>

/* A point on the screen. */
struct point {
	int x;
	int y;
};

/*
 * add - the sum of a and b.
 */
int add(int a, int b)
{
	return a + b;
}

// scaled - its return type sits on the line above its name.
static int
scaled(int value,
       int factor)
{
	return value * factor;
}

/* A prototype right above a definition is not a definition of add. */
int add(int a, int b);
int main(void)
{
	// book:begin body
	struct point p = { 1, 2 };

	/* book:begin print */
	printf("%d\n", add(p.x, p.y));
	/* book:end print */
	return scaled(0, 1);
	// book:end body
}
EOF
	cat >"$repo/chapters/01-first/boot.asm" <<'EOF'
bits 16
; book:begin entry
start:
	mov ax, 0x10
	hlt
; book:end entry
EOF
	cat >"$repo/chapters/01-first/Makefile" <<'EOF'
all: vmm
# book:begin build
vmm: foo.c
	$(CC) -o $@ foo.c
# book:end build
EOF
	cat >"$repo/$chapter" <<'EOF'
# Chapter 1: First

Next: [the second chapter](02-second.md).

<!-- quote: chapters/01-first/foo.c function=add -->

<!-- quote: chapters/01-first/foo.c function=scaled -->

<!-- quote: chapters/01-first/foo.c struct=point -->

<!-- quote: chapters/01-first/foo.c region=print -->

<!-- quote: chapters/01-first/foo.c region=body -->

<!-- quote: chapters/01-first/boot.asm region=entry -->

<!-- quote: chapters/01-first/Makefile region=build -->

<!-- quote: chapters/01-first/boot.asm -->

A directive inside a code block is an example, not a quote:

```text
<!-- quote: chapters/01-first/missing.c -->
```
EOF
	printf '# Chapter 2: Second\n\nBack to [the first](01-first.md).\n' \
		>"$repo/book/02-second.md"
	printf '# Fixture book\n\nA book about nothing; see [the README](../README.md).\n' \
		>"$repo/book/index.md"
	printf '# The fixture\n' >"$repo/README.md"
}

# fresh - a fixture whose quotes are synced.
fresh() {
	make_fixture
	bq sync book/01-first.md book/02-second.md book/index.md
	if [ "$status" -ne 0 ]; then fail "fixture sync"; fi
}

# The quoted block after the directive with TEXT, fences included.
block_after() {
	awk -v key="$1" '
		found && /^```/ { print; if (++fences == 2) exit; next }
		found && fences == 1 { print; next }
		index($0, key) { found = 1 }' "$repo/$chapter"
}

expect_block() { # DIRECTIVE-TEXT DESCRIPTION (expected block on stdin)
	block_after "$1" >"$tmp/got"
	if diff -u - "$tmp/got" >"$tmp/out"; then pass; else fail "$2"; fi
}

# html_text FILE - the text of an HTML page, tags stripped.
html_text() {
	python3 -c 'import html, re, sys
print(html.unescape(re.sub(r"<[^>]*>", "", open(sys.argv[1]).read())))' "$1" 2>/dev/null
}

# nav_link FILE REL - the href of the navigation link rel="REL".
nav_link() {
	grep -o "<a href=\"[^\"]*\" rel=\"$2\"" "$1" 2>/dev/null | head -n 1 | cut -d'"' -f2
}

# broken_links DIR - prints local links of DIR/*.html that lead nowhere.
broken_links() {
	python3 - "$1" 2>&1 <<'EOF'
import os, re, sys
out = sys.argv[1]
for page in sorted(os.listdir(out)):
    text = open(os.path.join(out, page)).read()
    for href in re.findall(r'href="([^"#:]+)(?:#[^"]*)?"', text):
        if not os.path.exists(os.path.join(out, href)):
            print(f"{page} -> {href}")
EOF
}

# --- check and sync on a good book ----------------------------------------

make_fixture
bq check "$chapter"
expect_status 1 "check fails before the first sync"
expect_output "$chapter:$(line_of 'function=add'): chapters/01-first/foo.c function=add: no code block after the directive: run make book-sync" \
	"check names file:line of a missing block"

bq sync "$chapter"
expect_status 0 "sync of a fresh book"
bq check book/01-first.md book/02-second.md book/index.md
expect_status 0 "check passes on a synced book"
expect_output "bookquote: 8 quotes in 3 files, 0 problems" "check summary"

cp "$repo/$chapter" "$tmp/synced.md"
bq sync "$chapter"
expect_status 0 "second sync"
if cmp -s "$repo/$chapter" "$tmp/synced.md"; then pass; else fail "sync is idempotent"; fi
expect_output "0 updated" "second sync updates nothing"

expect_block "function=add" "function with its comment, not the declaration" <<'EOF'
```c
/*
 * add - the sum of a and b.
 */
int add(int a, int b)
{
	return a + b;
}
```
EOF
expect_block "function=scaled" "function with its return type on the line above" <<'EOF'
```c
// scaled - its return type sits on the line above its name.
static int
scaled(int value,
       int factor)
{
	return value * factor;
}
```
EOF
expect_block "struct=point" "struct with its comment" <<'EOF'
```c
/* A point on the screen. */
struct point {
	int x;
	int y;
};
```
EOF
expect_block "region=print" "C region, dedented" <<'EOF'
```c
printf("%d\n", add(p.x, p.y));
```
EOF
expect_block "region=body" "region without the markers of a nested region" <<'EOF'
```c
struct point p = { 1, 2 };

printf("%d\n", add(p.x, p.y));
return scaled(0, 1);
```
EOF
expect_block "boot.asm -->" "whole file" <<'EOF'
```nasm
bits 16
; book:begin entry
start:
	mov ax, 0x10
	hlt
; book:end entry
```
EOF
expect_block "region=entry" "nasm region with ; markers" <<'EOF'
```nasm
start:
	mov ax, 0x10
	hlt
```
EOF
expect_block "region=build" "Makefile region with # markers" <<'EOF'
```make
vmm: foo.c
	$(CC) -o $@ foo.c
```
EOF

# The default root is two levels above the script, whatever the cwd.
mkdir -p "$repo/book/tools"
cp "$tool" "$repo/book/tools/bookquote.py"
(cd / && python3 "$repo/book/tools/bookquote.py" check "$repo/$chapter") >"$tmp/out" 2>&1
status=$?
expect_status 0 "default root is the parent of book/, not the cwd"

# --- broken references --------------------------------------------------------

fresh
edit chapters/01-first/foo.c 's/^int add(int a, int b)$/int sum(int a, int b)/'
bq check "$chapter"
expect_status 1 "check fails on a renamed function"
expect_output "$chapter:$(line_of 'function=add'): chapters/01-first/foo.c function=add: no definition of function add found" \
	"renamed function: message names file:line"

cp "$repo/$chapter" "$tmp/before.md"
bq sync "$chapter"
expect_status 1 "sync fails on a renamed function"
if cmp -s "$repo/$chapter" "$tmp/before.md"; then pass; else fail "sync leaves an unresolvable block untouched"; fi

fresh
edit chapters/01-first/foo.c 's/return a + b;/return b + a;/'
bq check "$chapter"
expect_status 1 "check fails on changed code"
expect_output "$chapter:$(line_of 'function=add'): chapters/01-first/foo.c function=add: stale: run make book-sync" \
	"stale quote: message names file:line"
bq sync "$chapter"
expect_status 0 "sync of a stale quote"
expect_file_has "$repo/$chapter" "return b + a;" "sync writes the new code"
bq check "$chapter"
expect_status 0 "check passes after sync fixed staleness"

fresh
edit "$chapter" 's/return a + b;/return a - b; \/\/ edited by hand/'
bq check "$chapter"
expect_status 1 "check fails on a hand-edited quote"
expect_output "$chapter:$(line_of 'function=add'): chapters/01-first/foo.c function=add: stale" \
	"hand-edited quote: message names file:line"

fresh
edit chapters/01-first/foo.c '/book:begin print/d'
bq check "$chapter"
expect_status 1 "check fails on a missing region"
expect_output "$chapter:$(line_of 'region=print'): chapters/01-first/foo.c region=print: no region print" \
	"missing region: message names file:line"

fresh
edit chapters/01-first/foo.c '/book:end print/d'
bq check "$chapter"
expect_status 1 "check fails on a region without its end"
expect_output "$chapter:$(line_of 'region=print'): chapters/01-first/foo.c region=print: region print has no 'book:end print'" \
	"unterminated region: message names file:line"

fresh
printf '\n/* book:begin print */\nint again;\n/* book:end print */\n' \
	>>"$repo/chapters/01-first/foo.c"
bq check "$chapter"
expect_status 1 "check fails on a duplicate region"
expect_output "$chapter:$(line_of 'region=print'): chapters/01-first/foo.c region=print: region print matches 2 times" \
	"duplicate region: message names file:line"

fresh
printf '\nint add(int a, int b)\n{\n\treturn 0;\n}\n' >>"$repo/chapters/01-first/foo.c"
bq check "$chapter"
expect_status 1 "check fails on a duplicate function"
expect_output "$chapter:$(line_of 'function=add'): chapters/01-first/foo.c function=add: definition of function add matches 2 times" \
	"duplicate function: message names file:line"

fresh
printf '\n<!-- quote: chapters/01-first/foo.c lines=1-3 -->\n' >>"$repo/$chapter"
bq check "$chapter"
expect_status 1 "check rejects lines="
expect_output "$chapter:$(line_of 'lines=1-3'): chapters/01-first/foo.c lines=1-3: lines= is not allowed" \
	"lines=: message names file:line"
bq sync "$chapter"
expect_status 1 "sync rejects lines="

fresh
printf '\n<!-- quote: chapters/01-first/foo.c macro=ADD -->\n' >>"$repo/$chapter"
bq check "$chapter"
expect_status 1 "check rejects an unknown selector"
expect_output "$chapter:$(line_of 'macro=ADD'): chapters/01-first/foo.c macro=ADD: unknown selector" \
	"unknown selector: message names file:line"

fresh
printf '\n<!-- quote: chapters/01-first/gone.c -->\n' >>"$repo/$chapter"
bq check "$chapter"
expect_status 1 "check fails on a missing file"
expect_output "$chapter:$(line_of 'gone.c'): chapters/01-first/gone.c: no such file" \
	"missing file: message names file:line"

fresh
printf '\n<!-- quote: ../outside.c -->\n' >>"$repo/$chapter"
touch "$tmp/outside.c"
bq check "$chapter"
expect_status 1 "check refuses paths outside the repository"
expect_output "path leaves the repository" "outside path: message"

# --- render -----------------------------------------------------------------

fresh
edit chapters/01-first/foo.c 's/return a + b;/return a + b + 0;/'
cp "$repo/$chapter" "$tmp/stale.md"
bq render --out "$tmp/html" book/index.md book/02-second.md book/01-first.md
expect_status 0 "render"
for page in index 01-first 02-second; do
	if [ -s "$tmp/html/$page.html" ]; then pass; else fail "render writes $page.html"; fi
done
html_text "$tmp/html/01-first.html" >"$tmp/text"
expect_file_has "$tmp/text" "return a + b + 0;" "HTML has the code, resolved freshly"
expect_file_has "$tmp/text" "struct point {" "HTML has the struct"
expect_file_has "$tmp/text" "$(printf '\treturn value * factor;')" "HTML keeps tabs"
# shellcheck disable=SC2016 # literal make variables
expect_file_has "$tmp/text" '$(CC) -o $@ foo.c' "HTML has the Makefile region"
if grep -qF "return a + b;" "$tmp/text"; then fail "a stale block reached the HTML"; else pass; fi
if cmp -s "$repo/$chapter" "$tmp/stale.md"; then pass; else fail "render leaves the Markdown alone"; fi
expect_file_has "$tmp/html/01-first.html" "<title>Fixture book – Chapter 1: First</title>" \
	"title from the first heading"

links=$(nav_link "$tmp/html/01-first.html" next):$(nav_link "$tmp/html/01-first.html" index):$(nav_link "$tmp/html/02-second.html" prev):$(nav_link "$tmp/html/index.html" next)
if [ "$links" = "02-second.html:index.html:01-first.html:01-first.html" ]; then
	pass
else
	fail "nav links (got $links)"
fi
if grep -q 'rel="prev"' "$tmp/html/01-first.html"; then fail "first chapter has no prev link"; else pass; fi
expect_file_has "$tmp/html/01-first.html" 'href="02-second.html">the second chapter' \
	"Markdown links to chapters become .html"
expect_file_has "$tmp/html/index.html" '<a href="01-first.html">Chapter 1: First</a>' \
	"index lists the chapters"
broken_links "$tmp/html" >"$tmp/out"
if [ -s "$tmp/out" ]; then fail "every local link resolves"; else pass; fi
expect_file_has "$tmp/html/index.html" 'href="../repo/book/../README.md"' \
	"a link out of book/ points at the source tree"

fresh
edit chapters/01-first/foo.c '/book:begin print/d'
bq render --out "$tmp/html2" book/01-first.md
expect_status 1 "render fails on an unresolvable quote"
expect_output "$chapter:$(line_of 'region=print'):" "render names file:line"
if [ -e "$tmp/html2/01-first.html" ]; then fail "render writes nothing after an error"; else pass; fi

fresh
status=0
(cd "$repo" && PANDOC=/nonexistent/pandoc python3 "$tool" --root "$repo" \
	render --out "$tmp/html3" "$chapter") >"$tmp/out" 2>&1 || status=$?
expect_status 1 "render without pandoc"
expect_output "install pandoc: make deps" "render without pandoc: message"

echo "bookquote self-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
