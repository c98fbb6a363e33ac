/*
 * The condition language of rules.md: a lexer, a recursive-descent parser
 * to a tree, a type checker against the contract's field types, and an
 * evaluator with three-valued logic.
 *
 *   condition := or_expr
 *   or_expr   := and_expr { "or" and_expr }
 *   and_expr  := not_expr { "and" not_expr }
 *   not_expr  := "not" not_expr | primary
 *   primary   := "(" condition ")" | test
 *   test      := FIELD | FIELD "is" ("known" | "unknown") | FIELD CMP literal
 *              | FIELD "in" "[" literal { "," literal } "]" | FIELD "contains" STRING
 */
#include "reftriage/rules.h"

#include "reftriage/alloc.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"

static const char *const derived_names[DERIVED_N] = {"days_waiting",       "days_to_meeting",
                                                     "images_total",       "linked_packages",
                                                     "ip_linked_packages", "deconfliction_hits"};

const char *cond_field_name(int f)
{
	if (f < CONTRACT_NFIELDS)
		return contract_fields[f].name;
	return derived_names[f - CONTRACT_NFIELDS];
}

/* The type a condition sees: derived fields are all whole numbers. */
static enum field_type ftype(int f)
{
	return f < CONTRACT_NFIELDS ? contract_fields[f].type : FT_INT;
}

static const char *type_phrase(int f)
{
	switch (ftype(f)) {
	case FT_STRING:
		return "a text field";
	case FT_DATETIME:
		return "a date-time field";
	case FT_DATE:
		return "a date field";
	case FT_ENUM:
		return "a field with fixed values";
	case FT_INT:
		return "a whole-number field";
	case FT_BOOL:
		return "a yes/no field";
	default:
		return "a list";
	}
}

/* --- errors ----------------------------------------------------------- */

void rules_error_add(struct diag_list *errs, const char *where, const char *key, unsigned column,
                     const char *fmt, ...)
{
	/* Bounded: a file with a million mistakes only counts the rest (diag_list). */
	struct diag *e = diag_list_add(errs);
	va_list ap;

	if (!e)
		return;
	(void)snprintf(e->field, sizeof(e->field), "%s%s%s", where, key && key[0] ? ": " : "",
	               key ? key : "");
	e->column = column;
	va_start(ap, fmt);
	(void)vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

/* --- lexer ------------------------------------------------------------ */

enum tok_kind {
	T_END,
	T_IDENT,
	T_INT,
	T_STRING,
	T_LPAREN,
	T_RPAREN,
	T_LBRACK,
	T_RBRACK,
	T_COMMA,
	T_CMP,
	T_AND,
	T_OR,
	T_NOT,
	T_IS,
	T_KNOWN,
	T_UNKNOWN,
	T_IN,
	T_CONTAINS,
	T_TRUE,
	T_FALSE,
	T_BAD,
};

enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
static const char *const op_names[] = {"=", "!=", "<", "<=", ">", ">="};

struct tok {
	enum tok_kind kind;
	unsigned column; /* 1-based */
	const char *s;   /* the token's text in the source */
	size_t len;
	int64_t ival;
	int op;
	struct buf str; /* T_STRING: the unescaped value */
};

static const struct {
	const char *word;
	enum tok_kind kind;
} keywords[] = {
    {"and", T_AND},     {"or", T_OR},           {"not", T_NOT}, {"is", T_IS},
    {"known", T_KNOWN}, {"unknown", T_UNKNOWN}, {"in", T_IN},   {"contains", T_CONTAINS},
    {"true", T_TRUE},   {"false", T_FALSE},
};

/*
 * Limits that keep parsing, evaluating and freeing shallow however hostile
 * the input: parentheses and not nest at most MAX_NEST deep, and a condition
 * has at most MAX_NODES tests and operators.
 */
#define MAX_NEST      RULES_MAX_NEST
#define MAX_NODES     1000
#define MAX_CONDITION RULES_MAX_CONDITION

struct parser {
	const char *src;
	size_t len, pos;
	int depth;    /* parentheses and nots open */
	size_t nodes; /* nodes made */
	const char *where;
	struct diag_list *errs;
	struct tok t; /* the current token */
	bool failed;  /* a syntax error: stop */
	struct cond *c;
};

static void syntax(struct parser *p, unsigned column, const char *fmt, ...) PRINTF_LIKE(3, 4);

static void syntax(struct parser *p, unsigned column, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (p->failed)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rules_error_add(p->errs, p->where, "when", column, "%s", msg);
	p->failed = true;
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static void next(struct parser *p)
{
	struct tok *t = &p->t;
	const char *s = p->src;
	size_t i = p->pos, k;

	while (i < p->len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	t->column = (unsigned)i + 1;
	t->s = s + i;
	t->len = 0;
	if (i >= p->len) {
		t->kind = T_END;
		p->pos = i;
		return;
	}
	if (is_ident_start(s[i])) {
		size_t j = i;

		while (j < p->len && is_ident_char(s[j]))
			j++;
		t->kind = T_IDENT;
		t->len = j - i;
		for (k = 0; k < ARRAY_SIZE(keywords); k++)
			if (strlen(keywords[k].word) == t->len &&
			    memcmp(keywords[k].word, s + i, t->len) == 0)
				t->kind = keywords[k].kind;
		p->pos = j;
		return;
	}
	if ((s[i] >= '0' && s[i] <= '9') ||
	    (s[i] == '-' && i + 1 < p->len && s[i + 1] >= '0' && s[i + 1] <= '9')) {
		size_t j = i + (s[i] == '-');
		int64_t v = 0;

		while (j < p->len && s[j] >= '0' && s[j] <= '9') {
			if (v > INT64_C(100000000000000)) {
				syntax(p, t->column, "the number is too large");
				t->kind = T_BAD;
				return;
			}
			v = v * 10 + (s[j] - '0');
			j++;
		}
		t->kind = T_INT;
		t->ival = s[i] == '-' ? -v : v;
		t->len = j - i;
		p->pos = j;
		if (j < p->len && (is_ident_char(s[j]) || s[j] == '.')) {
			syntax(p, (unsigned)j + 1,
			       "a number must be whole digits (no fractions, units or letters)");
			t->kind = T_BAD;
		}
		return;
	}
	if (s[i] == '"') {
		size_t j = i + 1;

		buf_reset(&t->str);
		while (j < p->len && s[j] != '"') {
			char c = s[j];

			if (c == '\\') {
				if (j + 1 < p->len && (s[j + 1] == '"' || s[j + 1] == '\\')) {
					c = s[j + 1];
					j++;
				} else {
					syntax(p, (unsigned)j + 1,
					       "only \\\" and \\\\ may follow a backslash in a "
					       "string");
					t->kind = T_BAD;
					return;
				}
			}
			if (buf_addc(&t->str, c) < 0) {
				p->errs->oom = true;
				p->failed = true;
				t->kind = T_BAD;
				return;
			}
			j++;
		}
		if (j >= p->len) {
			syntax(p, t->column, "the string is not closed with \"");
			t->kind = T_BAD;
			return;
		}
		t->kind = T_STRING;
		t->len = j + 1 - i;
		p->pos = j + 1;
		return;
	}
	t->len = 1;
	p->pos = i + 1;
	switch (s[i]) {
	case '(':
		t->kind = T_LPAREN;
		return;
	case ')':
		t->kind = T_RPAREN;
		return;
	case '[':
		t->kind = T_LBRACK;
		return;
	case ']':
		t->kind = T_RBRACK;
		return;
	case ',':
		t->kind = T_COMMA;
		return;
	case '=':
		t->kind = T_CMP;
		t->op = OP_EQ;
		if (i + 1 < p->len && s[i + 1] == '=') {
			syntax(p, t->column, "write = for equality, not ==");
			t->kind = T_BAD;
		}
		return;
	case '!':
		if (i + 1 < p->len && s[i + 1] == '=') {
			t->kind = T_CMP;
			t->op = OP_NE;
			t->len = 2;
			p->pos = i + 2;
			return;
		}
		break;
	case '<':
	case '>':
		t->kind = T_CMP;
		t->op = s[i] == '<' ? OP_LT : OP_GT;
		if (i + 1 < p->len && s[i + 1] == '=') {
			t->op++;
			t->len = 2;
			p->pos = i + 2;
		}
		return;
	default:
		break;
	}
	t->kind = T_BAD;
	if (s[i] == '&' || s[i] == '|')
		syntax(p, t->column, "unexpected '%c': write 'and' / 'or'", s[i]);
	else if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f)
		syntax(p, t->column, "unexpected character '%c'", s[i]);
	else
		syntax(p, t->column, "unexpected byte 0x%02x", (unsigned char)s[i]);
}

/* --- the tree --------------------------------------------------------- */

enum node_kind { N_AND, N_OR, N_NOT, N_TRUTH, N_KNOWN, N_UNKNOWN, N_CMP, N_IN, N_CONTAINS };

struct lit {
	int64_t i; /* int, bool, enum index, date days, datetime us */
	char *s;   /* strings: owned, NUL-terminated (lower-cased for contains) */
	size_t slen;
};

struct node {
	enum node_kind kind;
	struct node *a, *b;
	int field;
	int op;
	struct lit *lits; /* one for CMP and CONTAINS; the set for IN */
	size_t nlits;
	unsigned column; /* of the field */
};

struct cond {
	struct node *root;
};

static void node_free(struct node *n)
{
	size_t i;

	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	for (i = 0; i < n->nlits; i++)
		rt_free(n->lits[i].s);
	rt_free(n->lits);
	rt_free(n);
}

void cond_free(struct cond *c)
{
	if (!c)
		return;
	node_free(c->root);
	rt_free(c);
}

static struct node *node_new(struct parser *p, enum node_kind kind)
{
	struct node *n;

	if (++p->nodes > MAX_NODES) {
		syntax(p, p->t.column, "the condition has more than %d tests and operators",
		       MAX_NODES);
		return NULL;
	}
	n = rt_calloc(1, sizeof(*n));

	if (!n) {
		p->errs->oom = true;
		p->failed = true;
	} else {
		n->kind = kind;
		n->field = -1;
	}
	return n;
}

/* --- type checking of literals, as they are parsed ---------------------- */

static int field_lookup(const char *s, size_t len)
{
	int f;

	for (f = 0; f < COND_NFIELDS; f++) {
		const char *name = cond_field_name(f);

		if (strlen(name) == len && memcmp(name, s, len) == 0)
			return f;
	}
	return -1;
}

static const char *field_suggest(const char *s, size_t len)
{
	const char *best = NULL;
	unsigned best_d = 4;
	int f;

	for (f = 0; f < COND_NFIELDS; f++) {
		const char *name = cond_field_name(f);
		unsigned d = text_distance(s, len, name, strlen(name), 3);

		if (d < best_d) {
			best_d = d;
			best = name;
		}
	}
	return best;
}

/* A type error: reported, parsing goes on so that every error is found. */
static void type_error(struct parser *p, unsigned column, const char *fmt, ...) PRINTF_LIKE(3, 4);

static void type_error(struct parser *p, unsigned column, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rules_error_add(p->errs, p->where, "when", column, "%s", msg);
	p->c = NULL; /* the condition will not be kept */
}

static void shown_token(const struct tok *t, char *dst, size_t size)
{
	text_display(dst, size, t->s, t->len, 40);
}

/* Check that the current token is a literal that fits field f; fill lit. */
static bool literal(struct parser *p, int f, struct lit *lit)
{
	const struct tok *t = &p->t;
	enum field_type ty = ftype(f);
	char shown[200], list[300];
	const char *why;

	memset(lit, 0, sizeof(*lit));
	if (t->kind != T_INT && t->kind != T_STRING && t->kind != T_TRUE && t->kind != T_FALSE) {
		shown_token(t, shown, sizeof(shown));
		syntax(p, t->column,
		       "expected a value (a number, \"text\", true or false), found %s",
		       t->kind == T_END ? "the end" : shown);
		return false;
	}
	shown_token(t, shown, sizeof(shown));
	switch (ty) {
	case FT_INT:
		if (t->kind != T_INT)
			goto mismatch;
		lit->i = t->ival;
		return true;
	case FT_BOOL:
		if (t->kind != T_TRUE && t->kind != T_FALSE)
			goto mismatch;
		lit->i = t->kind == T_TRUE;
		return true;
	case FT_ENUM:
		if (t->kind != T_STRING)
			goto mismatch;
		lit->i = contract_enum_index(contract_fields[f].values, t->str.data, t->str.len);
		if (lit->i < 0) {
			int k;

			contract_enum_list(contract_fields[f].values, list, sizeof(list));
			for (k = 0; contract_fields[f].values[k]; k++)
				if (text_ieq(t->str.data, t->str.len, contract_fields[f].values[k]))
					break;
			if (contract_fields[f].values[k])
				type_error(
				    p, t->column,
				    "%s is not a value of %s (did you mean \"%s\"? values are "
				    "case-sensitive)",
				    shown, cond_field_name(f), contract_fields[f].values[k]);
			else
				type_error(p, t->column, "%s is not a value of %s (expected %s)",
				           shown, cond_field_name(f), list);
		}
		return true;
	case FT_STRING:
		if (t->kind != T_STRING)
			goto mismatch;
		lit->s = rt_memdup0(t->str.data, t->str.len);
		lit->slen = t->str.len;
		if (!lit->s) {
			p->errs->oom = true;
			p->failed = true;
			return false;
		}
		return true;
	case FT_DATE:
	case FT_DATETIME:
		if (t->kind != T_STRING)
			goto mismatch;
		if (ty == FT_DATE) {
			int32_t days;

			if (time_parse_date(t->str.data, t->str.len, &days, &why) < 0)
				type_error(p, t->column, "%s is not a date: %s", shown, why);
			lit->i = days;
		} else if (time_parse_datetime(t->str.data, t->str.len, &lit->i, &why) < 0) {
			type_error(p, t->column, "%s is not a date-time: %s", shown, why);
		}
		return true;
	default:
		break;
	}
mismatch:
	switch (ty) {
	case FT_INT:
		type_error(p, t->column, "%s is %s: compare it with a whole number, not %s",
		           cond_field_name(f), type_phrase(f), shown);
		break;
	case FT_BOOL:
		type_error(p, t->column, "%s is %s: compare it with true or false, not %s",
		           cond_field_name(f), type_phrase(f), shown);
		break;
	default:
		type_error(p, t->column, "%s is %s: compare it with a \"quoted\" value, not %s",
		           cond_field_name(f), type_phrase(f), shown);
	}
	return true;
}

/* --- the parser ------------------------------------------------------- */

static struct node *or_expr(struct parser *p);

static bool expect(struct parser *p, enum tok_kind kind, const char *what)
{
	char shown[200];

	if (p->t.kind == kind) {
		next(p);
		return true;
	}
	shown_token(&p->t, shown, sizeof(shown));
	syntax(p, p->t.column, "expected %s, found %s", what,
	       p->t.kind == T_END ? "the end" : shown);
	return false;
}

static struct node *test(struct parser *p)
{
	struct tok *t = &p->t;
	unsigned column = t->column;
	struct node *n = NULL;
	char shown[200];
	int f;

	if (t->kind != T_IDENT) {
		shown_token(t, shown, sizeof(shown));
		syntax(p, t->column, "expected a field name, found %s",
		       t->kind == T_END ? "the end" : shown);
		return NULL;
	}
	f = field_lookup(t->s, t->len);
	if (f < 0) {
		const char *hint = field_suggest(t->s, t->len);
		size_t k;

		shown_token(t, shown, sizeof(shown));
		for (k = 0; k < ARRAY_SIZE(keywords); k++)
			if (text_ieq(t->s, t->len, keywords[k].word))
				break;
		if (k < ARRAY_SIZE(keywords))
			type_error(p, column,
			           "unknown field \"%s\" (keywords are lowercase: \"%s\")", shown,
			           keywords[k].word);
		else if (hint)
			type_error(p, column, "unknown field \"%s\" (did you mean %s?)", shown,
			           hint);
		else
			type_error(p, column, "unknown field \"%s\"", shown);
	} else if (f == F_IDENTIFIERS) {
		type_error(p, column,
		           "identifiers cannot be tested in a condition (use linked_packages)");
	}
	next(p);
	switch (t->kind) {
	case T_IS:
		next(p);
		if (t->kind != T_KNOWN && t->kind != T_UNKNOWN) {
			expect(p, T_KNOWN, "known or unknown after is");
			return NULL;
		}
		n = node_new(p, t->kind == T_KNOWN ? N_KNOWN : N_UNKNOWN);
		next(p);
		break;
	case T_CMP: {
		int op = t->op;

		n = node_new(p, N_CMP);
		if (!n)
			return NULL;
		n->op = op;
		if (f >= 0 && op > OP_NE && ftype(f) != FT_INT) {
			type_error(p, t->column,
			           "%s needs a whole-number field; %s is %s (only = and != apply)",
			           op_names[op], cond_field_name(f), type_phrase(f));
			f = -1; /* one error for this test is enough */
		}
		next(p);
		n->lits = rt_calloc(1, sizeof(*n->lits));
		if (!n->lits) {
			p->errs->oom = p->failed = true;
			break;
		}
		n->nlits = 1;
		if (f >= 0 && f != F_IDENTIFIERS && !literal(p, f, &n->lits[0]))
			break;
		next(p);
		break;
	}
	case T_IN: {
		size_t cap = 0;

		n = node_new(p, N_IN);
		if (!n)
			return NULL;
		next(p);
		if (!expect(p, T_LBRACK, "[ after in"))
			break;
		for (;;) {
			if (n->nlits == cap) {
				struct lit *nl;

				cap = cap ? cap * 2 : 4;
				nl = rt_realloc(n->lits, cap * sizeof(*nl));
				if (!nl) {
					p->errs->oom = p->failed = true;
					break;
				}
				n->lits = nl;
			}
			if (f >= 0 && f != F_IDENTIFIERS) {
				if (!literal(p, f, &n->lits[n->nlits]))
					break;
			} else {
				memset(&n->lits[n->nlits], 0, sizeof(n->lits[0]));
			}
			n->nlits++;
			next(p);
			if (t->kind == T_COMMA) {
				next(p);
				continue;
			}
			expect(p, T_RBRACK, "',' or ']' in the list");
			break;
		}
		break;
	}
	case T_CONTAINS:
		n = node_new(p, N_CONTAINS);
		if (!n)
			return NULL;
		if (f >= 0 && f != F_IDENTIFIERS && ftype(f) != FT_STRING)
			type_error(p, t->column, "contains needs a text field; %s is %s",
			           cond_field_name(f), type_phrase(f));
		next(p);
		if (t->kind != T_STRING) {
			expect(p, T_STRING, "a \"quoted\" text after contains");
			break;
		}
		n->lits = rt_calloc(1, sizeof(*n->lits));
		if (!n->lits) {
			p->errs->oom = p->failed = true;
			break;
		}
		n->nlits = 1;
		n->lits[0].s = rt_memdup0(t->str.data, t->str.len);
		n->lits[0].slen = t->str.len;
		if (!n->lits[0].s) {
			p->errs->oom = p->failed = true;
			break;
		}
		/* Case-insensitive (ASCII): the needle is kept in lower case. */
		for (size_t k = 0; k < t->str.len; k++)
			if (n->lits[0].s[k] >= 'A' && n->lits[0].s[k] <= 'Z')
				n->lits[0].s[k] = (char)(n->lits[0].s[k] - 'A' + 'a');
		next(p);
		break;
	default:
		n = node_new(p, N_TRUTH);
		if (f >= 0 && f != F_IDENTIFIERS && ftype(f) != FT_BOOL)
			type_error(p, column,
			           "%s is %s; on its own a field must be yes/no (compare it, or "
			           "write %s is known)",
			           cond_field_name(f), type_phrase(f), cond_field_name(f));
	}
	if (n) {
		n->field = f;
		n->column = column;
	}
	return n;
}

static struct node *primary(struct parser *p)
{
	if (p->t.kind == T_LPAREN) {
		unsigned open = p->t.column;
		struct node *n;

		if (++p->depth > MAX_NEST) {
			syntax(p, p->t.column, "parentheses and not nest more than %d deep",
			       MAX_NEST);
			return NULL;
		}
		next(p);
		n = or_expr(p);
		p->depth--;
		if (p->failed)
			return n;
		if (p->t.kind != T_RPAREN) {
			char shown[200];

			shown_token(&p->t, shown, sizeof(shown));
			syntax(p, p->t.column,
			       "expected ')' to close the '(' at column %u, found %s", open,
			       p->t.kind == T_END ? "the end" : shown);
			return n;
		}
		next(p);
		return n;
	}
	return test(p);
}

static struct node *not_expr(struct parser *p)
{
	if (p->t.kind == T_NOT) {
		struct node *n;

		if (++p->depth > MAX_NEST) {
			syntax(p, p->t.column, "parentheses and not nest more than %d deep",
			       MAX_NEST);
			return NULL;
		}
		n = node_new(p, N_NOT);
		next(p);
		if (n)
			n->a = not_expr(p);
		p->depth--;
		return n;
	}
	return primary(p);
}

static struct node *binary(struct parser *p, enum tok_kind op, enum node_kind kind,
                           struct node *(*operand)(struct parser *))
{
	struct node *left = operand(p);

	while (!p->failed && p->t.kind == op) {
		struct node *n = node_new(p, kind);

		next(p);
		if (!n)
			break;
		n->a = left;
		n->b = operand(p);
		left = n;
	}
	return left;
}

static struct node *and_expr(struct parser *p)
{
	return binary(p, T_AND, N_AND, not_expr);
}

static struct node *or_expr(struct parser *p)
{
	return binary(p, T_OR, N_OR, and_expr);
}

struct cond *cond_compile(const char *src, size_t len, const char *where, struct diag_list *errs)
{
	struct parser p;
	struct cond *c = rt_calloc(1, sizeof(*c));
	struct node *root;

	if (!c) {
		errs->oom = true;
		return NULL;
	}
	memset(&p, 0, sizeof(p));
	if (len > MAX_CONDITION) {
		rules_error_add(errs, where, "when", 0, "the condition is longer than %d bytes",
		                MAX_CONDITION);
		rt_free(c);
		return NULL;
	}
	p.src = src;
	p.len = len;
	p.where = where;
	p.errs = errs;
	p.c = c;
	buf_init(&p.t.str);
	next(&p);
	if (p.t.kind == T_END)
		syntax(&p, 1, "the condition is empty");
	root = or_expr(&p);
	if (!p.failed && p.t.kind != T_END) {
		char shown[200];
		size_t k;

		shown_token(&p.t, shown, sizeof(shown));
		for (k = 0; p.t.kind == T_IDENT && k < ARRAY_SIZE(keywords); k++)
			if (text_ieq(p.t.s, p.t.len, keywords[k].word))
				break;
		if (p.t.kind == T_IDENT && k < ARRAY_SIZE(keywords))
			syntax(&p, p.t.column, "unexpected %s: keywords are lowercase (write %s)",
			       shown, keywords[k].word);
		else
			syntax(&p, p.t.column,
			       "unexpected %s after a complete condition (missing and/or?)", shown);
	}
	buf_release(&p.t.str);
	c->root = root;
	if (p.failed || !p.c) {
		cond_free(c);
		return NULL;
	}
	return c;
}

/* --- evaluation ------------------------------------------------------- */

/* Field f's value: false when unknown. */
static bool value(const struct cond_input *in, int f, int64_t *v, const char **s, size_t *slen)
{
	if (f >= CONTRACT_NFIELDS) {
		int d = f - CONTRACT_NFIELDS;

		if (!((in->derived_known >> d) & 1))
			return false;
		*v = in->derived[d];
		return true;
	}
	if (!package_known(in->pkg, f))
		return false;
	if (contract_fields[f].type == FT_STRING)
		*s = package_str(in->pkg, f, slen);
	else
		*v = in->pkg->v[f];
	return true;
}

static bool contains_ci(const char *hay, size_t hn, const char *needle, size_t nn)
{
	size_t i, k;

	if (nn == 0)
		return true;
	for (i = 0; i + nn <= hn; i++) {
		for (k = 0; k < nn; k++) {
			char c = hay[i + k];

			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != needle[k])
				break;
		}
		if (k == nn)
			return true;
	}
	return false;
}

static bool lit_equal(int f, const struct lit *l, int64_t v, const char *s, size_t slen)
{
	if (ftype(f) == FT_STRING)
		return l->slen == slen && memcmp(l->s, s, slen) == 0;
	return l->i == v;
}

static enum tv eval(const struct node *n, const struct cond_input *in)
{
	int64_t v = 0;
	const char *s = NULL;
	size_t slen = 0, i;
	enum tv a, b;

	switch (n->kind) {
	case N_AND:
		a = eval(n->a, in);
		if (a == TV_FALSE)
			return TV_FALSE;
		b = eval(n->b, in);
		if (b == TV_FALSE)
			return TV_FALSE;
		return a == TV_UNKNOWN || b == TV_UNKNOWN ? TV_UNKNOWN : TV_TRUE;
	case N_OR:
		a = eval(n->a, in);
		if (a == TV_TRUE)
			return TV_TRUE;
		b = eval(n->b, in);
		if (b == TV_TRUE)
			return TV_TRUE;
		return a == TV_UNKNOWN || b == TV_UNKNOWN ? TV_UNKNOWN : TV_FALSE;
	case N_NOT:
		a = eval(n->a, in);
		return a == TV_UNKNOWN ? TV_UNKNOWN : a == TV_TRUE ? TV_FALSE : TV_TRUE;
	case N_KNOWN:
		return value(in, n->field, &v, &s, &slen) ? TV_TRUE : TV_FALSE;
	case N_UNKNOWN:
		return value(in, n->field, &v, &s, &slen) ? TV_FALSE : TV_TRUE;
	default:
		break;
	}
	if (!value(in, n->field, &v, &s, &slen))
		return TV_UNKNOWN;
	switch (n->kind) {
	case N_TRUTH:
		return v ? TV_TRUE : TV_FALSE;
	case N_CMP: {
		bool r;

		if (n->op == OP_EQ || n->op == OP_NE) {
			r = lit_equal(n->field, &n->lits[0], v, s, slen);
			if (n->op == OP_NE)
				r = !r;
		} else {
			int64_t l = n->lits[0].i;

			r = n->op == OP_LT   ? v < l
			    : n->op == OP_LE ? v <= l
			    : n->op == OP_GT ? v > l
			                     : v >= l;
		}
		return r ? TV_TRUE : TV_FALSE;
	}
	case N_IN:
		for (i = 0; i < n->nlits; i++)
			if (lit_equal(n->field, &n->lits[i], v, s, slen))
				return TV_TRUE;
		return TV_FALSE;
	case N_CONTAINS:
		return contains_ci(s, slen, n->lits[0].s, n->lits[0].slen) ? TV_TRUE : TV_FALSE;
	default:
		return TV_UNKNOWN;
	}
}

static void each_literal(const struct node *n, int field, void (*fn)(void *ctx, int64_t v),
                         void *ctx)
{
	size_t i;

	if (!n)
		return;
	each_literal(n->a, field, fn, ctx);
	each_literal(n->b, field, fn, ctx);
	if ((n->kind == N_CMP || n->kind == N_IN) && n->field == field)
		for (i = 0; i < n->nlits; i++)
			fn(ctx, n->lits[i].i);
}

void cond_each_literal(const struct cond *c, int field, void (*fn)(void *ctx, int64_t v), void *ctx)
{
	each_literal(c->root, field, fn, ctx);
}

enum tv cond_eval(const struct cond *c, const struct cond_input *in)
{
	return eval(c->root, in);
}
