/*
 * mustache.c - Mustache templates: compiler and renderer (see mustache.h).
 *
 * Compiling makes three passes over the source:
 *   1. lex: split it into text and tag tokens, following set-delimiter tags, and match every
 *      section with its close. All syntax errors are found here.
 *   2. standalone: a line holding only whitespace and one tag that prints nothing by itself
 *      (section, close, comment, partial, parent, block, set-delimiter) loses its indentation
 *      and its line ending. The inheritance spec treats four adjacent pairs the same way:
 *      {{<p}}{{/p}}, {{<p}}{{$b}}, {{/b}}{{/p}} and {{$b}}{{/b}} (the last keeps its line
 *      ending). Only what is cut is recorded; tokens keep their source spans.
 *   3. build: a flat array of nodes. A container (section, parent, block) is followed by its
 *      body and records where the body ends, so rendering walks index ranges.
 *
 * Indentation. The spec defines a standalone partial's indentation as text prepended to every
 * line of the partial's source. We get the same result without copying sources: every kept
 * line start becomes an INDENT node, which prints the indentation of the current render - a
 * chain of strings, one for each standalone partial, parent or block on the way down. Blocks
 * passed to a parent are re-indented, as the spec's inheritance cases require: the
 * indentation common to the argument's lines is stripped at compile time, and the indentation
 * of the block it replaces (its default content's, or else its tag's) is added when rendering.
 *
 * A compiled template is never written after mustache_compile returns; all render state lives
 * on the stack of the rendering thread or in its struct render.
 */
#include "mustache.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPOS ((size_t)-1)

enum tok_kind {
	TK_TEXT,
	TK_VAR,	     /* {{x}} */
	TK_RAW,	     /* {{{x}}} or {{&x}} */
	TK_SECTION,  /* {{#x}} */
	TK_INVERTED, /* {{^x}} */
	TK_CLOSE,    /* {{/x}} */
	TK_COMMENT,  /* {{!x}} */
	TK_PARTIAL,  /* {{>x}} */
	TK_PARENT,   /* {{<x}} */
	TK_BLOCK,    /* {{$x}} */
	TK_DELIM,    /* {{=a b=}} */
};

#define TOK_ALONE 1u /* the tag stands alone on its line; the line's whitespace is cut */

struct tok {
	enum tok_kind kind;
	unsigned flags;
	int line;
	size_t start, end;	   /* the whole token in the source */
	size_t name, name_len;	   /* tags: the trimmed name */
	size_t match;		   /* openers: index of the close; closes: index of the opener */
	size_t cut_head, cut_tail; /* text: bytes cut at either end by standalone lines */
	size_t ind, ind_len;	   /* first tag of a standalone line: the whitespace before it */
};

enum node_op {
	N_TEXT,
	N_INDENT, /* a line starts: print the current indentation */
	N_VAR,
	N_RAW,
	N_SECTION,
	N_INVERTED,
	N_PARTIAL,
	N_PARENT,
	N_BLOCK,
};

#define NODE_ALONE 1u /* the tag stood alone on its line (for blocks: its body starts a line) */

struct node {
	enum node_op op;
	unsigned flags;
	int line;
	size_t str, len;     /* TEXT: the bytes; tags: the name; offsets into the source */
	size_t ind, ind_len; /* PARTIAL, PARENT: the tag's indentation; BLOCK: an override's */
	size_t end;	     /* containers: index of the first node after the body */
};

struct mustache {
	char *src; /* our copy of the source; nodes point into it */
	size_t src_len;
	struct node *nodes;
	size_t n;
};

struct span {
	size_t off, len;
};

struct compiler {
	const char *src;
	size_t n;
	struct tok *toks;
	size_t ntok, tokcap;
	struct node *nodes;
	size_t nnode, nodecap;
	struct mustache_error *err;
};

static void set_err(struct mustache_error *err, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* set_err fills err (if not NULL) with line and a formatted message. */
static void set_err(struct mustache_error *err, int line, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->line = line;
	va_start(ap, fmt);
	/* a truncated message is still a useful message */
	(void)vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

/* for names quoted in messages */
static int shown(size_t n)
{
	return n > 60 ? 60 : (int)n;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

static bool line_start(const char *s, size_t p)
{
	return p == 0 || s[p - 1] == '\n';
}

static bool is_opener(enum tok_kind k)
{
	return k == TK_SECTION || k == TK_INVERTED || k == TK_PARENT || k == TK_BLOCK;
}

static int count_lines(const char *s, size_t n)
{
	int k = 0;
	size_t i;

	for (i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* find returns the first position >= from where d[0..dlen) occurs in s[0..n), or NPOS. */
static size_t find(const char *s, size_t n, size_t from, const char *d, size_t dlen)
{
	const char *p;

	assert(dlen > 0);
	while (from < n && dlen <= n - from) {
		p = memchr(s + from, d[0], n - from - dlen + 1);
		if (!p)
			return NPOS;
		from = (size_t)(p - s);
		if (memcmp(p, d, dlen) == 0)
			return from;
		from++;
	}
	return NPOS;
}

/* find_close returns where the content of a tag starting its content at from ends: at the
 * closing delimiter, or with lead != 0 at the lead character right before it ('}' closes
 * {{{x}}}, '=' closes {{=a b=}}). NPOS if the tag is never closed. */
static size_t find_close(const char *s, size_t n, size_t from, char lead, const char *ctag,
			 size_t clen)
{
	size_t p = from;

	for (;;) {
		p = find(s, n, p, ctag, clen);
		if (p == NPOS)
			return NPOS;
		if (!lead)
			return p;
		if (p > from && s[p - 1] == lead)
			return p - 1;
		p++;
	}
}

static void trim(const char *s, size_t *a, size_t *b)
{
	while (*a < *b && is_space(s[*a]))
		(*a)++;
	while (*b > *a && is_space(s[*b - 1]))
		(*b)--;
}

static int tok_push(struct compiler *c, const struct tok *t)
{
	struct tok *p;
	size_t cap;

	if (c->ntok == c->tokcap) {
		cap = c->tokcap ? c->tokcap * 2 : 64;
		if (cap > SIZE_MAX / sizeof(*p))
			return ERR_NOMEM;
		p = realloc(c->toks, cap * sizeof(*p));
		if (!p)
			return ERR_NOMEM;
		c->toks = p;
		c->tokcap = cap;
	}
	c->toks[c->ntok++] = *t;
	return ERR_OK;
}

static int node_push(struct compiler *c, const struct node *nd)
{
	struct node *p;
	size_t cap;

	if (c->nnode == c->nodecap) {
		cap = c->nodecap ? c->nodecap * 2 : 64;
		if (cap > SIZE_MAX / sizeof(*p))
			return ERR_NOMEM;
		p = realloc(c->nodes, cap * sizeof(*p));
		if (!p)
			return ERR_NOMEM;
		c->nodes = p;
		c->nodecap = cap;
	}
	c->nodes[c->nnode++] = *nd;
	return ERR_OK;
}

/* tag_kind classifies the tag whose content is s[a..b) (delimiters excluded) and moves a past
 * its sigil. A leading '{' or '=' has been handled by the caller. */
static enum tok_kind tag_kind(const char *s, size_t *a, size_t b)
{
	enum tok_kind k;

	if (*a == b)
		return TK_VAR;
	switch (s[*a]) {
	case '#':
		k = TK_SECTION;
		break;
	case '^':
		k = TK_INVERTED;
		break;
	case '/':
		k = TK_CLOSE;
		break;
	case '!':
		k = TK_COMMENT;
		break;
	case '>':
		k = TK_PARTIAL;
		break;
	case '<':
		k = TK_PARENT;
		break;
	case '$':
		k = TK_BLOCK;
		break;
	case '&':
		k = TK_RAW;
		break;
	default:
		return TK_VAR;
	}
	(*a)++;
	return k;
}

/* set_delims parses the content s[a..b) of a {{=open close=}} tag into the new delimiters. */
static int set_delims(struct compiler *c, size_t a, size_t b, int line, struct span *open,
		      struct span *close)
{
	const char *s = c->src;
	size_t w, r, i;

	trim(s, &a, &b);
	for (w = a; w < b && !is_space(s[w]); w++)
		;
	for (r = w; r < b && is_space(s[r]); r++)
		;
	if (w == a || r == b)
		goto fail;
	for (i = a; i < b; i++) {
		if (s[i] == '=' || (i >= r && is_space(s[i])))
			goto fail;
	}
	open->off = a;
	open->len = w - a;
	close->off = r;
	close->len = b - r;
	return ERR_OK;
fail:
	set_err(c->err, line, "invalid set-delimiter tag \"=%.*s=\"", shown(b - a), s + a);
	return ERR_INVALID;
}

/* close_section matches the close token c->toks[c->ntok - 1] with the innermost open one. */
static int close_section(struct compiler *c, size_t *stack, size_t *depth)
{
	size_t ci = c->ntok - 1, oi;
	struct tok *t = &c->toks[ci], *o;

	if (*depth == 0) {
		set_err(c->err, t->line, "closing tag \"/%.*s\" without an open section",
			shown(t->name_len), c->src + t->name);
		return ERR_INVALID;
	}
	oi = stack[--*depth];
	o = &c->toks[oi];
	if (o->name_len != t->name_len ||
	    memcmp(c->src + o->name, c->src + t->name, t->name_len) != 0) {
		set_err(c->err, t->line, "section \"%.*s\" opened on line %d closed by \"/%.*s\"",
			shown(o->name_len), c->src + o->name, o->line, shown(t->name_len),
			c->src + t->name);
		return ERR_INVALID;
	}
	o->match = ci;
	t->match = oi;
	return ERR_OK;
}

/* lex splits the source into tokens (pass 1). */
static int lex(struct compiler *c)
{
	const char *s = c->src;
	struct span open = {0, 2}, close = {0, 2};
	const char *otag = "{{", *ctag = "}}";
	size_t stack[MUSTACHE_MAX_NESTING];
	size_t n = c->n, pos = 0, depth = 0;
	int line = 1, rc;

	while (pos < n) {
		struct tok t;
		size_t q = find(s, n, pos, otag, open.len), a, b;
		char lead = 0;

		if (q == NPOS)
			q = n;
		if (q > pos) {
			memset(&t, 0, sizeof(t));
			t.kind = TK_TEXT;
			t.line = line;
			t.start = pos;
			t.end = q;
			rc = tok_push(c, &t);
			if (rc)
				return rc;
			line += count_lines(s + pos, q - pos);
		}
		if (q == n)
			break;

		memset(&t, 0, sizeof(t));
		t.line = line;
		t.start = q;
		a = q + open.len;
		if (a < n && (s[a] == '{' || s[a] == '='))
			lead = s[a] == '{' ? '}' : '=';
		b = find_close(s, n, lead ? a + 1 : a, lead, ctag, close.len);
		if (b == NPOS) {
			set_err(c->err, line, "unclosed tag \"%.*s\"", shown(n - q), s + q);
			return ERR_INVALID;
		}
		t.end = b + (lead ? 1 : 0) + close.len;
		if (lead == '=') {
			t.kind = TK_DELIM;
			rc = set_delims(c, a + 1, b, line, &open, &close);
			if (rc)
				return rc;
			otag = s + open.off;
			ctag = s + close.off;
		} else if (lead == '}') {
			t.kind = TK_RAW;
			a++;
		} else {
			t.kind = tag_kind(s, &a, b);
		}
		trim(s, &a, &b);
		t.name = a;
		t.name_len = b - a;
		if (t.kind != TK_COMMENT && t.kind != TK_DELIM) {
			size_t i;

			if (a == b) {
				set_err(c->err, line, "empty tag");
				return ERR_INVALID;
			}
			for (i = a; i < b; i++) {
				if (is_space(s[i])) {
					set_err(c->err, line, "space in tag name \"%.*s\"",
						shown(b - a), s + a);
					return ERR_INVALID;
				}
			}
		}
		rc = tok_push(c, &t);
		if (rc)
			return rc;
		if (is_opener(t.kind)) {
			if (depth == MUSTACHE_MAX_NESTING) {
				set_err(c->err, line, "sections nested deeper than %d",
					MUSTACHE_MAX_NESTING);
				return ERR_INVALID;
			}
			stack[depth++] = c->ntok - 1;
		} else if (t.kind == TK_CLOSE) {
			rc = close_section(c, stack, &depth);
			if (rc)
				return rc;
		}
		line += count_lines(s + q, t.end - q);
		pos = t.end;
	}
	if (depth > 0) {
		const struct tok *o = &c->toks[stack[depth - 1]];

		set_err(c->err, o->line, "unclosed section \"%.*s\"", shown(o->name_len),
			s + o->name);
		return ERR_INVALID;
	}
	return ERR_OK;
}

static bool can_stand(enum tok_kind k)
{
	return k != TK_TEXT && k != TK_VAR && k != TK_RAW;
}

/* ws_before tells whether token i (a tag) has only blanks before it on its line; *ind is set
 * to those blanks. */
static bool ws_before(const struct compiler *c, size_t i, struct span *ind)
{
	const struct tok *t;
	size_t p;

	if (i == 0) {
		ind->off = 0;
		ind->len = 0;
		return true;
	}
	t = &c->toks[i - 1];
	if (t->kind != TK_TEXT)
		return false;
	for (p = t->end; p > t->start && is_blank(c->src[p - 1]); p--)
		;
	if (p == t->start ? i - 1 != 0 : c->src[p - 1] != '\n')
		return false;
	ind->off = p;
	ind->len = t->end - p;
	return true;
}

/* ws_after tells whether token i (a tag) has only blanks after it on its line. *cut is set to
 * the bytes of the next token up to and including the line ending, *blank to the blanks only. */
static bool ws_after(const struct compiler *c, size_t i, size_t *cut, size_t *blank)
{
	const struct tok *t;
	size_t p;

	*cut = *blank = 0;
	if (i + 1 == c->ntok)
		return true;
	t = &c->toks[i + 1];
	if (t->kind != TK_TEXT)
		return false;
	for (p = t->start; p < t->end && is_blank(c->src[p]); p++)
		;
	*blank = p - t->start;
	if (p == t->end) {
		*cut = *blank;
		return i + 2 == c->ntok;
	}
	if (c->src[p] == '\r' && p + 1 < t->end && c->src[p + 1] == '\n')
		p++;
	if (c->src[p] != '\n')
		return false;
	*cut = p + 1 - t->start;
	return true;
}

/* pair tells whether tags i and i+1 may share a standalone line; *keep_nl whether the line
 * ending then stays. */
static bool pair(const struct compiler *c, size_t i, bool *keep_nl)
{
	const struct tok *a = &c->toks[i], *b = &c->toks[i + 1];

	*keep_nl = false;
	if (a->kind == TK_PARENT)
		return b->kind == TK_BLOCK || (b->kind == TK_CLOSE && a->match == i + 1);
	if (a->kind == TK_BLOCK && b->kind == TK_CLOSE && a->match == i + 1) {
		/* an empty block keeps the line: what replaces it supplies no line ending */
		*keep_nl = true;
		return true;
	}
	return a->kind == TK_CLOSE && b->kind == TK_CLOSE && c->toks[a->match].kind == TK_BLOCK &&
	       c->toks[b->match].kind == TK_PARENT;
}

static void stand(struct compiler *c, size_t first, size_t last, struct span ind, size_t cut)
{
	c->toks[first].flags |= TOK_ALONE;
	c->toks[last].flags |= TOK_ALONE;
	c->toks[first].ind = ind.off;
	c->toks[first].ind_len = ind.len;
	if (first > 0)
		c->toks[first - 1].cut_tail = ind.len;
	if (last + 1 < c->ntok)
		c->toks[last + 1].cut_head = cut;
}

/* find_standalone marks standalone tags and what they cut (pass 2). */
static void find_standalone(struct compiler *c)
{
	struct span ind;
	size_t i, cut, blank;
	bool keep_nl;

	for (i = 0; i < c->ntok; i++) {
		if (!can_stand(c->toks[i].kind) || !ws_before(c, i, &ind))
			continue;
		if (ws_after(c, i, &cut, &blank)) {
			stand(c, i, i, ind, cut);
		} else if (i + 1 < c->ntok && can_stand(c->toks[i + 1].kind) &&
			   pair(c, i, &keep_nl) && ws_after(c, i + 1, &cut, &blank)) {
			stand(c, i, i + 1, ind, keep_nl ? blank : cut);
			i++;
		}
	}
}

/* strip_len is how many bytes at s[p..end) match the indentation d. */
static size_t strip_len(const char *s, size_t p, size_t end, struct span d)
{
	size_t i = 0;

	while (i < d.len && p + i < end && s[p + i] == s[d.off + i])
		i++;
	return i;
}

static struct span strip(const char *s, struct span x, struct span d)
{
	size_t k = strip_len(s, x.off, x.off + x.len, d);

	x.off += k;
	x.len -= k;
	return x;
}

static void candidate(const char *s, size_t off, size_t len, struct span *out, bool *found)
{
	if (!*found) {
		out->off = off;
		out->len = len;
		*found = true;
		return;
	}
	out->len = strip_len(s, off, off + len, *out);
}

/* common_indent finds the indentation shared by the kept, non-blank lines in the body of the
 * container opened by token open. False when the body has no such line. */
static bool common_indent(const struct compiler *c, size_t open, struct span *out)
{
	const char *s = c->src, *nl;
	size_t k, end = c->toks[open].match, a, b, p, w;
	bool found = false, content;

	for (k = open + 1; k < end; k++) {
		const struct tok *t = &c->toks[k];

		if (t->kind != TK_TEXT) {
			if (!(t->flags & TOK_ALONE) && line_start(s, t->start))
				candidate(s, t->start, 0, out, &found);
			continue;
		}
		a = t->start + t->cut_head;
		b = t->end - t->cut_tail;
		for (p = a; p < b;) {
			if (line_start(s, p)) {
				for (w = p; w < b && is_blank(s[w]); w++)
					;
				if (w < b)
					content = s[w] != '\n' && s[w] != '\r';
				else
					content =
					    k + 1 < end && !(c->toks[k + 1].flags & TOK_ALONE);
				if (content)
					candidate(s, p, w - p, out, &found);
			}
			nl = memchr(s + p, '\n', b - p);
			if (!nl)
				break;
			p = (size_t)(nl - s) + 1;
		}
	}
	return found;
}

static int push_indent(struct compiler *c, int line)
{
	struct node nd = {.op = N_INDENT, .line = line};

	return node_push(c, &nd);
}

/* maybe_indent adds an INDENT node before a kept tag that starts its line. */
static int maybe_indent(struct compiler *c, const struct tok *t)
{
	if ((t->flags & TOK_ALONE) || !line_start(c->src, t->start))
		return ERR_OK;
	return push_indent(c, t->line);
}

/* build_text adds the kept part of a text token, line by line, stripping the indentation d
 * of the block argument it is in. */
static int build_text(struct compiler *c, const struct tok *t, struct span d)
{
	const char *s = c->src, *nl;
	size_t p = t->start + t->cut_head, b = t->end - t->cut_tail, q;
	int line = t->line, rc;

	assert(t->cut_head + t->cut_tail <= t->end - t->start);
	while (p < b) {
		if (line_start(s, p)) {
			rc = push_indent(c, line);
			if (rc)
				return rc;
			p += strip_len(s, p, b, d);
			if (p == b)
				break;
		}
		nl = memchr(s + p, '\n', b - p);
		q = nl ? (size_t)(nl - s) + 1 : b;
		{
			struct node nd = {.op = N_TEXT, .line = line, .str = p, .len = q - p};

			rc = node_push(c, &nd);
			if (rc)
				return rc;
		}
		line += nl != NULL;
		p = q;
	}
	return ERR_OK;
}

/* node_op_of maps a tag that becomes a node to the node's op. */
static enum node_op node_op_of(enum tok_kind k)
{
	switch (k) {
	case TK_VAR:
		return N_VAR;
	case TK_RAW:
		return N_RAW;
	case TK_SECTION:
		return N_SECTION;
	case TK_INVERTED:
		return N_INVERTED;
	case TK_PARTIAL:
		return N_PARTIAL;
	case TK_PARENT:
		return N_PARENT;
	case TK_BLOCK:
		return N_BLOCK;
	default:
		/* text, comments, closes and delimiters never become tag nodes */
		assert(0);
		return N_TEXT;
	}
}

static int build(struct compiler *c, size_t k, size_t end, struct span d, bool in_parent);

/* build_container adds the opener token k and its body. d is the indentation stripped from
 * lines here; in_parent tells whether k is directly inside a parent (then it is a block
 * argument). */
static int build_container(struct compiler *c, size_t k, struct span d, bool in_parent)
{
	const struct tok *t = &c->toks[k];
	struct span ind = strip(c->src, (struct span){t->ind, t->ind_len}, d), inner = d, found;
	struct node nd = {.line = t->line, .str = t->name, .len = t->name_len};
	size_t idx;
	int rc;

	if (!in_parent) {
		rc = maybe_indent(c, t);
		if (rc)
			return rc;
	}
	nd.op = node_op_of(t->kind);
	if (t->flags & TOK_ALONE)
		nd.flags |= NODE_ALONE;
	if (t->kind == TK_PARENT) {
		nd.ind = ind.off;
		nd.ind_len = ind.len;
	} else if (t->kind == TK_BLOCK && in_parent) {
		/* an argument: its own indentation goes, the replaced block's comes */
		if ((t->flags & TOK_ALONE) && common_indent(c, k, &found))
			inner = found;
	} else if (t->kind == TK_BLOCK && (t->flags & TOK_ALONE)) {
		/* a block that may be replaced: overrides get its default content's indentation */
		if (common_indent(c, k, &found))
			ind = strip(c->src, found, d);
		nd.ind = ind.off;
		nd.ind_len = ind.len;
	}
	idx = c->nnode;
	rc = node_push(c, &nd);
	if (rc)
		return rc;
	rc = build(c, k + 1, t->match, inner, t->kind == TK_PARENT);
	if (rc)
		return rc;
	c->nodes[idx].end = c->nnode;
	return ERR_OK;
}

/* build turns tokens [k, end) into nodes (pass 3). */
static int build(struct compiler *c, size_t k, size_t end, struct span d, bool in_parent)
{
	int rc = ERR_OK;

	while (k < end && rc == ERR_OK) {
		const struct tok *t = &c->toks[k];
		struct span ind = strip(c->src, (struct span){t->ind, t->ind_len}, d);
		struct node nd = {.line = t->line, .str = t->name, .len = t->name_len};

		if (in_parent && t->kind != TK_BLOCK) {
			/* inside a parent only block arguments count */
			k = is_opener(t->kind) ? t->match + 1 : k + 1;
			continue;
		}
		switch (t->kind) {
		case TK_TEXT:
			rc = build_text(c, t, d);
			break;
		case TK_COMMENT:
		case TK_DELIM:
			rc = maybe_indent(c, t);
			break;
		case TK_VAR:
		case TK_RAW:
		case TK_PARTIAL:
			nd.op = node_op_of(t->kind);
			if (t->flags & TOK_ALONE)
				nd.flags |= NODE_ALONE;
			nd.ind = ind.off;
			nd.ind_len = ind.len;
			rc = maybe_indent(c, t);
			if (rc == ERR_OK)
				rc = node_push(c, &nd);
			break;
		case TK_SECTION:
		case TK_INVERTED:
		case TK_PARENT:
		case TK_BLOCK:
			rc = build_container(c, k, d, in_parent);
			k = t->match;
			break;
		case TK_CLOSE:
			/* closes are consumed with their openers */
			assert(0);
			break;
		}
		k++;
	}
	return rc;
}

void mustache_free(struct mustache *m)
{
	if (!m)
		return;
	free(m->src);
	free(m->nodes);
	free(m);
}

int mustache_compile(const char *tpl, size_t n, struct mustache **out, struct mustache_error *err)
{
	struct compiler c;
	struct mustache *m;
	int rc;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	m = calloc(1, sizeof(*m));
	if (!m) {
		rc = ERR_NOMEM;
		goto fail;
	}
	m->src = malloc(n ? n : 1);
	if (!m->src) {
		rc = ERR_NOMEM;
		goto fail;
	}
	if (n)
		memcpy(m->src, tpl, n);
	m->src_len = n;
	c.src = m->src;
	c.n = n;
	c.err = err;
	rc = lex(&c);
	if (rc)
		goto fail;
	find_standalone(&c);
	rc = build(&c, 0, c.ntok, (struct span){0, 0}, false);
	if (rc)
		goto fail;
	m->nodes = c.nodes;
	m->n = c.nnode;
	free(c.toks);
	*out = m;
	return ERR_OK;
fail:
	if (rc == ERR_NOMEM)
		set_err(err, 0, "out of memory");
	free(c.toks);
	free(c.nodes);
	mustache_free(m);
	return rc;
}

/* ---- rendering ---- */

struct frame { /* the context stack, innermost first */
	const json_t *v;
	const struct frame *up;
};

struct indent { /* the indentation, innermost piece first */
	const char *p;
	size_t n;
	const struct indent *up;
};

struct args { /* block arguments of the parents being rendered, innermost first */
	const struct mustache *m;
	size_t parent; /* index of the PARENT node whose BLOCK children are the arguments */
	const struct args *outer;
};

struct cached {
	const char *name; /* borrowed from the template that named it */
	size_t len;
	struct mustache *m;
};

struct render {
	struct buf *out;
	mustache_source_fn src;
	mustache_lookup_fn lookup;
	void *ud;
	struct mustache_error *err;
	struct cached *cache; /* partials compiled during this render */
	size_t ncache, capcache;
	int depth; /* partials, parents and overrides being expanded */
};

/* array_index resolves a decimal part of a dotted name against an array ("items.0": the
 * first item), an extension beyond the spec so templates can test "has any" with
 * {{#items.0}}. NULL when not a valid index. */
static const json_t *array_index(const json_t *a, const char *name, size_t k)
{
	size_t i, idx = 0;

	if (k == 0 || k > 6)
		return NULL;
	for (i = 0; i < k; i++) {
		if (name[i] < '0' || name[i] > '9')
			return NULL;
		idx = idx * 10 + (size_t)(name[i] - '0');
	}
	return json_array_get(a, idx);
}

/* resolve looks a (dotted) name up in the context stack; NULL if it is not there. */
static const json_t *resolve(const struct frame *f, const char *name, size_t n)
{
	const json_t *v = NULL;
	const char *dot;
	size_t k;

	if (n == 1 && name[0] == '.')
		return f->v;
	dot = memchr(name, '.', n);
	k = dot ? (size_t)(dot - name) : n;
	for (; f && !v; f = f->up) {
		if (json_is_object(f->v))
			v = json_object_getn(f->v, name, k);
	}
	/* the rest of a dotted name resolves only against what the previous part found */
	while (v && k < n) {
		name += k + 1;
		n -= k + 1;
		dot = memchr(name, '.', n);
		k = dot ? (size_t)(dot - name) : n;
		if (json_is_array(v))
			v = array_index(v, name, k);
		else
			v = json_is_object(v) ? json_object_getn(v, name, k) : NULL;
	}
	return v;
}

static bool truthy(const json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	/* as in mustache.js: an empty string is false, so {{#venue}}…{{/venue}} shows only
	 * what was filled in (the spec leaves strings to the implementation) */
	if (json_is_string(v))
		return json_string_length(v) > 0;
	/* and so is zero ({{#count}}…{{/count}} shows only when there is something) */
	if (json_is_number(v))
		return json_number_value(v) != 0;
	return true;
}

/* put_real prints d the way JavaScript's Number.prototype.toString does: the shortest digits
 * that read back as d, in plain notation unless the exponent is below -6 or above 20. */
static int put_real(struct buf *out, double d)
{
	char tmp[40], digits[20];
	const char *p;
	int prec, len, nd = 0, point, i, rc;

	if (d == 0)
		return buf_putc(out, '0');
	for (prec = 0; prec <= 16; prec++) {
		len = snprintf(tmp, sizeof(tmp), "%.*e", prec, d);
		if (len < 0 || (size_t)len >= sizeof(tmp))
			return ERR_INVALID;
		if (strtod(tmp, NULL) == d)
			break;
	}
	/* tmp is "-d.ddde+XX": collect the digits and the decimal exponent */
	p = tmp;
	if (*p == '-') {
		rc = buf_putc(out, '-');
		if (rc)
			return rc;
		p++;
	}
	for (; *p && *p != 'e'; p++) {
		if (*p != '.' && nd < (int)sizeof(digits))
			digits[nd++] = *p;
	}
	/* digits[0..point) come before the decimal point */
	point = *p == 'e' ? (int)strtol(p + 1, NULL, 10) + 1 : 1;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (nd <= point && point <= 21) {
		rc = buf_append(out, digits, (size_t)nd);
		for (i = nd; i < point && rc == ERR_OK; i++)
			rc = buf_putc(out, '0');
	} else if (0 < point && point <= 21) {
		rc = buf_printf(out, "%.*s.%.*s", point, digits, nd - point, digits + point);
	} else if (-6 < point && point <= 0) {
		rc = buf_puts(out, "0.");
		for (i = point; i < 0 && rc == ERR_OK; i++)
			rc = buf_putc(out, '0');
		if (rc == ERR_OK)
			rc = buf_append(out, digits, (size_t)nd);
	} else {
		rc = buf_append(out, digits, 1);
		if (rc == ERR_OK && nd > 1)
			rc = buf_printf(out, ".%.*s", nd - 1, digits + 1);
		if (rc == ERR_OK)
			rc = buf_printf(out, "e%c%d", point > 0 ? '+' : '-', abs(point - 1));
	}
	return rc;
}

/* put_value prints an interpolated value; objects, arrays, null and misses print nothing. */
static int put_value(struct buf *out, const json_t *v, bool escape)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		if (escape)
			return buf_append_html(out, json_string_value(v), json_string_length(v));
		return buf_append(out, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	case JSON_REAL:
		return put_real(out, json_real_value(v));
	case JSON_TRUE:
		return buf_puts(out, "true");
	case JSON_FALSE:
		return buf_puts(out, "false");
	default:
		return ERR_OK;
	}
}

static int put_indent(struct buf *out, const struct indent *ind)
{
	int rc;

	if (!ind)
		return ERR_OK;
	rc = put_indent(out, ind->up);
	if (rc)
		return rc;
	return buf_append(out, ind->p, ind->n);
}

/* fetch finds the template a PARTIAL or PARENT node names; *pm is NULL if there is none. */
static int fetch(struct render *r, const struct mustache *m, const struct node *nd,
		 const struct mustache **pm)
{
	const char *name = m->src + nd->str, *text;
	struct mustache_error perr;
	struct mustache *cm = NULL;
	struct cached *cache;
	size_t i, len = 0, cap;
	int rc;

	*pm = NULL;
	if (r->lookup) {
		*pm = r->lookup(r->ud, name, nd->len);
		return ERR_OK;
	}
	for (i = 0; i < r->ncache; i++) {
		if (r->cache[i].len == nd->len && memcmp(r->cache[i].name, name, nd->len) == 0) {
			*pm = r->cache[i].m;
			return ERR_OK;
		}
	}
	if (!r->src)
		return ERR_OK;
	text = r->src(r->ud, name, nd->len, &len);
	if (!text)
		return ERR_OK;
	memset(&perr, 0, sizeof(perr));
	rc = mustache_compile(text, len, &cm, &perr);
	if (rc) {
		set_err(r->err, perr.line, "partial \"%.*s\": %s", shown(nd->len), name,
			perr.message);
		return rc;
	}
	if (r->ncache == r->capcache) {
		cap = r->capcache ? r->capcache * 2 : 8;
		cache = realloc(r->cache, cap * sizeof(*cache));
		if (!cache) {
			mustache_free(cm);
			return ERR_NOMEM;
		}
		r->cache = cache;
		r->capcache = cap;
	}
	r->cache[r->ncache].name = name;
	r->cache[r->ncache].len = nd->len;
	r->cache[r->ncache].m = cm;
	r->ncache++;
	*pm = cm;
	return ERR_OK;
}

/* find_arg finds the argument for block name among the parents being rendered. The outermost
 * wins: a template's own arguments override those of the parents it inherits from. */
static void find_arg(const struct args *a, const char *name, size_t n, const struct mustache **am,
		     size_t *aj)
{
	const struct mustache *m;
	const struct node *nd;
	size_t k;

	*am = NULL;
	*aj = 0;
	for (; a; a = a->outer) {
		m = a->m;
		for (k = a->parent + 1; k < m->nodes[a->parent].end; k = nd->end) {
			nd = &m->nodes[k];
			assert(nd->op == N_BLOCK);
			if (nd->len == n && memcmp(m->src + nd->str, name, n) == 0) {
				*am = m;
				*aj = k;
				break;
			}
		}
	}
}

static int deeper(struct render *r, const struct mustache *m, const struct node *nd)
{
	if (r->depth < MUSTACHE_MAX_DEPTH)
		return ERR_OK;
	set_err(r->err, nd->line, "partials and blocks nested deeper than %d at \"%.*s\"",
		MUSTACHE_MAX_DEPTH, shown(nd->len), m->src + nd->str);
	return ERR_INVALID;
}

static bool is_container(enum node_op op)
{
	return op == N_SECTION || op == N_INVERTED || op == N_PARENT || op == N_BLOCK;
}

static int render_nodes(struct render *r, const struct mustache *m, size_t i, size_t end,
			const struct frame *ctx, const struct indent *ind, const struct args *args);

static int render_section(struct render *r, const struct mustache *m, size_t i,
			  const struct frame *ctx, const struct indent *ind,
			  const struct args *args)
{
	const struct node *nd = &m->nodes[i];
	const json_t *v = resolve(ctx, m->src + nd->str, nd->len);
	struct frame f = {v, ctx};
	size_t k;
	int rc = ERR_OK;

	if (nd->op == N_INVERTED)
		return truthy(v) ? ERR_OK : render_nodes(r, m, i + 1, nd->end, ctx, ind, args);
	if (!truthy(v))
		return ERR_OK;
	if (!json_is_array(v))
		return render_nodes(r, m, i + 1, nd->end, &f, ind, args);
	for (k = 0; k < json_array_size(v) && rc == ERR_OK; k++) {
		f.v = json_array_get(v, k);
		rc = render_nodes(r, m, i + 1, nd->end, &f, ind, args);
	}
	return rc;
}

/* render_include renders a partial, or a parent with its block arguments. */
static int render_include(struct render *r, const struct mustache *m, size_t i,
			  const struct frame *ctx, const struct indent *ind,
			  const struct args *args)
{
	const struct node *nd = &m->nodes[i];
	const struct mustache *pm;
	struct indent own = {m->src + nd->ind, nd->ind_len, ind};
	struct args mine = {m, i, args};
	int rc;

	rc = deeper(r, m, nd);
	if (rc)
		return rc;
	rc = fetch(r, m, nd, &pm);
	if (rc || !pm)
		return rc;
	/* a partial that does not stand alone is not indented at all */
	r->depth++;
	rc = render_nodes(r, pm, 0, pm->n, ctx, (nd->flags & NODE_ALONE) ? &own : NULL,
			  nd->op == N_PARENT ? &mine : args);
	r->depth--;
	return rc;
}

/* render_block renders a block: the argument passed for it, or else its default content. */
static int render_block(struct render *r, const struct mustache *m, size_t i,
			const struct frame *ctx, const struct indent *ind, const struct args *args)
{
	const struct node *nd = &m->nodes[i], *an;
	const struct mustache *am;
	struct indent own = {m->src + nd->ind, nd->ind_len, ind};
	const struct indent *ai = NULL;
	size_t aj;
	int rc;

	find_arg(args, m->src + nd->str, nd->len, &am, &aj);
	if (!am)
		return render_nodes(r, m, i + 1, nd->end, ctx, ind, args);
	rc = deeper(r, m, nd);
	if (rc)
		return rc;
	an = &am->nodes[aj];
	if (nd->flags & NODE_ALONE) {
		ai = &own;
		/* an argument that does not start a line does not bring its first INDENT */
		if (!(an->flags & NODE_ALONE) && aj + 1 < an->end) {
			rc = put_indent(r->out, ai);
			if (rc)
				return rc;
		}
	}
	r->depth++;
	rc = render_nodes(r, am, aj + 1, an->end, ctx, ai, args);
	r->depth--;
	return rc;
}

static int render_nodes(struct render *r, const struct mustache *m, size_t i, size_t end,
			const struct frame *ctx, const struct indent *ind, const struct args *args)
{
	const struct node *nd;
	int rc = ERR_OK;

	while (i < end && rc == ERR_OK) {
		nd = &m->nodes[i];
		switch (nd->op) {
		case N_TEXT:
			rc = buf_append(r->out, m->src + nd->str, nd->len);
			break;
		case N_INDENT:
			rc = put_indent(r->out, ind);
			break;
		case N_VAR:
		case N_RAW:
			rc = put_value(r->out, resolve(ctx, m->src + nd->str, nd->len),
				       nd->op == N_VAR);
			break;
		case N_SECTION:
		case N_INVERTED:
			rc = render_section(r, m, i, ctx, ind, args);
			break;
		case N_PARTIAL:
		case N_PARENT:
			rc = render_include(r, m, i, ctx, ind, args);
			break;
		case N_BLOCK:
			rc = render_block(r, m, i, ctx, ind, args);
			break;
		}
		i = is_container(nd->op) ? nd->end : i + 1;
	}
	return rc;
}

static int render_top(const struct mustache *m, const json_t *ctx, mustache_source_fn src,
		      mustache_lookup_fn lookup, void *ud, struct buf *out,
		      struct mustache_error *err)
{
	struct render r;
	struct frame root = {ctx, NULL};
	size_t mark = out->n, i;
	int rc;

	memset(&r, 0, sizeof(r));
	r.out = out;
	r.src = src;
	r.lookup = lookup;
	r.ud = ud;
	r.err = err;
	if (err) {
		err->line = 0;
		err->message[0] = '\0';
	}
	rc = render_nodes(&r, m, 0, m->n, &root, NULL, NULL);
	for (i = 0; i < r.ncache; i++)
		mustache_free(r.cache[i].m);
	free(r.cache);
	if (rc) {
		if (rc == ERR_TOO_BIG)
			set_err(err, 0, "output over the buffer's limit of %zu bytes", out->max);
		else if (rc == ERR_NOMEM)
			set_err(err, 0, "out of memory");
		if (out->p) {
			out->n = mark;
			out->p[mark] = '\0';
		}
	}
	return rc;
}

int mustache_render_compiled(const struct mustache *m, const json_t *ctx, mustache_source_fn src,
			     void *ud, struct buf *out, struct mustache_error *err)
{
	return render_top(m, ctx, src, NULL, ud, out, err);
}

int mustache_render_lookup(const struct mustache *m, const json_t *ctx, mustache_lookup_fn lookup,
			   void *ud, struct buf *out, struct mustache_error *err)
{
	return render_top(m, ctx, NULL, lookup, ud, out, err);
}

int mustache_render(const char *tpl, size_t n, const json_t *ctx, mustache_source_fn src, void *ud,
		    struct buf *out, struct mustache_error *err)
{
	struct mustache *m = NULL;
	int rc;

	rc = mustache_compile(tpl, n, &m, err);
	if (rc == ERR_OK)
		rc = mustache_render_compiled(m, ctx, src, ud, out, err);
	mustache_free(m);
	return rc;
}
