#!/usr/bin/python3
"""sqlscan.py - does every SQL statement of the model prepare on PostgreSQL?

Extracts every SQL string literal of src/model and src/db (adjacent C literals joined, and
string macros such as `#define X "..."` expanded), rewrites SQLite's ?/?N placeholders to
$n, and asks PostgreSQL to PREPARE each (libpq's PQprepare, through ctypes: no Python
packages needed) in a database that holds the translated schema. Prints each statement that
fails with file:line and PostgreSQL's error, then a count.

  scripts/sqlscan.py --db postgresql://postgres@127.0.0.1:55450/scan [--schema] [-v] [files]

--schema first drops and re-creates the public schema of that database and applies the
PostgreSQL text of the migrations (build/pgschema | psql -1). Exit status 1 when any
statement fails. Statements that are the SQLite driver's own (PRAGMA, BEGIN IMMEDIATE,
sqlite_master) are listed apart and not prepared. docs/POSTGRESQL.md.
"""
import argparse
import ctypes
import glob
import os
import re
import subprocess
import sys

SQL_START = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE|CREATE|DROP|ALTER|"
                       r"PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|VACUUM|ANALYZE)\b",
                       re.I)
SQLITE_ONLY = re.compile(r"^\s*(PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|VACUUM|"
                         r"ANALYZE)\b|sqlite_master|sqlite_schema", re.I)
# the SQLite driver's own files, and the translator (its strings are words, not SQL)
DRIVER_FILES = {"db_sqlite.c", "fts_cjk.c", "dialect.c"}
INT4_OID = 23
FTS_MATCH = re.compile(r"\bsearch_index\s+MATCH\b", re.I)
# types the driver (src/db/db_pg.c) does not turn back into what SQLite gives: the model
# reads a time as unix seconds, and an interval, a timestamp without time zone, a date or a
# time of day has no such reading (timestamptz and boolean columns are converted)
UNCONVERTED = {1186: "interval", 1114: "timestamp", 1082: "date", 1083: "time",
               1266: "timetz"}
# a time column (timestamptz on PostgreSQL: src/db/dialect.c) joined to text with ||
# would give ISO text on PostgreSQL and digits on SQLite
TIME_CONCAT = re.compile(r"(?:\|\|\s*(?:\w+\.)?(?:at|\w+_at|reply_due|cosign_deadline|"
                         r"effective_from)\b(?!\s*\())|(?:\b(?:at|\w+_at|reply_due|"
                         r"cosign_deadline|effective_from)\s*\|\|)", re.I)
ESC = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "x":
                m = re.match(r"[0-9a-fA-F]+", s[i + 2:])
                out.append(chr(int(m.group(0), 16)))
                i += 2 + len(m.group(0))
                continue
            if n in "01234567":
                m = re.match(r"[0-7]{1,3}", s[i + 1:])
                out.append(chr(int(m.group(0), 8)))
                i += 1 + len(m.group(0))
                continue
            out.append(ESC.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    # C strings are bytes: \xe3\x80\x80 is UTF-8
    return "".join(out).encode("latin-1", "ignore").decode("utf-8", "replace") \
        if all(ord(ch) < 256 for ch in out) else "".join(out)


TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*|\S', re.S)


def strip_comments(src):
    """Blanks out comments (keeping newlines, so line numbers hold), not inside strings."""
    out, i, n = [], 0, len(src)
    while i < n:
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif src[i] == '"' or src[i] == "'":
            q = src[i]
            j = i + 1
            while j < n and src[j] != q:
                j += 2 if src[j] == "\\" else 1
            out.append(src[i:j + 1])
            i = j + 1
        else:
            out.append(src[i])
            i += 1
    return "".join(out)


def scan_file(path, macros):
    """Yields (line, sql) for each run of adjacent string literals that reads as SQL."""
    src = strip_comments(open(path, encoding="utf-8").read())
    # string macros: #define NAME "..." [NAME2 "..."], and #define NAME(a) "..." a "...",
    # with line continuations
    for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\([^)]*\))?[ \t]+"
                         r"((?:[^\n\\]|\\\n|\\.)*)", src, re.M):
        params = [x.strip() for x in m.group(2)[1:-1].split(",")] if m.group(2) else None
        body = m.group(3).replace("\\\n", " ")
        toks = TOKEN.findall(body)
        known = set(params or []) | set(macros)
        if toks and all(t.startswith('"') or t in known or t in ("(", ")", ",") for t in toks) and \
                any(t.startswith('"') for t in toks):
            macros[m.group(1)] = (params, toks)
    # drop preprocessor lines from the scan of code
    code = re.sub(r"^[ \t]*#(?:[^\n\\]|\\\n|\\.)*", lambda m: re.sub(r"[^\n]", " ", m.group(0)),
                  src, flags=re.M)
    toks = [(m.group(0), m.start()) for m in TOKEN.finditer(code)]
    run, start, i = [], None, 0
    while i < len(toks):
        t, pos = toks[i]
        i0 = i
        piece, i = expand(toks, i, macros, {})
        if piece is not None:
            if not run:
                start = code.count("\n", 0, pos) + 1
                name = decl_name(toks, i0)
            run.append(piece)
            continue
        i += 1
        if run:
            s = "".join(run)
            if SQL_START.match(s) and len(s.split()) > 1:
                yield start, s, name
            run = []
    if run and SQL_START.match("".join(run)):
        yield start, "".join(run), name


def decl_name(toks, i):
    """NAME when the tokens before i read NAME [ ] = (a static const char NAME[] = ...)."""
    if i >= 4 and [t for t, _ in toks[i - 3:i]] == ["[", "]", "="]:
        return toks[i - 4][0]
    return None


def expand(toks, i, macros, args):
    """(text, next index) of the string literal or string macro at toks[i], or (None, i)."""
    t = toks[i][0]
    if t.startswith('"'):
        return unescape(t[1:-1]), i + 1
    if t in args:
        return args[t], i + 1
    if t not in macros:
        return None, i
    params, body = macros[t]
    i += 1
    actual = {}
    if params is not None:
        if i >= len(toks) or toks[i][0] != "(":
            return None, i - 1
        i += 1
        for k, name in enumerate(params):
            text = []
            while i < len(toks) and toks[i][0] not in ",)":
                piece, j = expand(toks, i, macros, args)
                if piece is None:
                    return None, i
                text.append(piece)
                i = j
            actual[name] = "".join(text)
            i += 1  # the , or )
    out, k = [], 0
    btoks = [(b, 0) for b in body]
    while k < len(btoks):
        piece, k2 = expand(btoks, k, macros, actual)
        if piece is None:
            k += 1
            continue
        out.append(piece)
        k = k2
    return "".join(out), i


def to_dollar(sql):
    """?NNN -> $NNN, ? -> $(largest so far + 1), outside quoted text, as SQLite numbers them."""
    out, i, top, n = [], 0, 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            j = sql.find(c, i + 1)
            j = n - 1 if j < 0 else j
            out.append(sql[i:j + 1])
            i = j + 1
            continue
        if c == "?":
            m = re.match(r"\d+", sql[i + 1:])
            if m:
                k = int(m.group(0))
                i += 1 + len(m.group(0))
            else:
                k = top + 1
                i += 1
            top = max(top, k)
            out.append("$%d" % k)
            continue
        out.append(c)
        i += 1
    return "".join(out)


class PG:
    def __init__(self, url):
        self.lib = ctypes.CDLL("libpq.so.5")
        L = self.lib
        L.PQconnectdb.restype = ctypes.c_void_p
        L.PQconnectdb.argtypes = [ctypes.c_char_p]
        L.PQstatus.argtypes = [ctypes.c_void_p]
        L.PQerrorMessage.restype = ctypes.c_char_p
        L.PQerrorMessage.argtypes = [ctypes.c_void_p]
        L.PQprepare.restype = ctypes.c_void_p
        L.PQprepare.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                ctypes.c_int, ctypes.c_void_p]
        L.PQexec.restype = ctypes.c_void_p
        L.PQexec.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        L.PQresultStatus.argtypes = [ctypes.c_void_p]
        L.PQresultErrorMessage.restype = ctypes.c_char_p
        L.PQresultErrorMessage.argtypes = [ctypes.c_void_p]
        L.PQclear.argtypes = [ctypes.c_void_p]
        L.PQfinish.argtypes = [ctypes.c_void_p]
        L.PQdescribePrepared.restype = ctypes.c_void_p
        L.PQdescribePrepared.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        L.PQnparams.argtypes = [ctypes.c_void_p]
        L.PQparamtype.restype = ctypes.c_uint
        L.PQparamtype.argtypes = [ctypes.c_void_p, ctypes.c_int]
        L.PQnfields.argtypes = [ctypes.c_void_p]
        L.PQftype.restype = ctypes.c_uint
        L.PQftype.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self.conn = L.PQconnectdb(url.encode())
        if L.PQstatus(self.conn) != 0:
            sys.exit("sqlscan: cannot connect: " + L.PQerrorMessage(self.conn).decode())

    def prepare(self, name, sql):
        """None when sql prepares, else PostgreSQL's message."""
        r = self.lib.PQprepare(self.conn, name.encode(), sql.encode(), 0, None)
        ok = self.lib.PQresultStatus(r) == 1  # PGRES_COMMAND_OK
        msg = None if ok else self.lib.PQresultErrorMessage(r).decode().strip()
        self.lib.PQclear(r)
        return msg

    def param_types(self, name):
        """The type OID PostgreSQL settled on for each parameter of a prepared statement,
        and each result column's."""
        r = self.lib.PQdescribePrepared(self.conn, name.encode())
        types = [self.lib.PQparamtype(r, i) for i in range(self.lib.PQnparams(r))]
        cols = [self.lib.PQftype(r, i) for i in range(self.lib.PQnfields(r))]
        self.lib.PQclear(r)
        return types, cols


def apply_schema(url, root):
    pgschema = os.path.join(root, "build", "pgschema")
    subprocess.run(["make", "-C", root, "-s", "build/pgschema"], check=True,
                   capture_output=True)
    text = subprocess.run([pgschema], check=True, capture_output=True).stdout
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
                    "DROP SCHEMA public CASCADE", "-c", "CREATE SCHEMA public"],
                   check=True, capture_output=True)
    # the migration runner's own table (src/db/migrate.c makes it before the first migration)
    text = b"CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL," \
        b" applied_at BIGINT NOT NULL);\n" + text
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-1", url], input=text,
                   check=True, capture_output=True)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True, help="libpq URI of a scratch database")
    ap.add_argument("--schema", action="store_true", help="re-create its schema first")
    ap.add_argument("-v", action="store_true", help="print each failing statement's text")
    ap.add_argument("-w", action="store_true",
                    help="also list the parameters PostgreSQL types as 32-bit integers")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = args.files or sorted(glob.glob(os.path.join(root, "src/model/*.c")) +
                                 glob.glob(os.path.join(root, "src/db/*.c")))
    if args.schema:
        apply_schema(args.db, root)
    pg = PG(args.db)
    scanned = failed = skipped = variants = int4 = 0
    seen = {}
    for path in files:
        rel = os.path.relpath(path, root)
        if os.path.basename(path) in DRIVER_FILES:
            continue
        # the string macros of db.h (DB_PG_CHINA) are known in every file
        macros = {}
        list(scan_file(os.path.join(root, "src/db/db.h"), macros))
        found = list(scan_file(path, macros))
        names = {n for _, _, n in found if n}
        for line, sql, name in found:
            if (name and name + "_pg" in names) or FTS_MATCH.search(sql):
                # the SQLite text of a statement written for each dialect (an FTS5 MATCH
                # is SQLite's by construction, whatever its twin is called)
                variants += 1
                continue
            # PRAGMA, BEGIN IMMEDIATE... are the SQLite side of src/db; in the model they
            # are portability faults like any other
            if rel.startswith("src/db/") and SQLITE_ONLY.search(sql):
                skipped += 1
                continue
            scanned += 1
            msg = pg.prepare("s%d" % scanned, to_dollar(sql))
            if not msg and TIME_CONCAT.search(sql):
                msg = "a time column joined to text with || (ISO text on PostgreSQL)"
            if not msg:
                ptypes, ctypes_ = pg.param_types("s%d" % scanned)
                bad = ["$%d %s" % (i + 1, UNCONVERTED[t]) for i, t in enumerate(ptypes)
                       if t in UNCONVERTED] + \
                      ["column %d %s" % (i + 1, UNCONVERTED[t]) for i, t in enumerate(ctypes_)
                       if t in UNCONVERTED]
                if bad:
                    msg = "typed as the driver does not convert: " + ", ".join(bad)
            if not msg:
                # a parameter typed integer (int4) by a comparison with a literal would
                # refuse ids and times past 2^31 (2038): the model binds 64-bit integers
                narrow = [i + 1 for i, t in enumerate(ptypes) if t == INT4_OID]
                if narrow:
                    int4 += 1
                    if args.w:
                        print("%s:%d: warning: parameters typed integer (32 bits): %s"
                              % (rel, line, ", ".join("$%d" % k for k in narrow)))
            if msg:
                failed += 1
                first = msg.splitlines()[0]
                print("%s:%d: %s" % (rel, line, first))
                if args.v:
                    print("    " + to_dollar(sql))
    print("sqlscan: %d statements scanned, %d failed to prepare (not prepared: %d SQLite-driver"
          " statements, %d SQLite texts of statements with a _pg twin)"
          % (scanned, failed, skipped, variants))
    print("sqlscan: %d statements with a parameter typed as a 32-bit integer (-w lists them)"
          % int4)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
