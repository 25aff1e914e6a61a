#!/usr/bin/env python3
"""bookquote - keep the book's code quotes identical to the chapters' code.

The book (book/*.md) never contains hand-pasted code. Each code block is
generated from a real source file, cog-style, by a directive in an HTML
comment (invisible on GitHub) followed by the generated fenced block:

    <!-- quote: chapters/01-real-mode/kvm.c function=kvm_open -->
    ```c
    ...generated text...
    ```

Selectors: function=NAME, struct=NAME, enum=NAME, union=NAME,
region=NAME (lines between `book:begin NAME` and `book:end NAME`), or
none for the whole file. lines=A-B is rejected: line numbers drift
silently, names do not.

Subcommands:
    check  [FILE.md...]            fail if a quote does not resolve or is stale
    sync   [FILE.md...]            regenerate the blocks after the directives
    render --out DIR [FILE.md...]  HTML via pandoc, quotes resolved freshly

render writes one page per file, in file-name order (chapters, then
appendices), and index.md as the contents page; a link to a rendered page
becomes its .html, any other relative link (../CONTRIBUTING.md) is pointed
at the source tree from the output directory.

Without FILE arguments the whole book (ROOT/book/*.md) is used. Paths in
directives are relative to the repository root: the parent of book/, two
levels above this script, unless --root DIR says otherwise.
Standard library only.
"""

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

DEFAULT_ROOT = Path(__file__).resolve().parent.parent.parent

DIRECTIVE_START_RE = re.compile(r"^<!--\s*quote:")
DIRECTIVE_RE = re.compile(r"^<!--\s*quote:\s*(.*?)\s*-->\s*$")
FENCE_OPEN_RE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
MARKER_RE = re.compile(r"book:(begin|end)\s+\S")
AGGREGATE_KINDS = ("struct", "enum", "union")
SELECTOR_KINDS = ("function", "region") + AGGREGATE_KINDS
MAX_SIGNATURE_LINES = 12
MAX_RETURN_TYPE_LINES = 3
STALE_HINT = "run make book-sync"


class QuoteError(Exception):
    """A directive that cannot be resolved; the message says why."""


@dataclass
class Directive:
    path: str
    kind: str  # "file" or one of SELECTOR_KINDS
    name: str

    def __str__(self):
        if self.kind == "file":
            return self.path
        return f"{self.path} {self.kind}={self.name}"


@dataclass
class Problem:
    line: int  # 1-based line in the Markdown file; 0 for the whole file
    message: str
    fixable: bool  # sync can repair it (stale or missing block)


@dataclass
class FileResult:
    text: str  # the Markdown with every resolvable quote regenerated
    quotes: int
    problems: list


# --------------------------------------------------------------------------
# Directives


def parse_directive(line):
    """Turns a `<!-- quote: PATH [KIND=NAME] -->` line into a Directive."""
    match = DIRECTIVE_RE.match(line)
    if not match:
        raise QuoteError("malformed quote directive: expected "
                         "<!-- quote: PATH [KIND=NAME] --> on one line")
    words = match.group(1).split()
    if not words or len(words) > 2:
        raise QuoteError("malformed quote directive: expected "
                         "<!-- quote: PATH [KIND=NAME] -->")
    if len(words) == 1:
        return Directive(words[0], "file", "")
    kind, equals, name = words[1].partition("=")
    if kind == "lines":
        raise QuoteError(f"{words[0]} {words[1]}: lines= is not allowed "
                         "(line numbers drift silently); mark the code with "
                         "book:begin NAME / book:end NAME and use region=NAME")
    if not equals or kind not in SELECTOR_KINDS or not name:
        raise QuoteError(f"{words[0]} {words[1]}: unknown selector (use "
                         "function=, struct=, enum=, union= or region=)")
    return Directive(words[0], kind, name)


def fence_language(path):
    """The fence info string for a source file, chosen by its name."""
    name = PurePosixPath(path).name
    if name in ("Makefile", "GNUmakefile") or name.endswith(".mk"):
        return "make"
    suffix = PurePosixPath(path).suffix
    return {".c": "c", ".h": "c", ".asm": "nasm", ".sh": "sh"}.get(suffix,
                                                                   "text")


def read_source(root, relpath):
    """The lines of ROOT/relpath, refusing paths that leave the repository."""
    if PurePosixPath(relpath).is_absolute():
        raise QuoteError("path must be relative to the repository root")
    root = root.resolve()
    path = (root / relpath).resolve()
    if root != path and root not in path.parents:
        raise QuoteError("path leaves the repository")
    if not path.is_file():
        raise QuoteError("no such file")
    return path.read_text(encoding="utf-8").splitlines()


def resolve(root, directive):
    """The fence language and the quoted lines for one directive."""
    lines = read_source(root, directive.path)
    if directive.kind == "file":
        selected = lines
    elif directive.kind == "function":
        selected = select_function(lines, directive.name)
    elif directive.kind == "region":
        selected = select_region(lines, directive.name)
    else:
        selected = select_aggregate(lines, directive.kind, directive.name)
    selected = trim_blank_edges(selected)
    if not selected:
        raise QuoteError("selects no lines")
    return fence_language(directive.path), selected


def trim_blank_edges(lines):
    """lines without the blank lines at either end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


# --------------------------------------------------------------------------
# Selectors


def only_match(matches, what):
    """The single (start, end) in matches, or an error naming the count."""
    if not matches:
        raise QuoteError(f"no {what} found")
    if len(matches) > 1:
        where = ", ".join(str(start + 1) for start, _ in matches)
        raise QuoteError(f"{what} matches {len(matches)} times "
                         f"(lines {where})")
    return matches[0]


def code_part(line):
    """A C line without its comments, right-stripped."""
    line = re.sub(r"/\*.*?\*/", "", line)
    line = re.sub(r"//.*", "", line)
    return line.rstrip()


def closing_brace(lines, start, what):
    """Index of the first line after start that begins with `}`."""
    for index in range(start + 1, len(lines)):
        if lines[index].startswith("}"):
            return index
    raise QuoteError(f"{what} at line {start + 1} has no closing }} "
                     "at column 0")


def is_top_level_code(line):
    """True for a line at column 0 that is not a comment or a directive."""
    return bool(line) and not line[0].isspace() and line[0] not in "#/*"


def definition_end(lines, index, what):
    """Last line of the definition whose name is on lines[index], or None
    when that line starts a declaration (or a call) instead."""
    for current in range(index, min(index + MAX_SIGNATURE_LINES, len(lines))):
        code = code_part(lines[current])
        if current > index and not code.strip():
            return None
        if code.endswith(";"):
            return None
        if code.endswith("{"):
            return closing_brace(lines, current, what)
        if current == index and "{" in code and code.endswith("}"):
            return current  # a one-line definition
    return None


def is_return_type_line(line):
    """True for a line like `static int` above a function's name."""
    if not line or not (line[0].isalpha() or line[0] == "_"):
        return False
    code = code_part(line)
    return bool(code) and code == line.rstrip() and code[-1] not in ";{},\\:="


def return_type_start(lines, index):
    """Index of the first return-type line above a function's name."""
    start = index
    while (start > 0 and index - start < MAX_RETURN_TYPE_LINES
           and is_return_type_line(lines[start - 1])):
        start -= 1
    return start


def comment_start(lines, index):
    """Index of the first line of the comments directly above lines[index]."""
    start = index
    above = index - 1
    while above >= 0:
        text = lines[above].strip()
        if text.startswith("//"):
            start = above
            above -= 1
            continue
        if not text.endswith("*/"):
            break
        top = above
        while top >= 0 and "/*" not in lines[top]:
            top -= 1
        if top < 0 or not lines[top].strip().startswith("/*"):
            break
        start = top
        above = top - 1
    return start


def select_function(lines, name):
    """The definition of function name with the comments above it; the
    name must be on a column-0 line, and prototypes do not count."""
    what = f"definition of function {name}"
    name_re = re.compile(r"(?<![\w$])" + re.escape(name) + r"\s*\(")
    matches = []
    for index, line in enumerate(lines):
        if not is_top_level_code(line) or not name_re.search(line):
            continue
        end = definition_end(lines, index, what)
        if end is not None:
            start = comment_start(lines, return_type_start(lines, index))
            matches.append((start, end))
    start, end = only_match(matches, what)
    return lines[start:end + 1]


def select_aggregate(lines, kind, name):
    """`KIND NAME {` at column 0 through the next `}` at column 0, with the
    comments above it."""
    what = f"definition of {kind} {name}"
    head_re = re.compile(r"^(?:typedef\s+)?" + kind + r"\s+" + re.escape(name)
                         + r"\s*\{")
    matches = []
    for index, line in enumerate(lines):
        if not head_re.match(line):
            continue
        code = code_part(line)
        if "}" in code and code.endswith(";"):
            end = index  # a one-line definition
        else:
            end = closing_brace(lines, index, what)
        matches.append((comment_start(lines, index), end))
    start, end = only_match(matches, what)
    return lines[start:end + 1]


def marker_lines(lines, word, name):
    """Indexes of the lines holding `book:WORD NAME`, any comment syntax."""
    marker_re = re.compile(r"book:" + word + r"\s+" + re.escape(name)
                           + r"(?![\w.-])")
    return [index for index, line in enumerate(lines)
            if marker_re.search(line)]


def select_region(lines, name):
    """The lines between `book:begin NAME` and `book:end NAME`, dedented,
    without the marker lines of regions nested inside."""
    begins = marker_lines(lines, "begin", name)
    ends = marker_lines(lines, "end", name)
    if not begins:
        raise QuoteError(f"no region {name} (no line with "
                         f"'book:begin {name}')")
    if not ends:
        raise QuoteError(f"region {name} has no 'book:end {name}'")
    for word, found in (("begin", begins), ("end", ends)):
        if len(found) > 1:
            where = ", ".join(str(index + 1) for index in found)
            raise QuoteError(f"region {name} matches {len(found)} times "
                             f"('book:{word} {name}' on lines {where})")
    if ends[0] < begins[0]:
        raise QuoteError(f"region {name}: book:end comes before book:begin")
    inside = [line for line in lines[begins[0] + 1:ends[0]]
              if not MARKER_RE.search(line)]  # markers of nested regions
    return textwrap.dedent("\n".join(inside)).split("\n")


# --------------------------------------------------------------------------
# Markdown


def make_block(language, code_lines):
    """A fenced block longer than any backtick run inside the code."""
    longest = max((len(run) for line in code_lines
                   for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + language] + code_lines + [fence]


def fence_end(lines, open_index):
    """Index of the line closing the fence opened at open_index, or None."""
    opening = FENCE_OPEN_RE.match(lines[open_index])
    char, length = opening.group(2)[0], len(opening.group(2))
    close_re = re.compile(r"^ {0,3}" + re.escape(char) + "{" + str(length)
                          + r",}\s*$")
    for index in range(open_index + 1, len(lines)):
        if close_re.match(lines[index]):
            return index
    return None


def quote_sites(lines):
    """Yields (directive index, block start, block end or None) for each
    directive outside code blocks; block start is None when the line after
    the directive opens no fence, block end None when the fence never
    closes."""
    index = 0
    while index < len(lines):
        if DIRECTIVE_START_RE.match(lines[index]):
            after = index + 1
            if after < len(lines) and FENCE_OPEN_RE.match(lines[after]):
                end = fence_end(lines, after)
                yield index, after, end
                index = len(lines) if end is None else end + 1
            else:
                yield index, None, None
                index = after
        elif FENCE_OPEN_RE.match(lines[index]):
            end = fence_end(lines, index)
            index = len(lines) if end is None else end + 1
        else:
            index += 1


def process_markdown(text, root):
    """Resolves every quote in text; returns the regenerated text, the
    number of quotes and the problems found in the original text."""
    lines = text.split("\n")
    output, problems, copied, quotes = [], [], 0, 0
    for index, block_start, block_end in quote_sites(lines):
        quotes += 1
        line_no = index + 1
        try:
            directive = parse_directive(lines[index])
        except QuoteError as error:
            problems.append(Problem(line_no, str(error), False))
            continue
        reference = str(directive)
        try:
            language, code = resolve(root, directive)
        except QuoteError as error:
            problems.append(Problem(line_no, f"{reference}: {error}", False))
            continue
        if block_start is not None and block_end is None:
            problems.append(Problem(line_no, f"{reference}: the code block "
                                    "after the directive is never closed",
                                    False))
            continue
        block = make_block(language, code)
        if block_start is None:
            problems.append(Problem(line_no, f"{reference}: no code block "
                                    f"after the directive: {STALE_HINT}",
                                    True))
            output += lines[copied:index + 1] + block
            copied = index + 1
            continue
        if lines[block_start:block_end + 1] != block:
            problems.append(Problem(line_no, f"{reference}: stale: "
                                    f"{STALE_HINT}", True))
        output += lines[copied:block_start] + block
        copied = block_end + 1
    output += lines[copied:]
    return FileResult("\n".join(output), quotes, problems)


def load_markdown(path, root):
    """Reads and processes one Markdown file; unreadable files become a
    problem on line 0 so callers handle them like any other."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        return None, FileResult("", 0, [Problem(0, f"cannot read: "
                                                f"{error.strerror}", False)])
    return text, process_markdown(text, root)


def print_problems(path, problems):
    """One `FILE:LINE: message` line per problem."""
    for problem in problems:
        location = f"{path}:{problem.line}" if problem.line else path
        print(f"{location}: {problem.message}")


def plural(count, word):
    return f"{count} {word}" + ("" if count == 1 else "s")


def write_if_changed(path, old_text, new_text):
    """Atomically replaces path with new_text; returns True if it changed."""
    if new_text == old_text:
        return False
    target = Path(path)
    handle, temporary = tempfile.mkstemp(dir=target.parent,
                                         prefix="." + target.name + ".")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(new_text)
    shutil.copymode(target, temporary)
    os.replace(temporary, target)
    return True


# --------------------------------------------------------------------------
# check and sync


def command_check(files, root):
    """Reports every unresolvable or stale quote; 1 if there is any."""
    quotes = problems = 0
    for path in files:
        _, result = load_markdown(path, root)
        print_problems(path, result.problems)
        quotes += result.quotes
        problems += len(result.problems)
    print(f"bookquote: {plural(quotes, 'quote')} in "
          f"{plural(len(files), 'file')}, {plural(problems, 'problem')}")
    return 1 if problems else 0


def command_sync(files, root):
    """Regenerates every resolvable quote in place; 1 if any quote does not
    resolve (its block is left as it was)."""
    quotes = updated = failures = 0
    for path in files:
        text, result = load_markdown(path, root)
        broken = [problem for problem in result.problems
                  if not problem.fixable]
        print_problems(path, broken)
        quotes += result.quotes
        failures += len(broken)
        fixed = len(result.problems) - len(broken)
        if text is not None and write_if_changed(path, text, result.text):
            updated += fixed
            print(f"{path}: updated {plural(fixed, 'quote')}")
    print(f"bookquote: {plural(quotes, 'quote')} in "
          f"{plural(len(files), 'file')}, {updated} updated, "
          f"{plural(failures, 'problem')}")
    return 1 if failures else 0


# --------------------------------------------------------------------------
# render

PAGE_CSS = """<style>
body { max-width: 48em; margin: 0 auto; padding: 1.5em 1em 3em;
  font: 17px/1.6 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #1f2328; background: #fff; hyphens: none; }
h1, h2, h3 { line-height: 1.25; margin-top: 1.6em; }
a { color: #0550ae; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas,
  monospace; font-size: 0.88em; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px;
  padding: 0.8em 1em; overflow-x: auto; line-height: 1.45;
  tab-size: 8; -moz-tab-size: 8; }
pre code { font-size: 1em; white-space: pre; }
:not(pre) > code { background: #eff1f3; padding: 0.1em 0.35em;
  border-radius: 4px; }
nav.booknav { display: flex; gap: 1em; justify-content: space-between;
  padding: 0.5em 0; margin: 0.5em 0; font-size: 0.95em;
  border-top: 1px solid #d0d7de; border-bottom: 1px solid #d0d7de; }
nav.booknav span { flex: 1; }
nav.booknav .up { text-align: center; }
nav.booknav .next { text-align: right; }
nav.toc ol { padding-left: 1.5em; }
</style>
"""

# Rewrites links to rendered sibling pages (x.md -> x.html), points every
# other relative link (../CONTRIBUTING.md, ../chapters/...) at the source
# tree as seen from the output directory, and maps the `make` fence
# (GitHub's name) to pandoc's `makefile` highlighter.
LUA_FILTER = r"""
local pages = {}
for name in string.gmatch(os.getenv("BOOKQUOTE_PAGES") or "", "[^\n]+") do
  pages[name] = true
end
local source = os.getenv("BOOKQUOTE_SOURCE") or ""

function Link(link)
  if link.target:match("^%a[%w+.-]*:") then return nil end
  local path, rest = link.target:match("^([^#?]*)(.*)$")
  if path == "" or path:match("^/") then return nil end
  path = path:gsub("^%./", "")
  if pages[path] then
    link.target = path:gsub("%.md$", ".html") .. rest
  elseif source ~= "" and source ~= "." then
    link.target = source .. "/" .. path .. rest
  else
    return nil
  end
  return link
end

function CodeBlock(block)
  for i, class in ipairs(block.classes) do
    if class == "make" then block.classes[i] = "makefile" end
  end
  return block
end
"""


@dataclass
class Page:
    source: str  # the Markdown path as given
    text: str  # the Markdown with quotes resolved freshly
    title: str

    @property
    def html_name(self):
        return Path(self.source).stem + ".html"


def lines_outside_code(lines):
    """Yields (index, line) for the lines that are not in a fenced block."""
    index = 0
    while index < len(lines):
        if FENCE_OPEN_RE.match(lines[index]):
            end = fence_end(lines, index)
            index = len(lines) if end is None else end + 1
            continue
        yield index, lines[index]
        index += 1


def first_heading(text, fallback):
    """The text of the first `# ` heading outside code blocks."""
    for _, line in lines_outside_code(text.split("\n")):
        if line.startswith("# "):
            return line[2:].strip().rstrip("#").strip().replace("`", "")
    return fallback


def find_pandoc():
    """The pandoc binary ($PANDOC or pandoc on PATH), or None after saying
    how to install it."""
    pandoc = shutil.which(os.environ.get("PANDOC", "pandoc"))
    if pandoc is None:
        print("bookquote: pandoc not found; install pandoc: make deps",
              file=sys.stderr)
    return pandoc


def nav_html(previous, following):
    """The prev / index / next bar for a page; None hides a link."""
    def cell(css, page, label):
        if page is None:
            return f'<span class="{css}"></span>'
        return (f'<span class="{css}"><a href="{html.escape(page.html_name)}"'
                f' rel="{css}">{label.format(html.escape(page.title))}'
                '</a></span>')
    return ('<nav class="booknav">'
            + cell("prev", previous, "← {}")
            + '<span class="up"><a href="index.html" rel="index">Contents'
              '</a></span>'
            + cell("next", following, "{} →")
            + "</nav>\n")


def toc_html(chapters):
    """The chapter list the index page shows below book/index.md."""
    items = "".join(f'<li><a href="{html.escape(page.html_name)}">'
                    f"{html.escape(page.title)}</a></li>\n"
                    for page in chapters)
    return ('<nav class="toc">\n<h2>Chapters</h2>\n'
            f"<ol>\n{items}</ol>\n</nav>\n")


@dataclass
class Renderer:
    """What every pandoc run shares: the binary, the output directory, a
    scratch directory holding the CSS and the Lua filter, and the
    environment telling the filter which .md links to rewrite."""
    pandoc: str
    out_dir: Path
    work: Path
    env: dict
    title_prefix: str

    def render(self, page, before, after, prefixed=True):
        """Renders one page to OUT/NAME.html; returns True on success."""
        before_file = self.work / (page.html_name + ".before")
        after_file = self.work / (page.html_name + ".after")
        before_file.write_text(before, encoding="utf-8")
        after_file.write_text(after, encoding="utf-8")
        command = [self.pandoc, "--from", "gfm", "--to", "html5",
                   "--standalone", "--preserve-tabs",
                   "--lua-filter", str(self.work / "links.lua"),
                   "--include-in-header", str(self.work / "style.html"),
                   "--include-before-body", str(before_file),
                   "--include-after-body", str(after_file),
                   "--variable", "pagetitle=" + html.escape(page.title),
                   "--output", str(self.out_dir / page.html_name)]
        if prefixed and self.title_prefix:
            command += ["--variable",
                        "title-prefix=" + html.escape(self.title_prefix)]
        done = subprocess.run(command, input=page.text, text=True,
                              capture_output=True, env=self.env)
        sys.stderr.write(done.stderr)
        if done.returncode != 0:
            print(f"{page.source}: pandoc failed (exit {done.returncode})")
            return False
        return True


def load_pages(files, root):
    """Pages with freshly resolved quotes, or None after printing the
    unresolvable ones (a stale block is simply regenerated)."""
    pages, failures = [], 0
    for path in files:
        _, result = load_markdown(path, root)
        broken = [problem for problem in result.problems
                  if not problem.fixable]
        print_problems(path, broken)
        failures += len(broken)
        pages.append(Page(path, result.text,
                          first_heading(result.text, Path(path).stem)))
    if failures:
        print(f"bookquote: {plural(failures, 'problem')}; nothing rendered")
        return None
    return pages


def default_index():
    """Stands in for book/index.md when it is not among the files."""
    return Page("index.md", "# Contents\n", "Contents")


def split_index(pages):
    """(index page, chapters in file-name order)."""
    chapters = sorted((page for page in pages
                       if Path(page.source).name != "index.md"),
                      key=lambda page: Path(page.source).name)
    index = next((page for page in pages
                  if Path(page.source).name == "index.md"), None)
    return index or default_index(), chapters


def render_book(renderer, index, chapters):
    """Renders the chapters, linked in order, then the index; returns True
    when every page rendered."""
    ok = True
    for number, page in enumerate(chapters):
        previous = chapters[number - 1] if number > 0 else None
        following = chapters[number + 1] if number + 1 < len(chapters) \
            else None
        nav = nav_html(previous, following)
        ok = renderer.render(page, nav, nav) and ok
    nav = nav_html(None, chapters[0] if chapters else None)
    lists_all = chapters and all(Path(page.source).name in index.text
                                 for page in chapters)
    toc = "" if lists_all else toc_html(chapters)
    return renderer.render(index, nav, toc + nav, prefixed=False) and ok


def command_render(files, root, out_dir):
    """Renders the chapters and the index into out_dir."""
    pandoc = find_pandoc()
    if pandoc is None:
        return 1
    pages = load_pages(files, root)
    if pages is None:
        return 1
    index, chapters = split_index(pages)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = "\n".join(Path(page.source).name for page in [index] + chapters)
    with tempfile.TemporaryDirectory(prefix="bookquote.") as temporary:
        work = Path(temporary)
        (work / "style.html").write_text(PAGE_CSS, encoding="utf-8")
        (work / "links.lua").write_text(LUA_FILTER, encoding="utf-8")
        # book/ as seen from the output directory, for links that leave
        # the rendered pages (the README, CONTRIBUTING.md, the code).
        source = os.path.relpath((root / "book").resolve(),
                                 out_dir.resolve())
        renderer = Renderer(pandoc, out_dir, work,
                            dict(os.environ, BOOKQUOTE_PAGES=names,
                                 BOOKQUOTE_SOURCE=source),
                            index.title)
        ok = render_book(renderer, index, chapters)
    if not ok:
        print("bookquote: rendering failed")
        return 1
    print(f"bookquote: rendered {plural(len(chapters), 'chapter')} and "
          f"index.html into {out_dir}")
    return 0


# --------------------------------------------------------------------------
# Command line


def book_files(root):
    """ROOT/book/*.md, the default FILE arguments."""
    return [os.path.relpath(path) for path in sorted((root / "book")
                                                     .glob("*.md"))]


def parse_arguments(argv):
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=argparse.SUPPRESS,
                        help="repository root (default: two levels above "
                        "this script)")
    parser = argparse.ArgumentParser(prog="bookquote", parents=[common],
                                     description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, summary in (("check", "fail on unresolvable or stale quotes"),
                          ("sync", "regenerate the quoted code blocks"),
                          ("render", "render HTML with pandoc")):
        sub = commands.add_parser(name, parents=[common], help=summary)
        sub.add_argument("files", nargs="*", metavar="FILE.md",
                         help="default: ROOT/book/*.md")
        if name == "render":
            sub.add_argument("--out", required=True, metavar="DIR")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_arguments(argv)
    root = getattr(args, "root", DEFAULT_ROOT)
    if not (root / "book").is_dir():
        print(f"bookquote: {root} has no book/ directory", file=sys.stderr)
        return 2
    files = args.files or book_files(root)
    if args.command == "check":
        return command_check(files, root)
    if args.command == "sync":
        return command_sync(files, root)
    return command_render(files, root, args.out)


if __name__ == "__main__":
    sys.exit(main())
