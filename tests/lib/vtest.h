/* SPDX-License-Identifier: MIT */
/*
 * vtest: the project's small test runner.
 *
 * A test file defines tests with TEST(name) { ... } and links vtest.c, which
 * provides main(). Every test runs in a forked child with a timeout, so a
 * crash, a sanitizer abort or a hang fails that test only. A test may skip
 * with vtest_skip("reason"), which exits 77 (meson's skip code) from the
 * child. The runner prints one line per test and a closing
 * "N passed, N failed, N skipped" line; it exits 0 when nothing failed, 77
 * when every test skipped, 1 otherwise.
 *
 * Environment: VTEST_FILTER=glob selects tests (also the first argument);
 * VTEST_TIMEOUT=seconds overrides the per-test timeout (default 30 s, or
 * what TEST_TIMEOUT() declared).
 */
#ifndef VSND_VTEST_H
#define VSND_VTEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vtest {
	const char *name;
	void (*fn)(void);
	unsigned int timeout_s;
	struct vtest *next;
};

void vtest_register(struct vtest *t);
_Noreturn void vtest_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void vtest_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Directory of the test data (meson passes VTEST_DATA_DIR), never NULL. */
const char *vtest_data_dir(void);

#define VTEST_DEFINE(n, secs)                                                          \
	static void test_##n(void);                                                    \
	static struct vtest vtest_##n = { .name = #n, .fn = test_##n, .timeout_s = secs }; \
	__attribute__((constructor)) static void vtest_register_##n(void)             \
	{                                                                              \
		vtest_register(&vtest_##n);                                            \
	}                                                                              \
	static void test_##n(void)

#define TEST(n) VTEST_DEFINE(n, 0)
#define TEST_TIMEOUT(n, secs) VTEST_DEFINE(n, secs)

#define ASSERT_TRUE(expr)                                                              \
	do {                                                                           \
		if (!(expr))                                                           \
			vtest_fail(__FILE__, __LINE__, "expected true: %s", #expr);    \
	} while (0)

#define ASSERT_FALSE(expr)                                                             \
	do {                                                                           \
		if (expr)                                                              \
			vtest_fail(__FILE__, __LINE__, "expected false: %s", #expr);   \
	} while (0)

#define VTEST_CMP(a, b, op, type, fmt)                                                 \
	do {                                                                           \
		type va_ = (type)(a), vb_ = (type)(b);                                 \
		if (!(va_ op vb_))                                                     \
			vtest_fail(__FILE__, __LINE__, "%s " #op " %s, but %" fmt      \
				   " vs %" fmt, #a, #b, va_, vb_);                     \
	} while (0)

/* Signed comparisons (errno results, counts). */
#define ASSERT_EQ(a, b) VTEST_CMP(a, b, ==, intmax_t, PRIdMAX)
#define ASSERT_NE(a, b) VTEST_CMP(a, b, !=, intmax_t, PRIdMAX)
#define ASSERT_LT(a, b) VTEST_CMP(a, b, <, intmax_t, PRIdMAX)
#define ASSERT_LE(a, b) VTEST_CMP(a, b, <=, intmax_t, PRIdMAX)
#define ASSERT_GT(a, b) VTEST_CMP(a, b, >, intmax_t, PRIdMAX)
#define ASSERT_GE(a, b) VTEST_CMP(a, b, >=, intmax_t, PRIdMAX)
/* Unsigned comparisons (masks, 64-bit positions), printed in hex. */
#define ASSERT_EQ_U(a, b) VTEST_CMP(a, b, ==, uintmax_t, "#" PRIxMAX)
#define ASSERT_NE_U(a, b) VTEST_CMP(a, b, !=, uintmax_t, "#" PRIxMAX)

/* A call that must succeed (>= 0): prints the errno name on failure. */
#define ASSERT_OK(expr)                                                                \
	do {                                                                           \
		intmax_t r_ = (intmax_t)(expr);                                        \
		if (r_ < 0)                                                            \
			vtest_fail(__FILE__, __LINE__, "%s failed: %" PRIdMAX " (%s)", \
				   #expr, r_, strerror((int)-r_));                     \
	} while (0)

/* A call that must fail with exactly -err. */
#define ASSERT_ERR(expr, err)                                                          \
	do {                                                                           \
		intmax_t r_ = (intmax_t)(expr);                                        \
		if (r_ != -(intmax_t)(err))                                            \
			vtest_fail(__FILE__, __LINE__, "%s: expected -%s (%d), got %"  \
				   PRIdMAX, #expr, #err, -(int)(err), r_);             \
	} while (0)

#define ASSERT_STREQ(a, b)                                                             \
	do {                                                                           \
		const char *sa_ = (a), *sb_ = (b);                                     \
		if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0)                             \
			vtest_fail(__FILE__, __LINE__, "%s == %s, but \"%s\" vs \"%s\"", \
				   #a, #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)"); \
	} while (0)

#define ASSERT_NULL(p) ASSERT_TRUE((p) == NULL)
#define ASSERT_NOT_NULL(p) ASSERT_TRUE((p) != NULL)

#define ASSERT_MEMEQ(a, b, n)                                                          \
	do {                                                                           \
		if (memcmp((a), (b), (n)) != 0)                                        \
			vtest_fail(__FILE__, __LINE__, "%s and %s differ in %zu bytes", \
				   #a, #b, (size_t)(n));                               \
	} while (0)

#endif /* VSND_VTEST_H */
