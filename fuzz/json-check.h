/* SPDX-License-Identifier: MIT */
/*
 * A small, strict JSON syntax checker (RFC 8259) for the fuzz targets whose
 * renderers print JSON: hostile node names, property strings and messages
 * must come out escaped, so the document must still parse.  Nesting is
 * bounded; only syntax is checked, not the schema.
 */
#ifndef IMS_FUZZ_JSON_CHECK_H
#define IMS_FUZZ_JSON_CHECK_H

#include <stdbool.h>
#include <string.h>

#define JC_MAX_DEPTH 64

struct jc {
	const char *p;
	int depth;
};

static void jc_ws(struct jc *j)
{
	while (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r')
		j->p++;
}

static bool jc_string(struct jc *j)
{
	if (*j->p++ != '"')
		return false;
	for (;;) {
		unsigned char c = (unsigned char)*j->p++;

		if (c == '"')
			return true;
		if (c < 0x20)
			return false; /* NUL (the end), or an unescaped control character */
		if (c != '\\')
			continue;
		c = (unsigned char)*j->p++;
		if (c == 'u') {
			for (int i = 0; i < 4; i++, j->p++)
				if (!strchr("0123456789abcdefABCDEF", *j->p) || !*j->p)
					return false;
		} else if (!c || !strchr("\"\\/bfnrt", c)) {
			return false;
		}
	}
}

static bool jc_digits(struct jc *j)
{
	if (*j->p < '0' || *j->p > '9')
		return false;
	while (*j->p >= '0' && *j->p <= '9')
		j->p++;
	return true;
}

static bool jc_number(struct jc *j)
{
	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (!jc_digits(j))
		return false;
	if (*j->p == '.') {
		j->p++;
		if (!jc_digits(j))
			return false;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (!jc_digits(j))
			return false;
	}
	return true;
}

static bool jc_value(struct jc *j);

static bool jc_list(struct jc *j, char close, bool object)
{
	j->p++;
	if (++j->depth > JC_MAX_DEPTH)
		return false;
	jc_ws(j);
	if (*j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		jc_ws(j);
		if (object) {
			if (!jc_string(j))
				return false;
			jc_ws(j);
			if (*j->p++ != ':')
				return false;
		}
		if (!jc_value(j))
			return false;
		jc_ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p++ != close)
			return false;
		j->depth--;
		return true;
	}
}

static bool jc_value(struct jc *j)
{
	jc_ws(j);
	switch (*j->p) {
	case '{':
		return jc_list(j, '}', true);
	case '[':
		return jc_list(j, ']', false);
	case '"':
		return jc_string(j);
	case 't':
		return !strncmp(j->p, "true", 4) && (j->p += 4);
	case 'f':
		return !strncmp(j->p, "false", 5) && (j->p += 5);
	case 'n':
		return !strncmp(j->p, "null", 4) && (j->p += 4);
	default:
		return jc_number(j);
	}
}

/* True when @text is one JSON value and nothing else but white space. */
static bool json_valid(const char *text)
{
	struct jc j = { text, 0 };

	if (!jc_value(&j))
		return false;
	jc_ws(&j);
	return !*j.p;
}

#endif
