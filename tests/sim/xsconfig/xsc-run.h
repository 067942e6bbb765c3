/* SPDX-License-Identifier: MIT */
/*
 * xsc-run.h - run vsnd-xsconfig and Debian's xenstore-utils as
 * subprocesses against a test's xensimd, capturing exit status, stdout and
 * stderr, and read a subtree back through xenif as dom0 or as a domU.
 */
#ifndef VSND_TEST_XSC_RUN_H
#define VSND_TEST_XSC_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "simd.h"

#define XSC_OUT_MAX 65536

struct xsc_result {
	int status;		/* exit status; 128 + signal when killed */
	char out[XSC_OUT_MAX];
	char err[XSC_OUT_MAX];
};

/* Run @argv (NULL-terminated; argv[0] looked up in PATH) with
 * XENSTORED_PATH=<run dir>/dom<@domid>.sock. */
void xsc_run(struct vtest_simd *s, uint32_t domid, const char *const *argv,
	     struct xsc_result *res);

/* vsnd-xsconfig --xen=sim:DIR ARGS... ($VTEST_XSCONFIG; skips when unset). */
#define xsc_tool(s, res, ...) xsc_tool_argv(s, res, (const char *const[]){ __VA_ARGS__, NULL })
void xsc_tool_argv(struct vtest_simd *s, struct xsc_result *res, const char *const *args);

/* xenstore-ls -fp of each of the NULL-terminated @paths, concatenated
 * (skips when xenstore-utils is missing). */
void xsc_ls(struct vtest_simd *s, const char *const *paths, char *out, size_t outsz);

/* A file in a directory named by an environment variable. */
void xsc_data_path(char *buf, size_t size, const char *env, const char *name);
/* The whole file into @buf (fails the test if it does not fit). */
void xsc_read_file(const char *path, char *buf, size_t size);
/* Write @text to a new temporary file; its path into @path. */
void xsc_write_temp(const char *text, char *path, size_t size);

/* Start xensimd with guest domain @domid ("guest1"). */
void xsc_start(struct vtest_simd *s, uint32_t domid);

#endif /* VSND_TEST_XSC_RUN_H */
