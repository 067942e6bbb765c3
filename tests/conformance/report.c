// SPDX-License-Identifier: MIT
/*
 * report.c - vsnd-conform's output: one line per scenario (plain or TAP)
 * and the JUnit XML file.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conform.h"
#include "vsnd-common/util.h"

void cf_report_line(const struct cf_outcome *o, unsigned int n, bool tap)
{
	const char *name = o->s->name;

	if (!tap) {
		if (o->result == CF_OK)
			printf("ok - %s\n", name);
		else
			printf("%s - %s: %s\n", o->result == CF_FAIL ? "FAIL" : "skip", name,
			       o->msg);
	} else if (o->result == CF_OK) {
		printf("ok %u - %s\n", n, name);
	} else if (o->result == CF_SKIP) {
		printf("ok %u - %s # SKIP %s\n", n, name, o->msg);
	} else {
		printf("not ok %u - %s: %s\n", n, name, o->msg);
	}
	fflush(stdout);
}

/* @s with XML's five special characters escaped; control characters dropped. */
static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, f);
		}
	}
}

static void junit_case(FILE *f, const struct cf_outcome *o)
{
	fputs("    <testcase classname=\"vsnd-conform\" name=\"", f);
	xml_text(f, o->s->name);
	fprintf(f, "\" time=\"%llu.%03llu\"", (unsigned long long)(o->ms / 1000),
		(unsigned long long)(o->ms % 1000));
	if (o->result == CF_OK) {
		fputs("/>\n", f);
		return;
	}
	fputs(">\n      <", f);
	fputs(o->result == CF_FAIL ? "failure" : "skipped", f);
	fputs(" message=\"", f);
	xml_text(f, o->msg);
	fputs("\"/>\n    </testcase>\n", f);
}

int cf_report_junit(const char *path, const struct cf_outcome *o, size_t n)
{
	_cleanup_(fclosep) FILE *f = fopen(path, "we");
	size_t failed = 0, skipped = 0;
	uint64_t ms = 0;

	if (!f)
		return negative_errno();
	for (size_t i = 0; i < n; i++) {
		failed += o[i].result == CF_FAIL;
		skipped += o[i].result == CF_SKIP;
		ms += o[i].ms;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", f);
	fprintf(f,
		"  <testsuite name=\"vsnd-conform\" tests=\"%zu\" failures=\"%zu\" "
		"skipped=\"%zu\" errors=\"0\" time=\"%llu.%03llu\">\n",
		n, failed, skipped, (unsigned long long)(ms / 1000),
		(unsigned long long)(ms % 1000));
	for (size_t i = 0; i < n; i++)
		junit_case(f, &o[i]);
	fputs("  </testsuite>\n</testsuites>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}
